import Foundation
import Testing
@testable import TentacleRender
import InteropPeers

/// Our PNG encoder checked by a second, independent decoder: Python's Pillow.
@Suite("Pillow round trip")
struct PillowRoundTripTests {
    /// Runs Pillow on `png` and returns the decoded image's mode, size and RGB bytes in hex.
    private func pillowDecode(_ png: [UInt8]) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-pillow-\(UUID().uuidString).png")
        try Data(png).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
            import sys
            try:
                from PIL import Image
            except ImportError:
                sys.exit("Pillow is not installed: pip install pillow")
            image = Image.open(sys.argv[1])
            image.load()
            print(image.mode, image.width, image.height, image.convert("RGB").tobytes().hex())
            """
        let result: ChildProcess.Result
        do {
            result = try ChildProcess.run(["python3", "-c", script, file.path])
        } catch {
            Issue.record("python3 with Pillow could not run (\(error)); install python3 and Pillow to run this test")
            throw error
        }
        guard result.status == 0 else {
            Issue.record("python3 with Pillow failed (exit \(result.status)): \(result.stderr)")
            throw CancellationError()
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
    }

    @Test func pillowReadsARenderedFrame() throws {
        let layout = try GoldenTests.example("bus-stop-192x96")
        let frame = GoldenTests.renderer.render(layout, at: GoldenTests.newYearMorning, data: ["pm25": 37])
        #expect(try pillowDecode(PNG.encode(frame)) == "RGB 192 96 \(hex(frame.bytes))")
    }

    @Test(arguments: [(1, 1), (3, 2), (64, 32), (257, 3)])
    func pillowReadsNoisyFrames(width: Int, height: Int) throws {
        // Noise defeats compression and exercises every filter choice the encoder might make.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(width * 1000 + height)
        let bytes = (0..<(width * height * 3)).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        let frame = try #require(Frame(width: width, height: height, bytes: bytes))
        #expect(try pillowDecode(PNG.encode(frame)) == "RGB \(width) \(height) \(hex(bytes))")
    }
}
