import Foundation

/// A part of the city; users can be scoped to districts.
public struct District: Codable, Hashable, Sendable {
    public var code: String
    public var name: String
    public var boundary: GeoGeometry?

    public init(code: String, name: String, boundary: GeoGeometry? = nil) {
        self.code = code
        self.name = name
        self.boundary = boundary
    }

    public static let fieldNames: Set<String> = ["code", "name", "boundary"]

    /// Every issue with the district's fields.
    public func issues() -> [FieldIssue] {
        var c = IssueCollector()
        if !Identifier.isValid(code, maxLength: 32) {
            c.add("code", "'\(code.prefix(80))' is not a valid district code: use 1-32 lowercase letters, digits, '-' or '_', starting with a letter or digit")
        }
        checkName(name, into: &c)
        if let boundary { c.merge(boundary.issues(field: "boundary")) }
        return c.issues
    }
}

/// A named set of displays (bus stops, light poles, ...); displays list their groups.
public struct DisplayGroup: Codable, Hashable, Sendable {
    public var code: String
    public var name: String
    public var description: String

    public init(code: String, name: String, description: String = "") {
        self.code = code
        self.name = name
        self.description = description
    }

    public static let fieldNames: Set<String> = ["code", "name", "description"]

    // The description is optional in requests, as in `init`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(String.self, forKey: .code)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
    }

    public func issues() -> [FieldIssue] {
        var c = IssueCollector()
        if !Identifier.isValid(code) {
            c.add("code", "'\(code.prefix(80))' is not a valid group code: \(Identifier.rule)")
        }
        checkName(name, into: &c)
        if description.count > 500 { c.add("description", "at most 500 characters allowed") }
        return c.issues
    }
}

private func checkName(_ name: String, into c: inout IssueCollector) {
    if name.trimmingCharacters(in: .whitespaces).isEmpty {
        c.add("name", "must not be empty")
    } else if name.count > 120 {
        c.add("name", "at most 120 characters allowed")
    }
}
