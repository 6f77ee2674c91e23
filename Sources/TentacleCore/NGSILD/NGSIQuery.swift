import Foundation

/// An NGSI-LD query parameter that cannot be read: which parameter, and what is wrong with it.
public struct NGSIQueryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The query parameter: `q`, `georel`, `geometry`, `coordinates`, `geoproperty`, `aggrPeriodDuration`.
    public var parameter: String
    /// What is wrong and where (for `q`, at which character, counted from 1).
    public var message: String

    public init(parameter: String, message: String) {
        self.parameter = parameter
        self.message = message
    }

    public var description: String { "\(parameter): \(message)" }
}

/// An NGSI-LD `q` query (ETSI GS CIM 009 §4.9), parsed once and evaluated against key-values attributes.
///
/// - `;` (and) binds tighter than `|` (or); parentheses group, at most `maxDepth` deep.
/// - `attr`, `attr.sub` and `attr[key.key]` all look keys up in object values.
/// - A bare path tests that the attribute exists; `!path` that it does not.
/// - Unquoted values are numbers, `true`, `false` or date-times; strings are quoted.
/// - A comparison with a missing attribute, or with a value of another kind, is false.
/// - An array value matches when one element does; `!=` and `!~=` when no element equals or matches.
/// - `~=` finds the pattern anywhere in the string (anchor it with `^…$` for a whole match).
public struct NGSIQuery: Hashable, Sendable {
    public static let maxLength = 4096
    public static let maxDepth = 32

    let root: Condition

    public static func parse(_ text: String) throws(NGSIQueryError) -> NGSIQuery {
        if text.utf8.count > maxLength, let cut = text.index(text.startIndex, offsetBy: maxLength, limitedBy: text.endIndex), cut != text.endIndex {
            throw NGSIQueryError(parameter: "q", message: "is longer than \(maxLength) characters")
        }
        var parser = Parser(bytes: Array(text.utf8))
        return NGSIQuery(root: try parser.parseQuery())
    }

    /// `attributes`: attribute name → value (key-values form). For observedAt-style comparisons a caller passes times as ISO strings.
    public func matches(_ attributes: [String: NGSIValue]) -> Bool {
        root.matches(attributes)
    }

    /// Top-level attribute names the query mentions.
    public var attributeNames: Set<String> {
        var names: Set<String> = []
        root.collectNames(into: &names)
        return names
    }
}

// MARK: - The parsed form

extension NGSIQuery {
    indirect enum Condition: Hashable, Sendable {
        case any([Condition])
        case all([Condition])
        case term(Term)
    }

    struct Term: Hashable, Sendable {
        /// The attribute name, then the keys looked up in its object value.
        var path: [String]
        var test: Test
    }

    enum Test: Hashable, Sendable {
        case exists, absent
        case equal(Operand), unequal(Operand)
        case ordered(Order, Literal)
        case pattern(Pattern, negated: Bool)
    }

    enum Order: Hashable, Sendable {
        case greater, greaterOrEqual, less, lessOrEqual
    }

    enum Operand: Hashable, Sendable {
        /// One value, or a list of which any may equal.
        case values([Literal])
        case range(Literal, Literal)
    }

    enum Literal: Hashable, Sendable {
        case number(Double), string(String), bool(Bool)
        /// Milliseconds since 1970.
        case time(Int64)
    }

    /// A regular expression, compiled when the query is parsed; equal when the source is.
    struct Pattern: Hashable, Sendable {
        let source: String
        let regex: NSRegularExpression

        static func == (a: Pattern, b: Pattern) -> Bool { a.source == b.source }
        func hash(into hasher: inout Hasher) { hasher.combine(source) }

        func matches(_ string: String) -> Bool {
            regex.firstMatch(in: string, range: NSRange(string.startIndex..., in: string)) != nil
        }
    }
}

// MARK: - Evaluation

extension NGSIQuery.Condition {
    func matches(_ attributes: [String: NGSIValue]) -> Bool {
        switch self {
        case .any(let conditions): conditions.contains { $0.matches(attributes) }
        case .all(let conditions): conditions.allSatisfy { $0.matches(attributes) }
        case .term(let term): term.matches(attributes)
        }
    }

    func collectNames(into names: inout Set<String>) {
        switch self {
        case .any(let conditions), .all(let conditions):
            for condition in conditions { condition.collectNames(into: &names) }
        case .term(let term):
            names.insert(term.path[0])
        }
    }
}

extension NGSIQuery.Term {
    func matches(_ attributes: [String: NGSIValue]) -> Bool {
        var value = attributes[path[0]]
        for key in path.dropFirst() {
            guard case .object(let members)? = value else { return false }
            value = members[key]
        }
        guard let value else { return test == .absent }
        switch test {
        case .exists: return true
        case .absent: return false
        case .equal(let operand): return Self.verdict(value, operand.holds) == true
        case .unequal(let operand): return Self.verdict(value, operand.holds) == false
        case .ordered(let order, let literal): return Self.verdict(value) { order.holds(literal.compare(to: $0)) } == true
        case .pattern(let pattern, let negated): return Self.verdict(value, pattern.holds) == !negated
        }
    }

    /// Whether `test` holds for the value, or for one element of an array value: nil when no element
    /// is of a kind the test can judge, false when some are and none passes.
    private static func verdict(_ value: NGSIValue, _ test: (NGSIValue) -> Bool?) -> Bool? {
        guard case .array(let elements) = value else { return test(value) }
        var verdict: Bool?
        for element in elements {
            switch test(element) {
            case true?: return true
            case false?: verdict = false
            case nil: break
            }
        }
        return verdict
    }
}

extension NGSIQuery.Operand {
    func holds(for value: NGSIValue) -> Bool? {
        switch self {
        case .values(let literals):
            var verdict: Bool?
            for literal in literals {
                switch literal.compare(to: value) {
                case 0?: return true
                case _?: verdict = false
                case nil: break
                }
            }
            return verdict
        case .range(let low, let high):
            guard let above = low.compare(to: value), let below = high.compare(to: value) else { return nil }
            return above >= 0 && below <= 0
        }
    }
}

extension NGSIQuery.Order {
    func holds(_ comparison: Int?) -> Bool? {
        guard let comparison else { return nil }
        return switch self {
        case .greater: comparison > 0
        case .greaterOrEqual: comparison >= 0
        case .less: comparison < 0
        case .lessOrEqual: comparison <= 0
        }
    }
}

extension NGSIQuery.Pattern {
    func holds(for value: NGSIValue) -> Bool? {
        guard case .string(let string) = value else { return nil }
        return matches(string)
    }
}

extension NGSIQuery.Literal {
    /// The value read as a literal of the same kind as `like`: a date-time from a string that parses as one.
    init?(_ value: NGSIValue, like: Self) {
        switch (like, value) {
        case (.number, .number(let n)): self = .number(n)
        case (.string, .string(let s)): self = .string(s)
        case (.bool, .bool(let b)): self = .bool(b)
        case (.time, .string(let s)):
            guard let ms = ReadingTime.parse(s) else { return nil }
            self = .time(ms)
        default: return nil
        }
    }

    /// The sign of `value - self`, or nil when the value is of another kind.
    func compare(to value: NGSIValue) -> Int? {
        Self(value, like: self).flatMap(compare)
    }

    /// The sign of `other - self`, or nil when the two are of different kinds (false comes before true).
    func compare(_ other: Self) -> Int? {
        switch (self, other) {
        case (.number(let a), .number(let b)): Self.sign(a, b)
        case (.string(let a), .string(let b)): Self.sign(a, b)
        case (.bool(let a), .bool(let b)): a == b ? 0 : b ? 1 : -1
        case (.time(let a), .time(let b)): Self.sign(a, b)
        default: nil
        }
    }

    private static func sign<T: Comparable>(_ a: T, _ b: T) -> Int {
        b < a ? -1 : b > a ? 1 : 0
    }

    var kind: String {
        switch self {
        case .number: "number"
        case .string: "string"
        case .bool: "boolean"
        case .time: "date-time"
        }
    }
}

// MARK: - Parsing

extension NGSIQuery {
    static func isNameStart(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- UInt8(ascii: "a") < 26 || byte == UInt8(ascii: "_")
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        isNameStart(byte) || byte &- 0x30 < 10 || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-")
    }

    /// Whether `text` is an attribute name: `[A-Za-z_][A-Za-z0-9_:-]*`.
    static func isName(_ text: some StringProtocol) -> Bool {
        guard let first = text.utf8.first, isNameStart(first) else { return false }
        return text.utf8.allSatisfy(isNameByte)
    }

    /// A recursive-descent parser over the query's UTF-8; only parentheses recurse, at most `maxDepth` deep.
    struct Parser {
        let bytes: [UInt8]
        var i = 0
        var depth = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        mutating func parseQuery() throws(NGSIQueryError) -> Condition {
            skipSpaces()
            if i == bytes.count { throw NGSIQueryError(parameter: "q", message: "is empty") }
            let condition = try parseOr()
            if i < bytes.count {
                if bytes[i] == UInt8(ascii: ")") { throw error(at: i, "')' has no matching '('") }
                throw error(at: i, "unexpected \(quoted(at: i)): expected ';', '|' or the end")
            }
            return condition
        }

        private mutating func parseOr() throws(NGSIQueryError) -> Condition {
            var conditions = [try parseAnd()]
            while peek(UInt8(ascii: "|")) {
                i += 1
                conditions.append(try parseAnd())
            }
            return conditions.count == 1 ? conditions[0] : .any(conditions)
        }

        private mutating func parseAnd() throws(NGSIQueryError) -> Condition {
            var conditions = [try parseFactor()]
            while peek(UInt8(ascii: ";")) {
                i += 1
                conditions.append(try parseFactor())
            }
            return conditions.count == 1 ? conditions[0] : .all(conditions)
        }

        private mutating func parseFactor() throws(NGSIQueryError) -> Condition {
            skipSpaces()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "(") else { return .term(try parseTerm()) }
            let open = i
            guard depth < NGSIQuery.maxDepth else { throw error(at: open, "parentheses nest deeper than \(NGSIQuery.maxDepth)") }
            depth += 1
            i += 1
            let condition = try parseOr()
            guard i < bytes.count else { throw error(at: open, "'(' is never closed") }
            guard bytes[i] == UInt8(ascii: ")") else { throw error(at: i, "unexpected \(quoted(at: i)): expected ';', '|' or ')'") }
            i += 1
            depth -= 1
            skipSpaces()
            return condition
        }

        private mutating func parseTerm() throws(NGSIQueryError) -> Term {
            if peek(UInt8(ascii: "!")) {
                i += 1
                let path = try parsePath()
                if i < bytes.count, Self.isOperatorByte(bytes[i]) {
                    throw error(at: i, "'!\(path.joined(separator: "."))' tests that the attribute is absent and takes no comparison")
                }
                return Term(path: path, test: .absent)
            }
            let path = try parsePath()
            let start = i
            while i < bytes.count, Self.isOperatorByte(bytes[i]) { i += 1 }
            let op = String(decoding: bytes[start..<i], as: UTF8.self)
            let test: Test
            switch op {
            case "": test = .exists
            case "==": test = .equal(try parseOperand(after: op))
            case "!=": test = .unequal(try parseOperand(after: op))
            case ">": test = .ordered(.greater, try parseComparable(after: op))
            case ">=": test = .ordered(.greaterOrEqual, try parseComparable(after: op))
            case "<": test = .ordered(.less, try parseComparable(after: op))
            case "<=": test = .ordered(.lessOrEqual, try parseComparable(after: op))
            case "~=": test = .pattern(try parsePattern(after: op), negated: false)
            case "!~=": test = .pattern(try parsePattern(after: op), negated: true)
            default: throw error(at: start, "unknown operator '\(op)': use ==, !=, >, >=, <, <=, ~= or !~=")
            }
            skipSpaces()
            return Term(path: path, test: test)
        }

        private static func isOperatorByte(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "=") || byte == UInt8(ascii: "!") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
                || byte == UInt8(ascii: "~")
        }

        /// `name`, `name.sub.sub`, `name[key]`, `name[key.key2]`, `name.sub[key][key2]`.
        private mutating func parsePath() throws(NGSIQueryError) -> [String] {
            skipSpaces()
            var path = [try parseName("an attribute name")]
            while peek(UInt8(ascii: ".")) {
                i += 1
                path.append(try parseName("a sub-property name after '.'"))
            }
            while peek(UInt8(ascii: "[")) {
                i += 1
                path.append(try parseName("a key after '['"))
                while peek(UInt8(ascii: ".")) {
                    i += 1
                    path.append(try parseName("a key after '.'"))
                }
                guard peek(UInt8(ascii: "]")) else { throw error(at: i, "expected ']'") }
                i += 1
            }
            skipSpaces()
            return path
        }

        private mutating func parseName(_ what: String) throws(NGSIQueryError) -> String {
            guard i < bytes.count, NGSIQuery.isNameStart(bytes[i]) else { throw error(at: i, "expected \(what)") }
            let start = i
            while i < bytes.count, NGSIQuery.isNameByte(bytes[i]) { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        /// A value, a list `v1,v2` or a range `min..max`, for `==` and `!=`.
        private mutating func parseOperand(after op: String) throws(NGSIQueryError) -> Operand {
            let first = try parseLiteral(after: op)
            if peekRange() {
                let dots = i
                i += 2
                let last = try parseLiteral(after: "..")
                guard first.kind == last.kind else {
                    throw error(at: dots, "a range needs two values of one kind, not a \(first.kind) and a \(last.kind)")
                }
                if case .bool = first { throw error(at: dots, "a range takes numbers, strings or date-times, not true or false") }
                if let order = first.compare(last), order < 0 { throw error(at: dots, "the range starts after it ends") }
                if peek(UInt8(ascii: ",")) { throw error(at: i, "a range cannot be part of a list") }
                return .range(first, last)
            }
            var values = [first]
            while peek(UInt8(ascii: ",")) {
                i += 1
                values.append(try parseLiteral(after: ","))
                if peekRange() { throw error(at: i, "a list cannot hold a range") }
            }
            return .values(values)
        }

        /// One number, string or date-time, for `>`, `>=`, `<` and `<=`.
        private mutating func parseComparable(after op: String) throws(NGSIQueryError) -> Literal {
            let start = i
            let literal = try parseLiteral(after: op)
            if case .bool = literal { throw error(at: start, "'\(op)' compares numbers, strings and date-times, not true or false") }
            if peekRange() || peek(UInt8(ascii: ",")) {
                throw error(at: i, "'\(op)' takes one value: lists and ranges go with == and !=")
            }
            return literal
        }

        private mutating func parseLiteral(after op: String) throws(NGSIQueryError) -> Literal {
            skipSpaces()
            guard i < bytes.count, !Self.endsToken(bytes[i]), !peekRange() else {
                throw error(at: i, "expected a value after '\(op)'")
            }
            if bytes[i] == UInt8(ascii: "\"") { return .string(try parseString(unescapingBackslashes: true)) }
            let start = i
            while i < bytes.count, !Self.endsToken(bytes[i]), !peekRange() { i += 1 }
            let token = Array(bytes[start..<i])
            let text = String(decoding: token, as: UTF8.self)
            skipSpaces()
            if text == "true" { return .bool(true) }
            if text == "false" { return .bool(false) }
            if let (number, end) = NGSIValue.scanNumber(token, from: 0), end == token.count {
                guard number.isFinite else { throw error(at: start, "\(text) is out of range for a number") }
                return .number(number)
            }
            if let time = ReadingTime.parse(text) { return .time(time) }
            throw error(
                at: start,
                "\(text.count > 40 ? "'\(text.prefix(40))…'" : "'\(text)'") is not a value: quote strings (\"…\"); numbers, true, false and date-times (2026-12-03T10:00:00Z) go unquoted"
            )
        }

        /// A quoted string from the `"` at `i`. `\"` stands for `"`; `\\` for `\` when unescaping, and
        /// stays as it is otherwise (a pattern's own escape); any other backslash is kept.
        private mutating func parseString(unescapingBackslashes: Bool) throws(NGSIQueryError) -> String {
            let open = i
            i += 1
            var content: [UInt8] = []
            while i < bytes.count {
                let byte = bytes[i]
                if byte == UInt8(ascii: "\"") {
                    i += 1
                    skipSpaces()
                    return String(decoding: content, as: UTF8.self)
                }
                if byte == UInt8(ascii: "\\"), i + 1 < bytes.count {
                    switch bytes[i + 1] {
                    case UInt8(ascii: "\""):
                        i += 1
                    case UInt8(ascii: "\\"):
                        if !unescapingBackslashes { content.append(byte) }
                        i += 1
                    default: break
                    }
                }
                content.append(bytes[i])
                i += 1
            }
            throw error(at: open, "the string is never closed")
        }

        /// A quoted pattern, or an unquoted one that runs to a `;`, `|` or `)` outside its own
        /// parentheses, brackets and escapes (quote a pattern to use `|` at its top level).
        private mutating func parsePattern(after op: String) throws(NGSIQueryError) -> Pattern {
            skipSpaces()
            let start = i
            let source: String
            if peek(UInt8(ascii: "\"")) {
                source = try parseString(unescapingBackslashes: false)
            } else {
                var nesting = 0, inClass = false
                scan: while i < bytes.count {
                    let byte = bytes[i]
                    if byte == UInt8(ascii: "\\") {
                        i = min(i + 2, bytes.count)
                        continue
                    }
                    if inClass {
                        if byte == UInt8(ascii: "]") { inClass = false }
                    } else {
                        switch byte {
                        case UInt8(ascii: "["): inClass = true
                        case UInt8(ascii: "("): nesting += 1
                        case UInt8(ascii: ")"):
                            if nesting == 0 { break scan }
                            nesting -= 1
                        case UInt8(ascii: ";"), UInt8(ascii: "|"):
                            if nesting == 0 { break scan }
                        default: break
                        }
                    }
                    i += 1
                }
                var end = i
                while end > start, bytes[end - 1] == UInt8(ascii: " ") { end -= 1 }
                source = String(decoding: bytes[start..<end], as: UTF8.self)
            }
            guard !source.isEmpty else { throw error(at: start, "expected a regular expression after '\(op)'") }
            do {
                return Pattern(source: source, regex: try NSRegularExpression(pattern: source))
            } catch {
                throw self.error(at: start, "'\(source.prefix(80))' is not a valid regular expression")
            }
        }

        private static func endsToken(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: ";"), UInt8(ascii: "|"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","): true
            default: false
            }
        }

        private func peekRange() -> Bool {
            i + 1 < bytes.count && bytes[i] == UInt8(ascii: ".") && bytes[i + 1] == UInt8(ascii: ".")
        }

        private mutating func peek(_ byte: UInt8) -> Bool {
            skipSpaces()
            return i < bytes.count && bytes[i] == byte
        }

        private mutating func skipSpaces() {
            while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 }
        }

        /// The character at byte offset `offset`, quoted, for a message.
        private func quoted(at offset: Int) -> String {
            let rest = String(decoding: bytes[offset..<min(offset + 4, bytes.count)], as: UTF8.self)
            return "'\(rest.first.map(String.init) ?? "")'"
        }

        private func error(at offset: Int, _ message: String) -> NGSIQueryError {
            guard offset < bytes.count else { return NGSIQueryError(parameter: "q", message: "at the end: \(message)") }
            let character = String(decoding: bytes[..<offset], as: UTF8.self).count + 1
            return NGSIQueryError(parameter: "q", message: "at character \(character): \(message)")
        }
    }
}
