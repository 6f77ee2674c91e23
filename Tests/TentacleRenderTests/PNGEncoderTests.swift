import CZlib
import Testing
@testable import TentacleRender

private struct Chunk {
    let type: String
    let data: [UInt8]
    let storedCRC: UInt32
}

private func uint32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
    bytes[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) }
}

private func chunks(_ png: [UInt8]) throws -> [Chunk] {
    var found: [Chunk] = []
    var at = 8
    while at < png.count {
        let length = Int(uint32(png, at))
        try #require(at + 12 + length <= png.count)
        let type = String(decoding: png[(at + 4)..<(at + 8)], as: UTF8.self)
        found.append(Chunk(type: type, data: Array(png[(at + 8)..<(at + 8 + length)]), storedCRC: uint32(png, at + 8 + length)))
        at += 12 + length
    }
    return found
}

private func inflate(_ data: [UInt8], expected: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: expected)
    var length = uLongf(expected)
    let status = uncompress(&out, &length, data, uLong(data.count))
    return status == Z_OK ? Array(out.prefix(Int(length))) : []
}

/// Undoes the PNG filters the encoder uses (None, Sub, Up) to get the RGB bytes back.
private func unfilter(_ raw: [UInt8], width: Int, height: Int) throws -> [UInt8] {
    let stride = width * 3
    var out = [UInt8](repeating: 0, count: stride * height)
    for y in 0..<height {
        let filter = raw[y * (stride + 1)]
        try #require([0, 1, 2].contains(filter))
        for i in 0..<stride {
            let value = raw[y * (stride + 1) + 1 + i]
            let left = i >= 3 ? out[y * stride + i - 3] : 0
            let above = y > 0 ? out[(y - 1) * stride + i] : 0
            out[y * stride + i] = switch filter {
            case 1: value &+ left
            case 2: value &+ above
            default: value
            }
        }
    }
    return out
}

private func sampleFrame(width: Int, height: Int) -> Frame {
    var frame = Frame(width: width, height: height)
    for y in 0..<height {
        for x in 0..<width {
            frame.setPixel(x: x, y: y, RGB(UInt8(x * 7 & 0xFF), UInt8(y * 13 & 0xFF), UInt8((x ^ y) & 0xFF)))
        }
    }
    TextRenderer().draw("前方施工 Road works", in: frame.bounds, style: TextStyle(color: .amber), on: &frame)
    return frame
}

@Suite struct PNGEncoderTests {
    @Test(arguments: [(1, 1), (192, 96), (7, 3), (64, 32)])
    func chunksAreValidAndPixelsRoundTrip(width: Int, height: Int) throws {
        let frame = sampleFrame(width: width, height: height)
        let png = PNG.encode(frame)
        #expect(Array(png.prefix(8)) == [137, 80, 78, 71, 13, 10, 26, 10])
        let found = try chunks(png)
        #expect(found.map(\.type) == ["IHDR", "IDAT", "IEND"])
        for chunk in found {
            let crc = (Array(chunk.type.utf8) + chunk.data).withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
            #expect(UInt32(crc) == chunk.storedCRC, "\(chunk.type)")
        }
        let header = found[0].data
        #expect(uint32(header, 0) == UInt32(width) && uint32(header, 4) == UInt32(height))
        #expect(Array(header[8...]) == [8, 2, 0, 0, 0])
        #expect(found[2].data.isEmpty)
        let raw = inflate(found[1].data, expected: (width * 3 + 1) * height)
        #expect(raw.count == (width * 3 + 1) * height)
        #expect(try unfilter(raw, width: width, height: height) == frame.bytes)
    }

    @Test func flatFramesCompressWell() {
        let png = PNG.encode(Frame(width: 384, height: 192, background: .amber))
        #expect(png.count < 2_000)
    }

    @Test func decoderReadsWhatTheEncoderWrites() throws {
        let frame = sampleFrame(width: 50, height: 20)
        #expect(try PNG.decode(PNG.encode(frame)) == frame)
    }
}
