public import Foundation

/// One measured value: which source measured which metric when.
public struct Reading: Codable, Hashable, Sendable {
    /// The display or sensor that measured it; follows `Identifier` rules.
    public var source: String
    public var metric: String
    /// Milliseconds since 1970-01-01T00:00:00Z: exact, cheap to compare, and what every format maps to.
    public var time: Int64
    public var value: Double

    public init(source: String, metric: String, time: Int64, value: Double) {
        self.source = source
        self.metric = metric
        self.time = time
        self.value = value
    }

    /// Rounds `time` down to the millisecond.
    public init(source: String, metric: String, time: Date, value: Double) {
        self.init(source: source, metric: metric, time: Reading.milliseconds(time), value: value)
    }

    public var date: Date { Date(timeIntervalSince1970: Double(time) / 1000) }

    /// `date` as whole milliseconds since 1970, rounded down; clamped to what `Int64` holds.
    public static func milliseconds(_ date: Date) -> Int64 {
        let ms = (date.timeIntervalSince1970 * 1000).rounded(.down)
        guard ms.isFinite else { return ms > 0 ? .max : .min }
        if ms >= 9.2e18 { return .max }
        if ms <= -9.2e18 { return .min }
        return Int64(ms)
    }
}

/// Readings sent together by one source under one sequence number, so a resent batch is stored once.
public struct ReadingBatch: Codable, Hashable, Sendable {
    public var source: String
    /// Chosen by the source whenever its counter starts afresh (a display whose cache was lost),
    /// so new batches are not taken for old ones; 0 for sources that never restart their count.
    public var epoch: Int64
    /// Counts up per source and epoch (0 or more); (source, epoch, sequence) identifies the batch.
    public var sequence: Int64
    public var readings: [Reading]

    public init(source: String, epoch: Int64 = 0, sequence: Int64, readings: [Reading]) {
        self.source = source
        self.epoch = epoch
        self.sequence = sequence
        self.readings = readings
    }
}
