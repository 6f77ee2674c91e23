import Foundation
import Testing

/// The real CAP documents in `../shared/data/cap`, beside the repository (see SOURCES.md there).
enum CAPSamples {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    /// Symlinks resolved, so a side package that links the tests folder still finds the repository.
    static var folder: URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("../shared/data/cap").standardizedFileURL
    }

    /// The names of every `.xml` sample.
    static func names() throws -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let xml = names.filter { $0.hasSuffix(".xml") }.sorted()
        guard !xml.isEmpty else {
            throw Missing(description: "no CAP samples at \(folder.path): expected the shared/ folder beside the repository (../shared/data/cap)")
        }
        return xml
    }

    static func data(_ name: String) throws -> Data {
        let url = folder.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw Missing(description: "CAP sample \(name) not found in \(folder.path) (expected ../shared/data/cap beside the repository)")
        }
        return data
    }

    static let polygonKZ = "alert-polygon-kz-2.49.0.0.398.0-20250306-133701-0284797-00-EN.xml"
    static let circleTW = "alert-circle-tw-circle-area.xml"
    static let geocodeIE = "alert-geocode-ie-2.49.0.1.372.0.250413231648.N_Norm002_SmallCraft.xml"
    static let cancelIPAWS = "cancel-ipaws-5e6dd9de023f1930ef6548d9.xml"
    static let multilingualMO = "multilingual-mo-cap_monsoon.xml"
    static let updateAppendix = "update-v1dot2_appendix_adot3.xml"
}
