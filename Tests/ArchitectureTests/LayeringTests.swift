import Foundation
import Testing

/// The module graph of DESIGN.md, checked on the `import` lines of every file under `Sources/`
/// and on the targets' dependency lists in `Package.swift`: a library that reaches for a module
/// above it, or for the benchmark, demo or simulation code, fails here.
@Suite struct LayeringTests {
    static let libraries = ["TentacleCore", "TentacleCAP", "TentacleRender", "TentacleStore", "TentacleServer", "TentacleAgent"]
    /// Linked by the CLI and the tests only.
    static let tools: Set = ["TentacleBench", "TentacleDemo", "TentacleSimulation"]
    static let system: Set = ["Foundation", "FoundationXML", "FoundationNetworking", "Synchronization", "Dispatch", "Glibc", "Darwin"]

    @Test func coreImportsNothingButTheSystem() throws {
        try expectImports(of: "TentacleCore", within: Self.system)
    }

    @Test(arguments: [("TentacleCAP", ["TentacleCore"]), ("TentacleRender", ["TentacleCore", "CZlib"])])
    func pureModulesImportOnlyTheCore(_ target: String, _ allowed: [String]) throws {
        try expectImports(of: target, within: Self.system.union(allowed))
    }

    @Test func storeImportsOnlyTheCoreAndItsDatabase() throws {
        try expectImports(of: "TentacleStore", within: Self.system.union(["TentacleCore", "GRDB", "GRDBSQLite", "Crypto", "PostgresNIO", "NIOCore", "Logging"]))
    }

    @Test func serverDoesNotImportTheAgent() throws {
        try expectImports(of: "TentacleServer", excluding: ["TentacleAgent"])
    }

    @Test func agentImportsNeitherServerNorStoreNorCAP() throws {
        try expectImports(of: "TentacleAgent", excluding: ["TentacleServer", "TentacleStore", "TentacleCAP"])
    }

    @Test(arguments: libraries)
    func noLibraryImportsTheTools(_ target: String) throws {
        try expectImports(of: target, excluding: Self.tools)
    }

    @Test(arguments: libraries)
    func noLibraryDependsOnTheTools(_ target: String) throws {
        let dependencies = try Self.packageDependencies(of: target)
        #expect(dependencies.isDisjoint(with: Self.tools), "Package.swift: \(target) depends on \(dependencies.intersection(Self.tools).sorted())")
    }

    /// Guards the checks above against passing on nothing: the scanners see what is there.
    @Test func scannersFindTheRealImportsAndDependencies() throws {
        let server = Set(try Self.imports(of: "TentacleServer").map(\.module))
        #expect(server.isSuperset(of: ["Foundation", "Hummingbird", "TentacleCore", "TentacleStore"]))
        #expect(try Self.imports(of: "TentacleAgent").contains { $0.module == "ServiceLifecycle" })
        #expect(try Self.packageDependencies(of: "TentacleServer").isSuperset(of: ["TentacleStore", "Hummingbird", "hummingbird"]))
        #expect(try Self.packageDependencies(of: "TentacleCore").isEmpty)
        #expect(try Self.packageDependencies(of: "TentacleBench").contains("TentacleDemo"))
    }

    @Test func importLinesAreRead() {
        let text = """
            import Foundation
            public import TentacleCore
            @preconcurrency internal import NIOCore
            import struct HTTPTypes.HTTPFields
            #if canImport(Glibc)
                import Glibc
            #endif
            // import Commented
            let text = \"\"\"
            import InsideAString
            \"\"\"
            """
        #expect(Self.importedModules(text) == ["Foundation", "TentacleCore", "NIOCore", "HTTPTypes", "Glibc"])
    }

    // MARK: - Checks

    private func expectImports(of target: String, within allowed: Set<String>, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for found in try Self.imports(of: target) where !allowed.contains(found.module) {
            Issue.record("\(found.file) imports \(found.module); \(target) may import only \(allowed.sorted())", sourceLocation: sourceLocation)
        }
    }

    private func expectImports(of target: String, excluding forbidden: Set<String>, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for found in try Self.imports(of: target) where forbidden.contains(found.module) {
            Issue.record("\(found.file) imports \(found.module), which \(target) must not", sourceLocation: sourceLocation)
        }
    }

    // MARK: - Reading the package

    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    /// The package root: this file is Tests/ArchitectureTests/LayeringTests.swift in it.
    static var root: URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Every module imported by a Swift file under Sources/`target`, with the file's path.
    static func imports(of target: String) throws -> [(file: String, module: String)] {
        let folder = root.appendingPathComponent("Sources/\(target)")
        guard let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?
            .compactMap({ $0 as? URL }).filter({ $0.pathExtension == "swift" }), !files.isEmpty
        else { throw Missing(description: "no Swift files under \(folder.path)") }
        return try files.flatMap { file in
            let path = String(file.path.dropFirst(root.path.count + 1))
            return importedModules(try String(contentsOf: file, encoding: .utf8)).map { (path, $0) }
        }
    }

    /// The modules named by the `import` declarations of Swift source `text`, in order; lines
    /// inside multi-line string literals are skipped.
    static func importedModules(_ text: String) -> [String] {
        let modifiers: Set = ["public", "package", "internal", "private", "fileprivate"]
        let kinds: Set = ["struct", "class", "enum", "protocol", "typealias", "func", "var", "let"]
        var modules: [String] = []
        var inString = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.components(separatedBy: "\"\"\"").count % 2 == 0 {
                inString.toggle()
                continue
            }
            guard !inString else { continue }
            var words = line.split(whereSeparator: \.isWhitespace)[...]
            while let first = words.first, first.hasPrefix("@") || modifiers.contains(String(first)) { words = words.dropFirst() }
            guard words.first == "import", words.count >= 2 else { continue }
            words = words.dropFirst()
            if kinds.contains(String(words.first!)) { words = words.dropFirst() }
            if let name = words.first?.split(separator: ".").first { modules.append(String(name)) }
        }
        return modules
    }

    /// The quoted names in `target`'s dependency list in Package.swift: targets, products and packages.
    static func packageDependencies(of target: String) throws -> Set<String> {
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let pattern = try Regex(#"\.(?:target|executableTarget)\(\s*name:\s*"\#(target)""#)
        guard let start = manifest.firstMatch(of: pattern) else { throw Missing(description: "no target \(target) in Package.swift") }
        let declaration = balanced(manifest[start.range.lowerBound...], open: "(", close: ")")
        guard let list = declaration.range(of: "dependencies:") else { return [] }
        let dependencies = balanced(declaration[list.upperBound...], open: "[", close: "]")
        return Set(dependencies.matches(of: #/"([^"]+)"/#).map { String($0.output.1) })
    }

    /// `text` from its first `open` to the `close` that balances it, brackets inside strings ignored.
    private static func balanced(_ text: Substring, open: Character, close: Character) -> Substring {
        guard let first = text.firstIndex(of: open) else { return "" }
        var depth = 0
        var inString = false
        for i in text[first...].indices {
            switch text[i] {
            case "\"": inString.toggle()
            case open where !inString: depth += 1
            case close where !inString:
                depth -= 1
                if depth == 0 { return text[first...i] }
            default: break
            }
        }
        return text[first...]
    }
}
