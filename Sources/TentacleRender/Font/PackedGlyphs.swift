import Foundation
import Synchronization
import CZlib

/// Glyphs in the bundled packed form (written by scripts/build-fonts.py): each block of 256
/// code points is a separate zlib stream, inflated the first time text needs it, so a
/// process that shows a few CJK characters never reads the rest of Unifont.
final class PackedGlyphs: Sendable {
    private struct Chunk: Sendable {
        let offset: Int
        let compressedLength: Int
        let rawLength: Int
    }

    let ascent: Int
    let descent: Int
    private let data: Data
    /// Chunk index for each block number (code point >> 8), -1 where the font has no glyphs.
    private let chunkOfBlock: [Int32]
    private let chunks: [Chunk]
    private let loaded: Mutex<[[Glyph?]?]>

    init(data: Data) throws {
        let header = 12, entry = 16
        guard data.count >= header, data.prefix(4).elementsEqual("TFNT".utf8), data[data.startIndex + 4] == 1 else {
            throw FontError.malformed(line: 0, "not a packed font (TFNT version 1)")
        }
        let bytes = [UInt8](data.prefix(header))
        ascent = Int(Int16(bitPattern: UInt16(bytes[6]) | UInt16(bytes[7]) << 8))
        descent = Int(Int16(bitPattern: UInt16(bytes[8]) | UInt16(bytes[9]) << 8))
        guard BitmapFont.metricRange.contains(ascent), BitmapFont.metricRange.contains(descent) else {
            throw FontError.malformed(line: 0, "packed font ascent or descent outside 0...255")
        }
        let count = Int(bytes[10]) | Int(bytes[11]) << 8
        guard data.count >= header + count * entry else { throw FontError.malformed(line: 0, "packed font index is truncated") }
        let index = [UInt8](data.dropFirst(header).prefix(count * entry))
        func u32(_ at: Int) -> Int {
            Int(index[at]) | Int(index[at + 1]) << 8 | Int(index[at + 2]) << 16 | Int(index[at + 3]) << 24
        }
        var chunkOfBlock = [Int32](repeating: -1, count: 0x1100)
        var chunks: [Chunk] = []
        for i in 0..<count {
            let at = i * entry
            let block = Int(index[at]) | Int(index[at + 1]) << 8
            let chunk = Chunk(offset: u32(at + 4), compressedLength: u32(at + 8), rawLength: u32(at + 12))
            guard block < chunkOfBlock.count, chunk.offset + chunk.compressedLength <= data.count else {
                throw FontError.malformed(line: 0, "packed font block \(block) lies outside the file")
            }
            chunkOfBlock[block] = Int32(chunks.count)
            chunks.append(chunk)
        }
        self.data = data
        self.chunkOfBlock = chunkOfBlock
        self.chunks = chunks
        loaded = Mutex([[Glyph?]?](repeating: nil, count: chunks.count))
    }

    func glyph(_ value: UInt32) -> Glyph? {
        let block = Int(value >> 8)
        guard block < chunkOfBlock.count, chunkOfBlock[block] >= 0 else { return nil }
        let chunk = Int(chunkOfBlock[block])
        return loaded.withLock { loaded in glyphs(ofChunk: chunk, &loaded)[Int(value & 0xFF)] }
    }

    /// All 256 slots of a block, nil when the font has no glyphs there.
    func block(_ block: Int) -> [Glyph?]? {
        guard block < chunkOfBlock.count, chunkOfBlock[block] >= 0 else { return nil }
        let chunk = Int(chunkOfBlock[block])
        return loaded.withLock { loaded in glyphs(ofChunk: chunk, &loaded) }
    }

    private func glyphs(ofChunk chunk: Int, _ loaded: inout [[Glyph?]?]) -> [Glyph?] {
        if let glyphs = loaded[chunk] { return glyphs }
        let glyphs = decode(chunks[chunk])
        loaded[chunk] = glyphs
        return glyphs
    }

    /// A damaged chunk reads as a block without glyphs, so its text draws boxes instead of trapping.
    private func decode(_ chunk: Chunk) -> [Glyph?] {
        var glyphs = [Glyph?](repeating: nil, count: 256)
        guard chunk.rawLength >= 32, chunk.rawLength <= 1 << 24 else { return glyphs }
        var raw = [UInt8](repeating: 0, count: chunk.rawLength)
        var rawLength = uLongf(chunk.rawLength)
        let status = data.withUnsafeBytes { source in
            raw.withUnsafeMutableBufferPointer { target in
                uncompress(target.baseAddress, &rawLength,
                           source.baseAddress!.assumingMemoryBound(to: Bytef.self) + chunk.offset,
                           uLong(chunk.compressedLength))
            }
        }
        guard status == Z_OK, Int(rawLength) == chunk.rawLength else { return glyphs }
        var at = 32
        for low in 0..<256 where raw[low >> 3] & (1 << UInt8(low & 7)) != 0 {
            guard at + 5 <= raw.count else { break }
            let width = Int(raw[at]), height = Int(raw[at + 1])
            let xOffset = Int(Int8(bitPattern: raw[at + 2])), yOffset = Int(Int8(bitPattern: raw[at + 3]))
            let advance = Int(raw[at + 4])
            let step = (width + 7) / 8
            at += 5
            guard width <= Glyph.maxWidth, at + step * height <= raw.count else { break }
            let rows = (0..<height).map { row in
                Glyph.rowMask(raw[(at + row * step)..<(at + row * step + step)], width: width)
            }
            at += step * height
            glyphs[low] = Glyph(width: width, height: height, xOffset: xOffset, yOffset: yOffset, advance: advance, rows: rows)
        }
        return glyphs
    }
}
