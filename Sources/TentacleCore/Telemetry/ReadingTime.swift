/// RFC 3339 timestamps to and from milliseconds since 1970, without Foundation's formatters,
/// which are far too slow for an ingest path.
public enum ReadingTime {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t` or a space may stand for `T`.
    /// Digits after the third of the fraction are dropped (time is kept to the millisecond).
    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { utf8 in
            guard let base = utf8.baseAddress else { return nil }
            return parse(base, 0, utf8.count)
        }
    }

    /// `2026-11-25T08:00:00Z`, with `.mmm` when the milliseconds are not zero; nil outside years 1...9999.
    public static func format(_ ms: Int64) -> String? {
        let (days, msOfDay) = floorDivide(ms, 86_400_000)
        // Years 1...9999 span about ±3 million days; beyond that the date is not printable anyway.
        guard abs(days) < 4_000_000 else { return nil }
        let date = CanonicalTime.civil(Int(days))
        guard (1...9999).contains(date.year) else { return nil }
        let seconds = msOfDay / 1000, milli = msOfDay % 1000
        var s = pad(date.year, 4) + "-" + pad(date.month, 2) + "-" + pad(date.day, 2)
        s += "T" + pad(Int(seconds / 3600), 2) + ":" + pad(Int(seconds / 60 % 60), 2) + ":" + pad(Int(seconds % 60), 2)
        if milli != 0 { s += "." + pad(Int(milli), 3) }
        return s + "Z"
    }

    static func parse(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        // The shortest form is `YYYY-MM-DDTHH:MM:SSZ`.
        guard end - start >= 20 else { return nil }
        var i = start
        func digits(_ n: Int) -> Int? {
            var v = 0
            for _ in 0..<n {
                let d = p[i] &- 0x30
                guard d < 10 else { return nil }
                v = v * 10 + Int(d)
                i += 1
            }
            return v
        }
        func separator(_ byte: UInt8) -> Bool {
            guard p[i] == byte else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), separator(0x2D), let month = digits(2), separator(0x2D), let day = digits(2) else { return nil }
        let t = p[i]
        guard t == 0x54 || t == 0x74 || t == 0x20 else { return nil }
        i += 1
        guard let hour = digits(2), separator(0x3A), let minute = digits(2), separator(0x3A), let second = digits(2) else { return nil }
        guard let date = LocalDate(year: year, month: month, day: day), hour < 24, minute < 60, second <= 60 else { return nil }
        var milli = 0
        if i < end && p[i] == 0x2E {
            i += 1
            var count = 0
            while i < end, p[i] &- 0x30 < 10 {
                if count < 3 { milli = milli * 10 + Int(p[i] &- 0x30) }
                count += 1
                i += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<max(count, 3) { milli *= 10 }
        }
        guard i < end else { return nil }
        var offsetMinutes = 0
        switch p[i] {
        case 0x5A, 0x7A:
            i += 1
        case 0x2B, 0x2D:
            let sign = p[i] == 0x2D ? -1 : 1
            i += 1
            guard end - i >= 5, let oh = digits(2), separator(0x3A), let om = digits(2), oh < 24, om < 60 else { return nil }
            offsetMinutes = sign * (oh * 60 + om)
        default:
            return nil
        }
        guard i == end else { return nil }
        let days = Int64(date.dayNumber)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetMinutes * 60)
        return seconds * 1000 + Int64(milli)
    }

    /// Quotient and remainder rounded toward negative infinity, for times before 1970.
    static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
