import Foundation
import Testing
@testable import TentacleAgent
@testable import TentacleRender

@Suite struct PNGSinkTests {
    /// A fresh folder under the system's temporary directory, removed after `body`.
    private func withFolder(_ body: (URL) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "tentacle-png-sink-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(folder)
    }

    private func files(in folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    @Test func writesEveryNthFrameThatDecodesToTheFrame() throws {
        try withFolder { folder in
            let sink = try PNGSink(folder: folder.appending(path: "nested/frames"), every: 3)
            #expect(sink.latestFile == nil)
            let frames = (0..<7).map { TestFrames.pattern(width: 12, height: 5, seed: $0) }
            for frame in frames { try sink.send(frame) }
            let written = folder.appending(path: "nested/frames")
            #expect(try files(in: written) == ["frame-00000000.png", "frame-00000003.png", "frame-00000006.png"])
            for number in [0, 3, 6] {
                let bytes = try [UInt8](Data(contentsOf: written.appending(path: PNGSink.fileName(frame: number))))
                #expect(try PNG.decode(bytes) == frames[number], "frame \(number)")
            }
            #expect(sink.latestFile?.lastPathComponent == "frame-00000006.png")
            sink.close()
            try sink.send(frames[0])
            #expect(try files(in: written).count == 3, "a closed sink still wrote")
        }
    }

    @Test func keepsOnlyTheNewestFilesWhenAsked() throws {
        try withFolder { folder in
            let sink = try PNGSink(folder: folder, every: 1, keep: 2)
            for seed in 0..<5 { try sink.send(TestFrames.pattern(width: 3, height: 3, seed: seed)) }
            #expect(try files(in: folder) == ["frame-00000003.png", "frame-00000004.png"])
        }
    }

    @Test func fileNamesSortInFrameOrder() {
        #expect(PNGSink.fileName(frame: 0) == "frame-00000000.png")
        #expect(PNGSink.fileName(frame: 1234) == "frame-00001234.png")
        #expect(PNGSink.fileName(frame: 123_456_789) == "frame-123456789.png")
    }

    @Test func aFolderThatCannotBeMadeIsAnError() throws {
        try withFolder { folder in
            try Data().write(to: folder)
            #expect(throws: (any Error).self) { try PNGSink(folder: folder.appending(path: "frames")) }
        }
    }
}
