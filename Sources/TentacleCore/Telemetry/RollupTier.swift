/// The rollup tiers: fixed-width buckets aligned to UTC.
public enum RollupTier: String, CaseIterable, Codable, Hashable, Sendable {
    case minute = "1m"
    case hour = "1h"

    /// Bucket width in milliseconds.
    public var width: Int64 {
        switch self {
        case .minute: return 60_000
        case .hour: return 3_600_000
        }
    }

    /// The start of the bucket holding `time`, rounded toward the past so times before 1970
    /// land in the right bucket too. Hours align to UTC, not local time, so every display's
    /// buckets line up for district aggregates.
    public func bucketStart(_ time: Int64) -> Int64 {
        time - ReadingTime.floorDivide(time, width).1
    }
}

/// Which cell a reading rolls up into.
public struct RollupKey: Codable, Hashable, Sendable {
    public var source: String
    public var metric: String
    public var tier: RollupTier
    /// Milliseconds since 1970 of the bucket's start.
    public var bucketStart: Int64

    public init(source: String, metric: String, tier: RollupTier, bucketStart: Int64) {
        self.source = source
        self.metric = metric
        self.tier = tier
        self.bucketStart = bucketStart
    }

    public init(_ reading: Reading, tier: RollupTier) {
        self.init(source: reading.source, metric: reading.metric, tier: tier, bucketStart: tier.bucketStart(reading.time))
    }
}

extension RollupTier {
    /// The cells of `readings`, taken in arrival order; merge each into the stored cell of its key.
    public func rollUp(_ readings: some Sequence<Reading>) -> [RollupKey: RollupCell] {
        var cells: [RollupKey: RollupCell] = [:]
        for reading in readings {
            let key = RollupKey(reading, tier: self)
            if cells[key]?.merge(reading) == nil { cells[key] = RollupCell(reading) }
        }
        return cells
    }
}
