/// How text layout treats one scalar.
enum LayoutRole {
    /// Draws a glyph (or the missing-glyph box) and advances the pen.
    case visible
    /// A combining mark: drawn over the glyph before it, without advancing.
    case mark
    /// Controls and default-ignorable code points (joiners, bidi controls, variation selectors): not drawn.
    case ignored
}

extension Unicode.Scalar {
    var layoutRole: LayoutRole {
        let v = value
        if v >= 0x20 && v < 0x7F { return .visible }
        if v < 0xA0 { return .ignored }
        // Latin-1, Latin Extended and common punctuation hold no marks and one ignorable (soft hyphen).
        if v < 0x300 { return v == 0xAD ? .ignored : .visible }
        if (0x2010...0x2027).contains(v) || (0x2030...0x205F).contains(v) { return .visible }
        // The common CJK and Hangul ranges hold no marks or ignorables; skip the property lookup.
        if (0x3400...0x9FFF).contains(v) || (0xAC00...0xD7A3).contains(v) { return .visible }
        let properties = self.properties
        if properties.isDefaultIgnorableCodePoint { return .ignored }
        switch properties.generalCategory {
        case .nonspacingMark, .enclosingMark: return .mark
        case .control, .lineSeparator, .paragraphSeparator, .surrogate: return .ignored
        default: return .visible
        }
    }

    /// Ends a paragraph: LF, CR, VT, FF, NEL, and the Unicode line and paragraph separators.
    var isNewline: Bool {
        switch value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }

    /// A space a line may break after and that is dropped at a line end.
    var isBreakingSpace: Bool { value == 0x20 || value == 0x3000 }

    /// Ideographs, kana, Hangul and full-width forms: a line may break on either side.
    var isIdeographic: Bool {
        switch value {
        case 0x1100...0x11FF, 0x2E80...0x2FFF, 0x3001...0x303F, 0x3040...0x30FF, 0x3100...0x31FF,
             0x3200...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xAC00...0xD7AF, 0xF900...0xFAFF,
             0xFE30...0xFE4F, 0xFF01...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFF: true
        default: false
        }
    }

    /// Punctuation that must not start a line (closing brackets, commas, full stops, small kana).
    var isClosingPunctuation: Bool {
        switch value {
        case 0x21, 0x25, 0x29, 0x2C, 0x2E, 0x3A, 0x3B, 0x3F, 0x5D, 0x7D, 0xBB, 0x2019, 0x201D, 0x2026,
             0x3001, 0x3002, 0x3005, 0x3009, 0x300B, 0x300D, 0x300F, 0x3011, 0x3015, 0x3017, 0x3019, 0x301B,
             0x301E, 0x301F, 0x3041, 0x3043, 0x3045, 0x3047, 0x3049, 0x3063, 0x3083, 0x3085, 0x3087, 0x308E,
             0x309B, 0x309C, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30C3, 0x30E3, 0x30E5, 0x30E7, 0x30EE,
             0x30F5, 0x30F6, 0x30FB, 0x30FC, 0xFF01, 0xFF09, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF1F, 0xFF3D,
             0xFF5D, 0xFF60, 0xFF61, 0xFF63, 0xFF64: true
        default: false
        }
    }

    /// Punctuation that must not end a line (opening brackets and quotes).
    var isOpeningPunctuation: Bool {
        switch value {
        case 0x28, 0x5B, 0x7B, 0xAB, 0x2018, 0x201C, 0x3008, 0x300A, 0x300C, 0x300E, 0x3010, 0x3014,
             0x3016, 0x3018, 0x301A, 0x301D, 0xFF08, 0xFF3B, 0xFF5B, 0xFF5F, 0xFF62: true
        default: false
        }
    }

    /// Letters of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko and their supplements);
    /// Arabic-Indic digits are numbers, not RTL letters.
    var isRightToLeft: Bool {
        switch value {
        case 0x0660...0x0669, 0x06F0...0x06F9: false
        case 0x0590...0x08FF, 0xFB1D...0xFDFF, 0xFE70...0xFEFE, 0x10800...0x10FFF, 0x1E800...0x1EFFF: true
        default: false
        }
    }
}
