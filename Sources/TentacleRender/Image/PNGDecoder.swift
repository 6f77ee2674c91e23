internal import CZlib

/// Why a PNG could not be decoded; compare with the static members, read `description` for details.
public struct PNGDecodingError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case notPNG
        case truncated
        case badChecksum
        case badHeader
        case unsupported
        case tooLarge
        case badImageData
    }

    private let code: Code
    public let description: String

    private init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    public static let notPNG = PNGDecodingError(.notPNG, "not a PNG file (bad signature)")
    public static let truncated = PNGDecodingError(.truncated, "the file ends before its IEND chunk")
    public static let badChecksum = PNGDecodingError(.badChecksum, "a chunk's CRC does not match")
    public static let badHeader = PNGDecodingError(.badHeader, "the IHDR chunk is invalid")
    public static let unsupported = PNGDecodingError(.unsupported, "the PNG uses a feature Tentacle does not decode")
    public static let tooLarge = PNGDecodingError(.tooLarge, "the image is larger than a frame can be")
    public static let badImageData = PNGDecodingError(.badImageData, "the compressed image data is invalid")

    fileprivate static func notPNG(_ detail: String) -> Self { .init(.notPNG, detail) }
    fileprivate static func truncated(_ detail: String) -> Self { .init(.truncated, detail) }
    fileprivate static func badChecksum(_ detail: String) -> Self { .init(.badChecksum, detail) }
    fileprivate static func badHeader(_ detail: String) -> Self { .init(.badHeader, detail) }
    fileprivate static func unsupported(_ detail: String) -> Self { .init(.unsupported, detail) }
    fileprivate static func tooLarge(_ detail: String) -> Self { .init(.tooLarge, detail) }
    fileprivate static func badImageData(_ detail: String) -> Self { .init(.badImageData, detail) }

    // Equal when the kind matches, so `#expect(throws: PNGDecodingError.badChecksum)` ignores the detail text.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

extension PNG {
    /// Decodes a non-interlaced PNG of any colour type and bit depth, compositing alpha over `background`.
    ///
    /// Images larger than `Frame.maxWidth` × `Frame.maxHeight` are rejected before anything is
    /// inflated, and inflation stops at the exact size the header promises, so a small file
    /// cannot expand into a huge allocation.
    public static func decode(_ bytes: [UInt8], background: RGB = .black) throws(PNGDecodingError) -> Frame {
        let parsed = try PNGChunks.parse(bytes)
        let header = parsed.header
        let stride = header.rowBytes
        let raw = try inflate(parsed.imageData, expected: header.height * (stride + 1))
        let pixels = try unfilter(raw, header: header)
        var out = [UInt8](repeating: 0, count: header.width * header.height * 3)
        PNGPixels(header: header, palette: parsed.palette, transparency: parsed.transparency, background: background)
            .convert(pixels, into: &out)
        guard let frame = Frame(width: header.width, height: header.height, bytes: out) else {
            throw .tooLarge("\(header.width)×\(header.height) does not fit a frame")
        }
        return frame
    }

    private static func inflate(_ input: [UInt8], expected: Int) throws(PNGDecodingError) -> [UInt8] {
        // One spare byte tells "exactly as promised" apart from "more than promised" (a bomb or a lie).
        var output = [UInt8](repeating: 0, count: expected + 1)
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .badImageData("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var input = input
        let status: Int32 = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = inBuf.baseAddress
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                var status = Z_OK
                while status == Z_OK, stream.avail_out > 0 {
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    if status == Z_BUF_ERROR { break }
                }
                return status
            }
        }
        let produced = Int(stream.total_out)
        if produced > expected {
            throw .badImageData("the image data inflates to more than the \(expected) bytes its header promises")
        }
        switch status {
        case Z_STREAM_END, Z_OK, Z_BUF_ERROR:
            guard produced == expected else {
                throw .truncated("the image data inflates to \(produced) of \(expected) bytes")
            }
        default:
            throw .badImageData("zlib error \(status) in the image data")
        }
        output.removeLast()
        return output
    }

    /// Reverses the per-row filters in place, dropping each row's filter byte.
    private static func unfilter(_ raw: [UInt8], header: PNGHeader) throws(PNGDecodingError) -> [UInt8] {
        let stride = header.rowBytes
        let bpp = max(1, header.bitsPerPixel / 8)
        var out = [UInt8](repeating: 0, count: header.height * stride)
        var badFilter: UInt8?
        raw.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<header.height {
                    let filter = src[y * (stride + 1)]
                    let s = y * (stride + 1) + 1
                    let d = y * stride
                    let p = d - stride
                    for i in 0..<stride {
                        let x = src[s + i]
                        let a: UInt8 = i >= bpp ? dst[d + i - bpp] : 0
                        let b: UInt8 = y > 0 ? dst[p + i] : 0
                        let c: UInt8 = (y > 0 && i >= bpp) ? dst[p + i - bpp] : 0
                        switch filter {
                        case 0: dst[d + i] = x
                        case 1: dst[d + i] = x &+ a
                        case 2: dst[d + i] = x &+ b
                        case 3: dst[d + i] = x &+ UInt8((Int(a) + Int(b)) / 2)
                        case 4: dst[d + i] = x &+ paeth(a, b, c)
                        default:
                            badFilter = filter
                            return
                        }
                    }
                }
            }
        }
        if let badFilter { throw .badImageData("unknown row filter \(badFilter)") }
        return out
    }

    @inline(__always)
    private static func paeth(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        let p = Int(a) + Int(b) - Int(c)
        let pa = abs(p - Int(a)), pb = abs(p - Int(b)), pc = abs(p - Int(c))
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }
}

/// The fields of IHDR that decoding needs, validated.
struct PNGHeader {
    enum ColorType: UInt8 {
        case grey = 0
        case rgb = 2
        case palette = 3
        case greyAlpha = 4
        case rgba = 6

        var channels: Int {
            switch self {
            case .grey, .palette: 1
            case .greyAlpha: 2
            case .rgb: 3
            case .rgba: 4
            }
        }

        var allowedDepths: Set<Int> {
            switch self {
            case .grey: [1, 2, 4, 8, 16]
            case .palette: [1, 2, 4, 8]
            case .rgb, .greyAlpha, .rgba: [8, 16]
            }
        }
    }

    let width: Int
    let height: Int
    let bitDepth: Int
    let colorType: ColorType

    var bitsPerPixel: Int { bitDepth * colorType.channels }
    var rowBytes: Int { (width * bitsPerPixel + 7) / 8 }

    init(_ data: ArraySlice<UInt8>) throws(PNGDecodingError) {
        guard data.count == 13 else { throw .badHeader("IHDR is \(data.count) bytes, not 13") }
        let d = Array(data)
        width = Int(PNGChunks.uint32(d, 0))
        height = Int(PNGChunks.uint32(d, 4))
        bitDepth = Int(d[8])
        guard width > 0, height > 0 else { throw .badHeader("image size \(width)×\(height) is empty") }
        guard width <= Frame.maxWidth, height <= Frame.maxHeight else {
            throw .tooLarge("image size \(width)×\(height) exceeds \(Frame.maxWidth)×\(Frame.maxHeight)")
        }
        guard let colorType = ColorType(rawValue: d[9]) else { throw .badHeader("unknown colour type \(d[9])") }
        self.colorType = colorType
        guard colorType.allowedDepths.contains(bitDepth) else {
            throw .badHeader("bit depth \(bitDepth) is not allowed for colour type \(colorType.rawValue)")
        }
        guard d[10] == 0 else { throw .badHeader("unknown compression method \(d[10])") }
        guard d[11] == 0 else { throw .badHeader("unknown filter method \(d[11])") }
        switch d[12] {
        case 0: break
        case 1: throw .unsupported("Adam7 interlaced PNGs are not supported; save the image without interlacing")
        default: throw .badHeader("unknown interlace method \(d[12])")
        }
    }
}

/// The chunk walk: signature, CRCs, and the chunks decoding needs.
struct PNGChunks {
    let header: PNGHeader
    let palette: [RGB]
    let transparency: [UInt8]
    let imageData: [UInt8]

    static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

    static func uint32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }

    static func parse(_ bytes: [UInt8]) throws(PNGDecodingError) -> PNGChunks {
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else { throw .notPNG }
        var offset = 8
        var header: PNGHeader?
        var palette: [RGB] = []
        var transparency: [UInt8] = []
        var imageData: [UInt8] = []
        while true {
            guard offset + 8 <= bytes.count else { throw .truncated("the file ends inside a chunk header at byte \(offset)") }
            let length = Int(uint32(bytes, offset))
            let typeBytes = bytes[(offset + 4)..<(offset + 8)]
            let type = String(decoding: typeBytes, as: UTF8.self)
            guard length <= Int(Int32.max), offset + 12 + length <= bytes.count else {
                throw .truncated("chunk \(type) claims \(length) bytes but the file ends first")
            }
            let data = bytes[(offset + 8)..<(offset + 8 + length)]
            let stored = uint32(bytes, offset + 8 + length)
            let computed = bytes.withUnsafeBufferPointer { p in
                UInt32(crc32(0, p.baseAddress! + offset + 4, uInt(length + 4)))
            }
            guard stored == computed else { throw .badChecksum("chunk \(type) at byte \(offset) has a bad CRC") }
            offset += 12 + length

            if header == nil && type != "IHDR" { throw .badHeader("the first chunk is \(type), not IHDR") }
            switch type {
            case "IHDR":
                guard header == nil else { throw .badHeader("more than one IHDR chunk") }
                header = try PNGHeader(data)
            case "PLTE":
                guard length % 3 == 0, length > 0, length <= 768 else {
                    throw .badImageData("PLTE has \(length) bytes, not a multiple of 3 up to 768")
                }
                palette = stride(from: data.startIndex, to: data.endIndex, by: 3).map { RGB(bytes[$0], bytes[$0 + 1], bytes[$0 + 2]) }
            case "tRNS":
                transparency = Array(data)
            case "IDAT":
                imageData.append(contentsOf: data)
            case "IEND":
                guard let header else { throw .badHeader("no IHDR chunk") }
                if header.colorType == .palette && palette.isEmpty {
                    throw .badImageData("a palette image has no PLTE chunk")
                }
                guard !imageData.isEmpty else { throw .badImageData("no IDAT chunk") }
                return PNGChunks(header: header, palette: palette, transparency: transparency, imageData: imageData)
            default:
                // Bit 5 of the first type byte clear marks a critical chunk a decoder must understand.
                if let first = typeBytes.first, first & 0x20 == 0 {
                    throw .unsupported("unknown critical chunk \(type)")
                }
            }
        }
    }
}

/// Turns unfiltered scanlines into RGB888, compositing any alpha over the background.
struct PNGPixels {
    let header: PNGHeader
    let palette: [RGB]
    let transparency: [UInt8]
    let background: RGB

    func convert(_ pixels: [UInt8], into out: inout [UInt8]) {
        let width = header.width, stride = header.rowBytes, depth = header.bitDepth
        let maxSample = (1 << depth) - 1
        let paletteRGBA = paletteEntries()
        let transparentKey = transparentSample()
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<header.height {
                    let row = y * stride
                    for x in 0..<width {
                        let color: RGB
                        let alpha: Int
                        switch header.colorType {
                        case .grey:
                            let v = sample(src, row, x, depth)
                            // Low depths stretch to 0...255; 16 bits keep the high byte.
                            let g = UInt8(depth == 16 ? v >> 8 : v * 255 / maxSample)
                            color = RGB(g, g, g)
                            alpha = v == transparentKey?.0 ? 0 : 255
                        case .palette:
                            let entry = paletteRGBA[sample(src, row, x, depth)]
                            color = entry.color
                            alpha = entry.alpha
                        case .greyAlpha:
                            let g = UInt8(sample(src, row, 2 * x, depth) >> (depth - 8))
                            color = RGB(g, g, g)
                            alpha = sample(src, row, 2 * x + 1, depth) >> (depth - 8)
                        case .rgb:
                            let r = sample(src, row, 3 * x, depth)
                            let g = sample(src, row, 3 * x + 1, depth)
                            let b = sample(src, row, 3 * x + 2, depth)
                            color = RGB(UInt8(r >> (depth - 8)), UInt8(g >> (depth - 8)), UInt8(b >> (depth - 8)))
                            if let key = transparentKey, key == (r, g, b) { alpha = 0 } else { alpha = 255 }
                        case .rgba:
                            color = RGB(
                                UInt8(sample(src, row, 4 * x, depth) >> (depth - 8)),
                                UInt8(sample(src, row, 4 * x + 1, depth) >> (depth - 8)),
                                UInt8(sample(src, row, 4 * x + 2, depth) >> (depth - 8)))
                            alpha = sample(src, row, 4 * x + 3, depth) >> (depth - 8)
                        }
                        let o = (y * width + x) * 3
                        dst[o] = blend(color.r, background.r, alpha)
                        dst[o + 1] = blend(color.g, background.g, alpha)
                        dst[o + 2] = blend(color.b, background.b, alpha)
                    }
                }
            }
        }
    }

    /// The `index`-th sample of a row: packed big-endian for depths below 8, two bytes for 16.
    @inline(__always)
    private func sample(_ src: UnsafeBufferPointer<UInt8>, _ row: Int, _ index: Int, _ depth: Int) -> Int {
        switch depth {
        case 8: return Int(src[row + index])
        case 16: return Int(src[row + 2 * index]) << 8 | Int(src[row + 2 * index + 1])
        default:
            let bit = index * depth
            let byte = Int(src[row + bit / 8])
            return (byte >> (8 - depth - bit % 8)) & ((1 << depth) - 1)
        }
    }

    @inline(__always)
    private func blend(_ c: UInt8, _ bg: UInt8, _ alpha: Int) -> UInt8 {
        if alpha == 255 { return c }
        return UInt8((Int(c) * alpha + Int(bg) * (255 - alpha) + 127) / 255)
    }

    /// All 256 indices resolve, so a corrupt index shows black instead of trapping.
    private func paletteEntries() -> [(color: RGB, alpha: Int)] {
        (0..<256).map { i in
            (i < palette.count ? palette[i] : .black, i < transparency.count ? Int(transparency[i]) : 255)
        }
    }

    /// The single fully transparent sample value (grey) or triple (RGB) that tRNS names, at full bit depth.
    private func transparentSample() -> (Int, Int, Int)? {
        let t = transparency
        switch header.colorType {
        case .grey where t.count >= 2:
            let v = Int(t[0]) << 8 | Int(t[1])
            return (v, v, v)
        case .rgb where t.count >= 6:
            return (Int(t[0]) << 8 | Int(t[1]), Int(t[2]) << 8 | Int(t[3]), Int(t[4]) << 8 | Int(t[5]))
        default:
            return nil
        }
    }
}
