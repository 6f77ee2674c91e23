import Foundation

/// One display read from an import file, with the row it came from.
public struct ImportRow: Hashable, Sendable {
    /// The 1-based CSV line or GeoJSON feature number.
    public var row: Int
    public var input: DisplayInput

    public init(row: Int, input: DisplayInput) {
        self.row = row
        self.input = input
    }
}

/// Reads displays in bulk from CSV or a GeoJSON FeatureCollection.
///
/// Either every row is valid and all are returned, or nothing is and the error lists every issue
/// of every bad row; the caller stores the rows in one transaction so an import is all or nothing.
/// Existence of the named districts and groups is the store's to check: it is not known here.
public enum DisplayImport {
    /// The default limit on rows (or features) per import.
    public static let maxRows = 100_000

    /// The CSV header names understood, in the order a template would list them.
    public static let csvColumns = ["id", "name", "width", "height", "lat", "lon", "district", "pole_id", "groups", "tags", "timezone", "notes"]

    /// Reads CSV whose first record is a header naming the columns (see `csvColumns`; `poleId` is
    /// accepted for `pole_id`). Groups and tags are separated by `;` or `|`. Issues carry the
    /// 1-based line number in `row` and the column name in `field`.
    public static func parseCSV(_ text: String, maxRows: Int = DisplayImport.maxRows) -> Result<[ImportRow], ValidationError> {
        let records: [CSVRecord]
        do {
            records = try CSV.parse(text)
        } catch {
            return .failure(ValidationError([FieldIssue(field: "csv", message: "field \(error.field): \(error.message)", row: error.line)]))
        }
        guard let header = records.first else {
            return .failure(ValidationError(field: "csv", "is empty; the first line must name the columns"))
        }
        let columns: [Column]
        switch readHeader(header) {
        case .success(let c): columns = c
        case .failure(let e): return .failure(e)
        }
        let names = header.fields.map(trimmed)
        let rows = records.dropFirst().filter { !$0.fields.allSatisfy { trimmed($0).isEmpty } }
        if rows.count > maxRows {
            return .failure(tooManyRows(rows.count, maxRows))
        }

        let headerName = Dictionary(zip(columns.map(\.rawValue), names), uniquingKeysWith: { a, _ in a })
        var checker = RowChecker()
        for record in rows {
            var c = IssueCollector(row: record.line)
            guard record.fields.count == columns.count else {
                c.add("columns", "has \(record.fields.count) fields; the header has \(columns.count)")
                checker.reject(c.issues)
                continue
            }
            var input = DisplayInput()
            var unread = Set<String>()
            for ((column, name), raw) in zip(zip(columns, names), record.fields) {
                let value = trimmed(raw)
                if value.isEmpty { continue }
                func number<T: LosslessStringConvertible>(_ what: String) -> T? {
                    if let v = T(value) { return v }
                    c.add(name, "'\(value.prefix(80))' is not \(what)")
                    unread.insert(column.rawValue)
                    return nil
                }
                switch column {
                case .id: input.id = value
                case .name: input.name = value
                case .district: input.district = value
                case .poleId: input.poleId = value
                case .timezone: input.timezone = value
                case .notes: input.notes = value
                case .groups: input.groups = list(value)
                case .tags: input.tags = list(value)
                case .width: input.width = number("an integer")
                case .height: input.height = number("an integer")
                case .lat: input.lat = number("a number")
                case .lon: input.lon = number("a number")
                }
            }
            checker.check(input, row: record.line, readIssues: c.issues, unread: unread) { field in
                headerName[field] ?? field
            }
        }
        return checker.result
    }

    /// Reads a GeoJSON FeatureCollection of Point features whose properties carry the display
    /// fields (`poleId`; `groups` and `tags` as arrays); `[lon, lat]` coordinates give the location.
    /// A string feature `id` is used when the properties have none. Issues carry the 1-based
    /// feature number in `row` and a path such as `features[3].properties.width` in `field`.
    public static func parseGeoJSON(_ bytes: some Sequence<UInt8>, maxRows: Int = DisplayImport.maxRows) -> Result<[ImportRow], ValidationError> {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            return .failure(ValidationError(field: "geojson", "is not valid JSON"))
        }
        guard case .object(let collection) = root, collection["type"] == .string("FeatureCollection") else {
            return .failure(ValidationError(field: "type", "must be \"FeatureCollection\""))
        }
        guard case .array(let features) = collection["features"] else {
            return .failure(ValidationError(field: "features", "must be an array of Point features"))
        }
        if features.count > maxRows {
            return .failure(tooManyRows(features.count, maxRows))
        }

        var checker = RowChecker()
        for (index, feature) in features.enumerated() {
            let row = index + 1
            let base = "features[\(index)]"
            var c = IssueCollector(row: row)
            guard case .object(let object) = feature else {
                c.add(base, "must be a Feature object")
                checker.reject(c.issues)
                continue
            }
            if object["type"] != .string("Feature") {
                c.add("\(base).type", "must be \"Feature\"")
            }
            var input = DisplayInput()
            var unread = Set<String>()
            if !readPoint(object["geometry"], path: "\(base).geometry", into: &input, issues: &c) {
                unread.formUnion(["lat", "lon"])
            }

            var idFromFeature = false
            switch object["properties"] {
            case nil, .null:
                break
            case .object(let properties):
                unread.formUnion(readProperties(properties, path: "\(base).properties", into: &input, issues: &c))
            default:
                c.add("\(base).properties", "must be an object")
            }
            if case .string(let featureId) = object["id"] {
                if input.id == nil {
                    input.id = featureId
                    idFromFeature = true
                } else if input.id != featureId {
                    c.add("\(base).id", "'\(featureId.prefix(80))' differs from properties.id")
                }
            }
            checker.check(input, row: row, readIssues: c.issues, unread: unread) { field in
                switch field {
                case "lon": return "\(base).geometry.coordinates[0]"
                case "lat": return "\(base).geometry.coordinates[1]"
                case "id" where idFromFeature: return "\(base).id"
                default: return "\(base).properties.\(field)"
                }
            }
        }
        return checker.result
    }

    private static func tooManyRows(_ count: Int, _ limit: Int) -> ValidationError {
        ValidationError(field: "rows", "the file has \(count) rows; at most \(limit) can be imported at once")
    }

    /// Drops the spaces and tabs around a cell, as `CharacterSet.whitespaces` would, without
    /// Foundation's per-call cost, which dominated reading large files.
    private static func trimmed(_ s: String) -> String {
        func isBlank(_ c: Character) -> Bool {
            c == " " || c == "\t" || (c.unicodeScalars.count == 1 && c.unicodeScalars.allSatisfy { $0.properties.generalCategory == .spaceSeparator })
        }
        guard let first = s.first, let last = s.last, isBlank(first) || isBlank(last) else { return s }
        let start = s.firstIndex { !isBlank($0) } ?? s.endIndex
        let end = s.lastIndex { !isBlank($0) }.map { s.index(after: $0) } ?? start
        return String(s[start..<end])
    }

    private static func list(_ value: String) -> [String] {
        value.split(whereSeparator: { $0 == ";" || $0 == "|" })
            .map { trimmed(String($0)) }
            .filter { !$0.isEmpty }
    }
}

// MARK: - CSV header

extension DisplayImport {
    fileprivate enum Column: String, CaseIterable {
        case id, name, width, height, lat, lon, district, poleId, groups, tags, timezone, notes

        static let required: [Column] = [.name, .width, .height, .lat, .lon, .district, .timezone]

        init?(header: String) {
            switch header.lowercased() {
            case "pole_id", "poleid": self = .poleId
            case let other: self.init(rawValue: other)
            }
        }
    }

    private static func readHeader(_ header: CSVRecord) -> Result<[Column], ValidationError> {
        var c = IssueCollector(row: header.line)
        var columns: [Column] = []
        var seen: [Column: String] = [:]
        for (position, raw) in header.fields.enumerated() {
            let name = trimmed(raw)
            guard let column = Column(header: name) else {
                let field = name.isEmpty ? "column \(position + 1)" : name
                c.add(field, "unknown column; known columns are \(csvColumns.joined(separator: ", "))")
                continue
            }
            if let first = seen[column] {
                c.add(name, "column appears twice (also as '\(first)')")
            }
            seen[column] = seen[column] ?? name
            columns.append(column)
        }
        for column in Column.required where seen[column] == nil {
            c.add(column.rawValue, "required column is missing")
        }
        return c.isEmpty ? .success(columns) : .failure(ValidationError(c.issues))
    }
}

// MARK: - GeoJSON feature

extension DisplayImport {
    /// Sets lat and lon from a Point geometry; false when there was none to read.
    private static func readPoint(_ geometry: JSONValue?, path: String, into input: inout DisplayInput, issues c: inout IssueCollector) -> Bool {
        guard let geometry, geometry != .null else {
            c.add(path, "is required: a Point with [lon, lat] coordinates")
            return false
        }
        guard case .object(let object) = geometry else {
            c.add(path, "must be a Point geometry object")
            return false
        }
        guard case .string(let type) = object["type"], type == "Point" else {
            let shown = object["type"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "missing"
            c.add("\(path).type", "'\(shown.prefix(40))' is not supported; each display is a Point")
            return false
        }
        guard case .array(let position) = object["coordinates"], position.count >= 2,
              case .number(let lon) = position[0], case .number(let lat) = position[1]
        else {
            c.add("\(path).coordinates", "must be [lon, lat] numbers")
            return false
        }
        input.lon = lon
        input.lat = lat
        return true
    }

    /// Sets the display fields the properties carry; returns the fields present but of the wrong type.
    private static func readProperties(_ properties: [String: JSONValue], path: String, into input: inout DisplayInput, issues c: inout IssueCollector) -> Set<String> {
        var unread = Set<String>()
        for key in properties.keys.sorted() {
            let value = properties[key] ?? .null
            if value == .null { continue }
            let field = "\(path).\(key)"
            let issuesBefore = c.issues.count
            switch key {
            case "id": input.id = string(value, field, &c)
            case "name": input.name = string(value, field, &c)
            case "district": input.district = string(value, field, &c)
            case "poleId": input.poleId = string(value, field, &c)
            case "timezone": input.timezone = string(value, field, &c)
            case "notes": input.notes = string(value, field, &c)
            case "width": input.width = integer(value, field, &c)
            case "height": input.height = integer(value, field, &c)
            case "groups": input.groups = strings(value, field, &c)
            case "tags": input.tags = strings(value, field, &c)
            case "lat", "lon":
                c.add(field, "the location comes from geometry.coordinates [lon, lat], not from properties")
            default:
                let known = DisplayInput.fieldNames.subtracting(["lat", "lon"]).sorted().joined(separator: ", ")
                c.add(field, "unknown property; known properties are \(known)")
            }
            if c.issues.count > issuesBefore && DisplayInput.fieldNames.contains(key) { unread.insert(key) }
        }
        return unread
    }

    private static func string(_ value: JSONValue, _ field: String, _ c: inout IssueCollector) -> String? {
        if case .string(let s) = value { return s }
        c.add(field, "must be a string, got \(value.kind)")
        return nil
    }

    private static func integer(_ value: JSONValue, _ field: String, _ c: inout IssueCollector) -> Int? {
        // Doubles hold every integer up to 2^53 exactly, far beyond any valid panel size.
        if case .number(let d) = value, d == d.rounded(), abs(d) < 9_007_199_254_740_992 { return Int(d) }
        if case .number(let d) = value {
            c.add(field, "\(d) is not an integer")
        } else {
            c.add(field, "must be an integer, got \(value.kind)")
        }
        return nil
    }

    private static func strings(_ value: JSONValue, _ field: String, _ c: inout IssueCollector) -> [String]? {
        guard case .array(let items) = value else {
            c.add(field, "must be an array of strings, got \(value.kind)")
            return nil
        }
        var result: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                c.add("\(field)[\(i)]", "must be a string, got \(item.kind)")
                return nil
            }
            result.append(s)
        }
        return result
    }
}

// MARK: - Row checking shared by both formats

/// Gathers rows until the first bad one, then only issues, so a partial result can never escape.
private struct RowChecker {
    private var rows: [ImportRow] = []
    private var issues: [FieldIssue] = []
    private var firstRowOfId: [String: Int] = [:]

    /// Rejects a row that could not be read at all.
    mutating func reject(_ rowIssues: [FieldIssue]) {
        issues.append(contentsOf: rowIssues)
        rows.removeAll()
    }

    /// Checks a read row against the display rules and the ids seen so far.
    ///
    /// `readIssues` were found while reading the row; the display fields in `unread` were present
    /// but unreadable, so they are nil and must not be reported as missing too. `rename` turns a
    /// display field into the name the file uses for it.
    mutating func check(_ input: DisplayInput, row: Int, readIssues: [FieldIssue], unread: Set<String>, rename: (String) -> String) {
        var rowIssues = readIssues
        for issue in DisplayRules.issues(in: input, creating: true, row: row) {
            if unread.contains(issue.field) { continue }
            rowIssues.append(FieldIssue(field: Self.renamed(issue.field, rename), message: issue.message, row: row))
        }
        if let id = input.id, Identifier.isValid(id) {
            if let first = firstRowOfId[id] {
                rowIssues.append(FieldIssue(field: rename("id"), message: "'\(id)' is also the id of row \(first)", row: row))
            } else {
                firstRowOfId[id] = row
            }
        }
        if rowIssues.isEmpty {
            if issues.isEmpty { rows.append(ImportRow(row: row, input: input)) }
        } else {
            reject(rowIssues)
        }
    }

    var result: Result<[ImportRow], ValidationError> {
        issues.isEmpty ? .success(rows) : .failure(ValidationError(issues))
    }

    /// `groups[2]` keeps its index: only the part before the bracket names a column or property.
    private static func renamed(_ field: String, _ rename: (String) -> String) -> String {
        guard let bracket = field.firstIndex(of: "[") else { return rename(field) }
        return rename(String(field[..<bracket])) + field[bracket...]
    }
}

// MARK: - Untyped JSON

/// A JSON value as written, so that wrong types can be reported per field instead of failing the whole file.
private enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        // Most common first: every failed guess costs a thrown error.
        if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else if let o = try? c.decode([String: JSONValue].self) {
            self = .object(o)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else if c.decodeNil() {
            self = .null
        } else {
            self = .bool(try c.decode(Bool.self))
        }
    }

    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
