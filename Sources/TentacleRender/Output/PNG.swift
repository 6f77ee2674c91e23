import CZlib

/// PNG files of frames: 8-bit RGB, no interlacing.
public enum PNG {
    static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

    /// The frame as a complete PNG file. Each row gets the filter (None, Sub or Up) with the
    /// smallest sum of absolute byte values, the usual heuristic that keeps flat LED content small.
    public static func encode(_ frame: Frame) -> [UInt8] {
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(frame.width))
        header.appendBigEndian(UInt32(frame.height))
        header += [8, 2, 0, 0, 0]  // bit depth, truecolour, deflate, adaptive filtering, no interlace

        var png = signature
        png.appendChunk("IHDR", header)
        png.appendChunk("IDAT", deflate(filtered(frame)))
        png.appendChunk("IEND", [])
        return png
    }

    private static func filtered(_ frame: Frame) -> [UInt8] {
        let stride = frame.width * 3
        var out = [UInt8](repeating: 0, count: (stride + 1) * frame.height)
        var sub = [UInt8](repeating: 0, count: stride)
        var up = [UInt8](repeating: 0, count: stride)
        frame.bytes.withUnsafeBufferPointer { pixels in
            for y in 0..<frame.height {
                let row = pixels.baseAddress! + y * stride
                var costNone = 0, costSub = 0, costUp = 0
                for i in 0..<stride {
                    let value = row[i]
                    let left = i >= 3 ? row[i - 3] : 0
                    let above = y > 0 ? row[i - stride] : 0
                    sub[i] = value &- left
                    up[i] = value &- above
                    costNone += cost(value)
                    costSub += cost(sub[i])
                    costUp += cost(up[i])
                }
                let start = y * (stride + 1)
                if costNone <= costSub && costNone <= costUp {
                    out[start] = 0
                    out.replaceSubrange((start + 1)...(start + stride), with: UnsafeBufferPointer(start: row, count: stride))
                } else if costSub <= costUp {
                    out[start] = 1
                    out.replaceSubrange((start + 1)...(start + stride), with: sub)
                } else {
                    out[start] = 2
                    out.replaceSubrange((start + 1)...(start + stride), with: up)
                }
            }
        }
        return out
    }

    /// A filtered byte read as signed, so small steps either way cost little.
    @inline(__always)
    private static func cost(_ byte: UInt8) -> Int {
        byte < 128 ? Int(byte) : 256 - Int(byte)
    }

    private static func deflate(_ data: [UInt8]) -> [UInt8] {
        var length = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        let status = out.withUnsafeMutableBufferPointer { target in
            data.withUnsafeBufferPointer { source in
                compress2(target.baseAddress, &length, source.baseAddress, uLong(data.count), 6)
            }
        }
        // compressBound guarantees room and the input is in memory, so zlib cannot fail here.
        precondition(status == Z_OK, "zlib compress2 failed with \(status)")
        out.removeSubrange(Int(length)...)
        return out
    }
}

extension [UInt8] {
    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(value >> 24))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    /// Appends a PNG chunk: length, type, data and the CRC-32 of type and data.
    mutating func appendChunk(_ type: String, _ data: [UInt8]) {
        appendBigEndian(UInt32(data.count))
        let typed = Array(type.utf8) + data
        append(contentsOf: typed)
        let crc = typed.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        appendBigEndian(UInt32(crc))
    }
}
