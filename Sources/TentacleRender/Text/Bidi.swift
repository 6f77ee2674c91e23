/// Visual order for lines that mix right-to-left and left-to-right text: a small subset of the
/// Unicode bidirectional algorithm (paragraph direction from the first strong letter; numbers,
/// separators between digits and neutrals resolved as in rules W4, W5, W7, N1, N2; runs
/// reversed by level as in L2; brackets mirrored in RTL runs). No embeddings, isolates or overrides.
enum Bidi {
    private enum Direction {
        case left, right, number, neutral
    }

    static func containsRightToLeft(_ scalars: some Sequence<Unicode.Scalar>) -> Bool {
        scalars.contains { $0.value >= 0x0590 && $0.isRightToLeft }
    }

    /// The scalars of one line in the order they appear left to right on the panel.
    /// Combining marks stay after their base so they still draw over it.
    static func visualOrder(_ line: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        let scalars = Array(line)
        var starts: [Int] = []
        for (i, scalar) in scalars.enumerated() where i == 0 || scalar.layoutRole == .visible {
            starts.append(i)
        }
        let count = starts.count
        var directions = starts.map { direction(of: scalars[$0]) }
        let rightToLeft = directions.first { $0 == .left || $0 == .right } == .right
        let paragraph: Direction = rightToLeft ? .right : .left

        // W4: one separator between two numbers joins them ("3.5", "12:30").
        if count >= 3 {
            for k in 1..<(count - 1) where directions[k] == .neutral && directions[k - 1] == .number
                && directions[k + 1] == .number && isNumberSeparator(scalars[starts[k]]) {
                directions[k] = .number
            }
        }
        // W5: terminators such as % and currency signs next to a number belong to it.
        for k in 1..<max(count, 1) where directions[k] == .neutral && directions[k - 1] == .number
            && isNumberTerminator(scalars[starts[k]]) {
            directions[k] = .number
        }
        for k in stride(from: count - 2, through: 0, by: -1) where directions[k] == .neutral
            && directions[k + 1] == .number && isNumberTerminator(scalars[starts[k]]) {
            directions[k] = .number
        }
        // W7: numbers after left-to-right letters are laid out with them.
        var lastStrong = paragraph
        for k in 0..<count {
            switch directions[k] {
            case .left, .right: lastStrong = directions[k]
            case .number where lastStrong == .left: directions[k] = .left
            default: break
            }
        }
        // N1, N2: neutrals between two runs of one direction take it, others the paragraph's.
        var k = 0
        while k < count {
            guard directions[k] == .neutral else {
                k += 1
                continue
            }
            var end = k
            while end < count && directions[end] == .neutral { end += 1 }
            let before = k == 0 ? paragraph : strong(directions[k - 1])
            let after = end == count ? paragraph : strong(directions[end])
            for j in k..<end { directions[j] = before == after ? before : paragraph }
            k = end
        }

        let levels = directions.map { direction -> Int in
            switch direction {
            case .right: 1
            case .left: rightToLeft ? 2 : 0
            case .number, .neutral: 2
            }
        }
        var order = Array(0..<count)
        for level in stride(from: levels.max() ?? 0, through: 1, by: -1) {
            var k = 0
            while k < count {
                guard levels[order[k]] >= level else {
                    k += 1
                    continue
                }
                var end = k
                while end < count && levels[order[end]] >= level { end += 1 }
                order[k..<end].reverse()
                k = end
            }
        }

        var visual: [Unicode.Scalar] = []
        visual.reserveCapacity(scalars.count)
        for cluster in order {
            let end = cluster + 1 < count ? starts[cluster + 1] : scalars.count
            let base = scalars[starts[cluster]]
            visual.append(levels[cluster] % 2 == 1 ? mirrored(base) : base)
            visual.append(contentsOf: scalars[(starts[cluster] + 1)..<end])
        }
        return visual
    }

    private static func strong(_ direction: Direction) -> Direction {
        direction == .number ? .right : direction
    }

    private static func direction(of scalar: Unicode.Scalar) -> Direction {
        let v = scalar.value
        if scalar.isRightToLeft { return .right }
        switch v {
        case 0x30...0x39, 0x0660...0x0669, 0x06F0...0x06F9, 0xFF10...0xFF19: return .number
        case 0x41...0x5A, 0x61...0x7A: return .left
        case ..<0x80: return .neutral
        default: break
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .spacingMark,
             .letterNumber:
            return .left
        default:
            return .neutral
        }
    }

    private static func isNumberSeparator(_ scalar: Unicode.Scalar) -> Bool {
        ",./:".unicodeScalars.contains(scalar)
    }

    private static func isNumberTerminator(_ scalar: Unicode.Scalar) -> Bool {
        "%#$°‰€£¥₪".unicodeScalars.contains(scalar)
    }

    private static func mirrored(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar {
        case "(": ")"
        case ")": "("
        case "[": "]"
        case "]": "["
        case "{": "}"
        case "}": "{"
        case "<": ">"
        case ">": "<"
        case "«": "»"
        case "»": "«"
        default: scalar
        }
    }
}
