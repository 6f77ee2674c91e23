import Foundation
import Testing
@testable import TentacleRender

@Suite("PNG decoder")
struct PNGDecoderTests {
    /// Every colour type and bit depth, written by Pillow or assembled by hand (make_inputs.py).
    static let valid = [
        "rgb8", "rgba8", "grey1", "grey2", "grey4", "grey8", "grey16", "greyalpha8",
        "palette1", "palette4", "palette8_trns", "grey8_trns", "rgb8_trns", "rgb16", "rgba16", "filters",
    ]

    @Test("decodes to the RGBA Pillow reads, composited over the background", arguments: valid, [RGB.black, RGB(10, 200, 30)])
    func decodes(name: String, background: RGB) throws {
        let frame = try PNG.decode(try Resources.input("\(name).png"), background: background)
        let rgba = try Resources.input("\(name).rgba")
        #expect(frame.width * frame.height * 4 == rgba.count)
        var expected: [UInt8] = []
        for i in stride(from: 0, to: rgba.count, by: 4) {
            let a = Int(rgba[i + 3])
            for (c, bg) in zip(rgba[i..<i + 3], [background.r, background.g, background.b]) {
                expected.append(UInt8((Int(c) * a + Int(bg) * (255 - a) + 127) / 255))
            }
        }
        #expect(frame.bytes == expected, "\(name) over \(background)")
    }

    @Test func decodesOurOwnEncoding() throws {
        var frame = Frame(width: 33, height: 17)
        for y in 0..<17 { for x in 0..<33 { frame.setPixel(x: x, y: y, RGB(UInt8(x * 7), UInt8(y * 15), UInt8(x ^ y))) } }
        #expect(try PNG.decode(PNG.encode(frame)) == frame)
    }

    @Test func rejectsInterlacedImagesByName() throws {
        let error = try #require(try decodingError("interlaced.png"))
        #expect(error == .unsupported)
        #expect(error.description.contains("interlaced"))
    }

    @Test func rejectsHugeDimensionsBeforeInflating() throws {
        #expect(throws: PNGDecodingError.tooLarge) { try PNG.decode(try Resources.input("huge.png")) }
    }

    @Test func stopsADecompressionBomb() throws {
        // 48 KB that inflate to 50 MB for a 1000×1000 grey image (1 MB of scanlines).
        #expect(throws: PNGDecodingError.badImageData) { try PNG.decode(try Resources.input("bomb.png")) }
    }

    @Test func rejectsAnUnknownRowFilter() throws {
        #expect(throws: PNGDecodingError.badImageData) { try PNG.decode(try Resources.input("badfilter.png")) }
    }

    @Test func rejectsTooLittleImageData() throws {
        #expect(throws: PNGDecodingError.truncated) { try PNG.decode(try Resources.input("shortdata.png")) }
    }

    @Test func rejectsABadCRC() throws {
        var bytes = try Resources.input("rgb8.png")
        bytes[29] ^= 0xFF  // last byte of IHDR's CRC
        #expect(throws: PNGDecodingError.badChecksum) { try PNG.decode(bytes) }
        var data = try Resources.input("rgb8.png")
        data[45] ^= 0x01  // inside IDAT's data
        #expect(throws: PNGDecodingError.badChecksum) { try PNG.decode(data) }
    }

    @Test func rejectsNonPNGs() {
        #expect(throws: PNGDecodingError.notPNG) { try PNG.decode([]) }
        #expect(throws: PNGDecodingError.notPNG) { try PNG.decode(Array("GIF89a, not a PNG".utf8)) }
    }

    @Test func rejectsEveryTruncationWithoutCrashing() throws {
        let bytes = try Resources.input("palette8_trns.png")
        for count in 0..<bytes.count {
            #expect(throws: PNGDecodingError.self) { try PNG.decode(Array(bytes.prefix(count))) }
        }
    }

    @Test func survivesEveryFlippedByte() throws {
        // Any single-byte corruption either fails cleanly or (in bytes no check covers) still yields a frame.
        let bytes = try Resources.input("rgba16.png")
        for i in bytes.indices {
            var copy = bytes
            copy[i] ^= 0x5A
            _ = try? PNG.decode(copy)
        }
    }

    @Test func errorsNameWhatIsWrong() throws {
        let errors: [(String, String)] = [("huge.png", "20000×20000"), ("bomb.png", "more than"), ("badfilter.png", "filter 7")]
        for (file, phrase) in errors {
            let error = try #require(try decodingError(file), "\(file) decoded")
            #expect(error.description.contains(phrase), "\(file): \(error)")
        }
    }

    private func decodingError(_ file: String) throws -> PNGDecodingError? {
        let bytes = try Resources.input(file)
        do {
            _ = try PNG.decode(bytes)
            return nil
        } catch {
            return error
        }
    }
}
