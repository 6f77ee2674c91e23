import Foundation
import Hummingbird
import Testing
import TentacleStore
@testable import TentacleServer

/// The OpenAPI document and the router must describe the same set of routes.
@Suite struct OpenAPITests {
    /// `(METHOD, /path/{param})` pairs listed under `paths:` in openapi.yaml.
    static func documentedRoutes() throws -> Set<String> {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("openapi.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        let methods: Set<String> = ["get", "put", "post", "patch", "delete", "head", "options"]
        var routes = Set<String>()
        var inPaths = false
        var currentPath: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") { inPaths = true; continue }
            if inPaths, let first = line.first, first != " " { break }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                currentPath = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path = currentPath {
                let key = line.trimmingCharacters(in: .whitespaces).split(separator: ":").first.map(String.init) ?? ""
                if methods.contains(key) { routes.insert("\(key.uppercased()) \(path)") }
            }
        }
        return routes
    }

    static func registeredRoutes() throws -> Set<String> {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-openapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteStore(path: folder.appendingPathComponent("t.sqlite").path)
        var config = ServerConfiguration()
        config.bcryptCost = 4
        let router = buildRouter(store: store, configuration: config)
        return Set(router.routes.map { route in
            let path = route.path.components.map { component -> String in
                let text = "\(component)"
                return text.hasPrefix(":") ? "{\(text.dropFirst())}" : text
            }.joined(separator: "/")
            return "\(route.method.rawValue) /\(path)"
        })
    }

    @Test func everyRegisteredRouteIsDocumented() throws {
        // `**` catch-alls only answer unknown paths in the right error form; they are not endpoints.
        let missing = try Self.registeredRoutes().filter { !$0.hasSuffix("/**") }.subtracting(Self.documentedRoutes())
        #expect(missing.isEmpty, "routes missing from openapi.yaml: \(missing.sorted())")
    }

    @Test func everyDocumentedRouteExists() throws {
        let extra = try Self.documentedRoutes().subtracting(Self.registeredRoutes())
        #expect(extra.isEmpty, "openapi.yaml names routes the server does not have: \(extra.sorted())")
    }

    @Test func parserFindsTheDocument() throws {
        #expect(try Self.documentedRoutes().count > 20)
    }
}
