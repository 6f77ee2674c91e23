import Foundation
import Testing
@testable import TentacleRender

/// Files checked in under Golden/: read from the test bundle, written (goldens, actual frames) to the source tree.
enum Resources {
    /// The Golden folder as copied into the test bundle.
    static var bundled: URL {
        Bundle.module.url(forResource: "Golden", withExtension: nil)!
    }

    /// The Golden folder in the source tree, where failing tests leave `<name>.actual.png` to look at.
    static var source: URL {
        testsFolder.appendingPathComponent("Golden")
    }

    /// The repository's examples/layouts folder.
    static var exampleLayouts: URL {
        testsFolder.appendingPathComponent("../../examples/layouts").standardizedFileURL
    }

    /// Symlinks resolved, so a side package that links this folder still writes into the real tree.
    private static var testsFolder: URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    static func input(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: bundled.appendingPathComponent("Inputs/\(name)")))
    }
}
