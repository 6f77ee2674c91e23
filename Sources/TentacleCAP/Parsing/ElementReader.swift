import Foundation

/// The children of one CAP element, checked against what CAP allows there, read in any order.
struct ElementReader {
    let path: String
    private var once: [String: ElementNode] = [:]
    private var many: [String: [ElementNode]] = [:]

    init(_ node: ElementNode, path: String, allowed: Set<String>) throws(CAPError) {
        self.path = path
        for child in node.children {
            guard allowed.contains(child.name) else {
                throw CAPError(.unknownElement, "\(path).\(child.name)", "is not a CAP 1.2 element inside <\(node.name)>")
            }
            if CAPSchema.repeatable.contains(child.name) {
                many[child.name, default: []].append(child)
            } else if once[child.name] != nil {
                throw CAPError(.duplicateElement, "\(path).\(child.name)", "appears more than once; CAP allows it once")
            } else {
                once[child.name] = child
            }
        }
    }

    /// The trimmed text of an element CAP allows once; nil when absent or empty.
    func optional(_ name: String) throws(CAPError) -> String? {
        guard let node = once[name] else { return nil }
        let text = try Self.text(node, path: "\(path).\(name)")
        return text.isEmpty ? nil : text
    }

    /// The trimmed text of a required element, which may be empty unless `nonEmpty`.
    func required(_ name: String, nonEmpty: Bool = false) throws(CAPError) -> String {
        guard let node = once[name] else { throw CAPError(.missingElement, "\(path).\(name)", "is required but missing") }
        let text = try Self.text(node, path: "\(path).\(name)")
        if nonEmpty, text.isEmpty { throw CAPError(.invalidValue, "\(path).\(name)", "must not be empty") }
        return text
    }

    /// Every occurrence of a repeatable element, with its path.
    func all(_ name: String) -> [(node: ElementNode, path: String)] {
        (many[name] ?? []).enumerated().map { ($1, "\(path).\(name)[\($0)]") }
    }

    /// The trimmed texts of a repeatable element, with their paths.
    func texts(_ name: String) throws(CAPError) -> [(text: String, path: String)] {
        try all(name).map { (item) throws(CAPError) in (try Self.text(item.node, path: item.path), item.path) }
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ name: String, as: E.Type) throws(CAPError) -> E where E.RawValue == String {
        try Self.enumeration(try required(name), path: "\(path).\(name)", as: E.self)
    }

    func time(_ name: String) throws(CAPError) -> Date? {
        guard let text = try optional(name) else { return nil }
        return try Self.time(text, path: "\(path).\(name)")
    }

    func number(_ name: String) throws(CAPError) -> Double? {
        guard let text = try optional(name) else { return nil }
        guard let value = Double(text), value.isFinite else {
            throw CAPError(.invalidValue, "\(path).\(name)", "'\(text.prefix(40))' is not a number")
        }
        return value
    }

    static func text(_ node: ElementNode, path: String) throws(CAPError) -> String {
        guard node.children.isEmpty else {
            throw CAPError(.unknownElement, "\(path).\(node.children[0].name)", "<\(node.name)> holds text, not elements")
        }
        return node.text.trimmingXMLSpace
    }

    static func enumeration<E: RawRepresentable & CaseIterable>(_ text: String, path: String, as: E.Type) throws(CAPError) -> E where E.RawValue == String {
        guard let value = E(rawValue: text) else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw CAPError(.invalidValue, path, "'\(text.prefix(40))' is not one of \(allowed)")
        }
        return value
    }

    static func time(_ text: String, path: String) throws(CAPError) -> Date {
        guard let date = CAPTime.parse(text) else {
            throw CAPError(.invalidValue, path, "'\(text.prefix(40))' is not a CAP time like 2003-06-11T20:30:00-07:00")
        }
        return date
    }
}
