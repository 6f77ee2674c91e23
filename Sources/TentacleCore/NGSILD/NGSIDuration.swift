/// ISO 8601 durations of fixed length, as NGSI-LD temporal queries take them.
public enum NGSIDuration {
    /// ISO 8601 durations as `aggrPeriodDuration` uses: `PnW`, `PnDTnHnMnS` with any part omitted (`PT1M`, `P1D`, `PT0.5S`) → milliseconds.
    /// Years and months are refused (their length varies); so are zero, negative, and overflow.
    /// The last part may have a fraction (`.` or `,`); what falls below a millisecond is dropped.
    public static func milliseconds(_ text: String) throws(NGSIQueryError) -> Int64 {
        let bytes = Array(text.utf8)
        func refuse(_ message: String) -> NGSIQueryError {
            let shown = text.count > 40 ? "\(text.prefix(40))…" : text
            return NGSIQueryError(parameter: "aggrPeriodDuration", message: "'\(shown)' \(message)")
        }
        guard let first = bytes.first else { throw NGSIQueryError(parameter: "aggrPeriodDuration", message: "is empty") }
        if first == UInt8(ascii: "-") { throw refuse("is negative: a period must be longer than zero") }
        guard first == UInt8(ascii: "P") else { throw refuse("is not an ISO 8601 duration: it must start with P, as in PT15M or P1D") }

        var i = 1, total: Int64 = 0, inTime = false, lastRank = -1, parts = 0, timeParts = 0, hadFraction = false
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "T") {
                guard !inTime else { throw refuse("has a second T") }
                inTime = true
                i += 1
                continue
            }
            guard !hadFraction else { throw refuse("has a fraction before its last part: only the last part may have one") }
            let start = i
            var whole: Int64 = 0
            while i < bytes.count, bytes[i] &- 0x30 < 10 {
                let (times10, o1) = whole.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int64(bytes[i] &- 0x30))
                guard !o1, !o2 else { throw refuse("is too long for 64-bit milliseconds") }
                whole = sum
                i += 1
            }
            guard i > start else { throw refuse("needs a number at character \(start + 1)") }
            // Nine digits of fraction are exact to the millisecond for any unit up to a week.
            var fraction: Int64 = 0, scale: Int64 = 1
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: ",") {
                i += 1
                let fractionStart = i
                while i < bytes.count, bytes[i] &- 0x30 < 10 {
                    if scale < 1_000_000_000 {
                        fraction = fraction * 10 + Int64(bytes[i] &- 0x30)
                        scale *= 10
                    }
                    i += 1
                }
                guard i > fractionStart else { throw refuse("needs digits after the decimal sign at character \(fractionStart)") }
                hadFraction = true
            }
            guard i < bytes.count else { throw refuse("ends in a number without a unit (W, D, H, M or S)") }
            let designator = bytes[i]
            i += 1
            let rank: Int, unit: Int64
            switch (inTime, designator) {
            case (false, UInt8(ascii: "Y")): throw refuse("has years, whose length varies: use days or weeks")
            case (false, UInt8(ascii: "M")): throw refuse("has months, whose length varies: use days or weeks (months are M after T)")
            case (false, UInt8(ascii: "W")): (rank, unit) = (0, 604_800_000)
            case (false, UInt8(ascii: "D")): (rank, unit) = (1, 86_400_000)
            case (true, UInt8(ascii: "H")): (rank, unit) = (2, 3_600_000)
            case (true, UInt8(ascii: "M")): (rank, unit) = (3, 60_000)
            case (true, UInt8(ascii: "S")): (rank, unit) = (4, 1000)
            case (true, UInt8(ascii: "W")), (true, UInt8(ascii: "D")): throw refuse("has \(Character(Unicode.Scalar(designator))) after T: weeks and days come before it")
            case (false, UInt8(ascii: "H")), (false, UInt8(ascii: "S")): throw refuse("has \(Character(Unicode.Scalar(designator))) before T: hours, minutes and seconds come after it, as in PT1H")
            default: throw refuse("has an unknown unit at character \(i): use W, D, then T and H, M, S")
            }
            if (rank == 0 && parts > 0) || lastRank == 0 { throw refuse("combines weeks with other parts: write PnW alone, or days instead") }
            guard rank > lastRank else { throw refuse("has its parts out of order or twice: the order is D, then T, H, M, S") }
            lastRank = rank
            parts += 1
            if inTime { timeParts += 1 }
            let (wholeMs, o1) = whole.multipliedReportingOverflow(by: unit)
            let (sum, o2) = total.addingReportingOverflow(wholeMs)
            let (withFraction, o3) = sum.addingReportingOverflow(fraction * unit / scale)
            guard !o1, !o2, !o3 else { throw refuse("is too long for 64-bit milliseconds") }
            total = withFraction
        }
        guard !inTime || timeParts > 0 else { throw refuse("has T without hours, minutes or seconds after it") }
        guard parts > 0 else { throw refuse("has no parts: write PT15M, P1D or P1W") }
        guard total > 0 else { throw refuse("is zero (or under a millisecond): a period must be longer than that") }
        return total
    }
}
