/// Checks on the raw bytes before any XML parser sees them.
///
/// Rejecting every DOCTYPE and ENTITY declaration outright means no DTD is ever read: no external
/// entity can be fetched and no entity can expand. The byte scan is only sound when the markup is
/// ASCII-compatible, so UTF-16, UTF-32, EBCDIC and UTF-7 documents are refused before it.
enum DocumentScreen {
    /// Encodings whose markup bytes are plain ASCII, so the scan sees every declaration.
    static let acceptedEncodings: Set<String> = ["utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin1"]

    static func check(_ bytes: UnsafeRawBufferPointer, limits: CAPLimits) throws(CAPError) {
        guard bytes.count <= limits.maxBytes else {
            throw CAPError(.tooLarge, "document", "is \(bytes.count) bytes; at most \(limits.maxBytes) are accepted")
        }
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        while start < bytes.count, bytes[start].isXMLSpace { start += 1 }
        guard start < bytes.count else { throw CAPError(.malformed, "document", "is empty") }
        guard bytes[start] == UInt8(ascii: "<"), !bytes.contains(0) else {
            throw CAPError(.unsupportedEncoding, "document", "must be UTF-8 and start with '<' (UTF-16, UTF-32 and other encodings are not accepted)")
        }
        let declared = declaredEncoding(bytes, from: start)
        let encoding = declared?.lowercased()
        if let declared, let encoding, !acceptedEncodings.contains(encoding) {
            throw CAPError(.unsupportedEncoding, "document", "declares encoding '\(declared.prefix(40))'; send UTF-8")
        }
        // Foundation's XML parser traps on an attribute that is not valid UTF-8, so a document read
        // as UTF-8 must be valid UTF-8 throughout before it gets there.
        if encoding != "iso-8859-1" && encoding != "latin1", let offset = firstInvalidUTF8(bytes) {
            throw CAPError(.unsupportedEncoding, "document", "is not valid UTF-8 (at byte \(offset))")
        }
        if let (offset, name) = firstDeclaration(bytes) {
            throw CAPError(
                .forbiddenDeclaration, "document",
                "has a \(name) declaration at byte \(offset); DTDs and entity declarations are not accepted in CAP alerts"
            )
        }
    }

    /// Where the bytes stop being valid UTF-8, or nil when they are valid throughout.
    private static func firstInvalidUTF8(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int, minimum: UInt32
            switch b {
            case 0xC2...0xDF: (length, minimum) = (2, 0x80)
            case 0xE0...0xEF: (length, minimum) = (3, 0x800)
            case 0xF0...0xF4: (length, minimum) = (4, 0x10000)
            default: return i
            }
            guard i + length <= n else { return i }
            var scalar = UInt32(b) & (0xFF >> (length + 1))
            for k in 1..<length {
                let c = bytes[i + k]
                guard c & 0xC0 == 0x80 else { return i }
                scalar = scalar << 6 | UInt32(c & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return i }
            i += length
        }
        return nil
    }

    /// The first `<!DOCTYPE` or `<!ENTITY`, in any letter case, anywhere (comments and CDATA included).
    private static func firstDeclaration(_ bytes: UnsafeRawBufferPointer) -> (Int, String)? {
        let doctype = Array("DOCTYPE".utf8), entity = Array("ENTITY".utf8)
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == UInt8(ascii: "<"), bytes[i + 1] == UInt8(ascii: "!") {
                if matches(bytes, at: i + 2, doctype) { return (i, "DOCTYPE") }
                if matches(bytes, at: i + 2, entity) { return (i, "ENTITY") }
            }
            i += 1
        }
        return nil
    }

    /// Whether `word` (upper-case ASCII) is at `offset`, letters compared in any case.
    private static func matches(_ bytes: UnsafeRawBufferPointer, at offset: Int, _ word: [UInt8]) -> Bool {
        guard offset >= 0, offset + word.count <= bytes.count else { return false }
        for (k, expected) in word.enumerated() {
            let b = bytes[offset + k]
            if (b >= 0x61 && b <= 0x7A ? b - 0x20 : b) != expected { return false }
        }
        return true
    }

    /// The `encoding` pseudo-attribute of the XML declaration, if the document starts with one.
    private static func declaredEncoding(_ bytes: UnsafeRawBufferPointer, from start: Int) -> String? {
        guard matches(bytes, at: start, Array("<?XML".utf8)) else { return nil }
        let key = Array("ENCODING".utf8)
        var i = start
        while i < bytes.count, bytes[i] != UInt8(ascii: ">"), !matches(bytes, at: i, key) { i += 1 }
        guard i < bytes.count, bytes[i] != UInt8(ascii: ">") else { return nil }
        i += key.count
        while i < bytes.count, bytes[i].isXMLSpace { i += 1 }
        guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { return nil }
        i += 1
        while i < bytes.count, bytes[i].isXMLSpace { i += 1 }
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else { return nil }
        let quote = bytes[i]
        var end = i + 1
        while end < bytes.count, bytes[end] != quote, end - i < 64 { end += 1 }
        return String(decoding: bytes[(i + 1)..<end], as: UTF8.self)
    }
}
