extension UInt8 {
    /// Space, tab, carriage return or line feed: the whitespace of XML.
    var isXMLSpace: Bool {
        self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D
    }
}

extension String {
    /// Without leading and trailing XML whitespace; done on the UTF-8 bytes, which is much
    /// cheaper than Foundation's trimming on Linux.
    var trimmingXMLSpace: String {
        let bytes = utf8
        guard let first = bytes.firstIndex(where: { !$0.isXMLSpace }), let last = bytes.lastIndex(where: { !$0.isXMLSpace }) else { return "" }
        if first == bytes.startIndex, last == bytes.index(before: bytes.endIndex) { return self }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// The runs between XML whitespace. Whitespace bytes are whole characters, so the cuts fall on
    /// character boundaries.
    var xmlWords: [Substring] {
        var words: [Substring] = []
        var start: String.Index?
        for i in utf8.indices {
            if utf8[i].isXMLSpace {
                if let s = start { words.append(self[s..<i]) }
                start = nil
            } else if start == nil {
                start = i
            }
        }
        if let s = start { words.append(self[s...]) }
        return words
    }
}
