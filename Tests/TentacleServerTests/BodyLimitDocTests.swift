import Foundation
@testable import TentacleServer
import Testing

/// The README's paragraph on body sizes names every limit the server applies, with its value.
struct BodyLimitDocTests {
    @Test func theReadmeNamesEachBodyLimitWithItsDefault() throws {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let readme = try String(contentsOf: url, encoding: .utf8)
        let start = try #require(readme.range(of: "Each kind of body has its own size limit"))
        let paragraph = String(readme[start.lowerBound...].prefix(600))
        let defaults = ServerConfiguration()
        let limits: [(String, Int)] = [
            ("JSON bodies", defaults.maxBodyBytes), ("display imports", defaults.maxImportBytes), ("readings", defaults.maxIngestBytes),
            ("image assets", defaults.maxAssetBytes), ("CAP alerts", defaults.maxAlertBytes),
        ]
        for (name, bytes) in limits {
            let named = try #require(paragraph.range(of: name), "README does not name the limit for \(name)")
            let after = paragraph[named.upperBound...]
            let mib = try #require(after.firstMatch(of: /(\d+)\s?MiB/), "no size after \(name)")
            #expect(Int(mib.1) == bytes >> 20, "\(name): README says \(mib.1) MiB, the server applies \(bytes) bytes")
        }
    }
}
