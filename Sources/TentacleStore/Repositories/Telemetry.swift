public import Foundation
public import TentacleCore

// Telemetry: ingest outcomes, reading pages, rollups, latest values, aggregates and retention.

/// Readings: raw values, 1-minute and 1-hour rollups, the latest value per series and the metric catalogue.
public protocol TelemetryRepository: Sendable {
    /// Stores each batch whose (source, epoch, sequence) is new, with its rollups and latest values, in one
    /// transaction that has committed when this returns; a batch stored before changes nothing.
    /// Outcomes come in the order of `batches`.
    func ingest(_ batches: [ReadingBatch], at time: Date) async throws -> [BatchOutcome]

    /// The built-in metrics plus every metric an admin added.
    func metrics() async throws -> MetricCatalogue
    /// `conflict` when the name is taken.
    func addMetric(_ metric: Metric, audit: AuditEvent) async throws

    /// Raw readings of one series in time order (ties in arrival order), `from` inclusive, `to`
    /// exclusive (milliseconds), at most `limit`, continuing after `after`.
    func rawReadings(source: String, metric: String, from: Int64, to: Int64, after: ReadingCursor?, limit: Int) async throws -> ReadingPage
    /// Rollup cells of one series whose buckets start in `from..<to`, in time order.
    func rollups(source: String, metric: String, tier: RollupTier, from: Int64, to: Int64) async throws -> [RollupPoint]
    /// The metrics a source has readings of, sorted.
    func metrics(source: String) async throws -> [String]

    /// The latest reading of every series in the area, with the district of its display or sensor.
    func latest(_ query: LatestQuery) async throws -> [LatestReading]
    /// Per district, min, max, sum and count of one value per source: its newest reading at or
    /// before `at` and after `at - window` (milliseconds); sources with none are left out.
    func aggregate(metric: String, area: ReadingArea, at: Int64, window: Int64) async throws -> [DistrictAggregate]
    /// Min, max, sum and count of one metric per district over the buckets of `tier` starting in `from..<to`.
    func aggregate(metric: String, tier: RollupTier, area: ReadingArea, from: Int64, to: Int64) async throws -> [DistrictAggregate]

    /// Deletes raw readings, rollups, plays and batch records older than their tier's cutoff.
    func deleteExpired(_ cutoffs: RetentionCutoffs) async throws -> RetentionCounts
}

/// What became of one batch of an ingest.
public struct BatchOutcome: Hashable, Sendable {
    public enum Result: Hashable, Sendable {
        /// Stored now, with this many readings.
        case stored(Int)
        /// Stored by an earlier request; nothing changed.
        case duplicate
    }

    public var source: String
    public var sequence: Int64
    public var result: Result

    public init(source: String, sequence: Int64, result: Result) {
        self.source = source
        self.sequence = sequence
        self.result = result
    }
}

/// Where a page of raw readings stopped; opaque to callers.
public struct ReadingCursor: Hashable, Sendable {
    let time: Int64
    let row: Int64
}

/// A page of raw readings and where the next one starts (nil at the end).
public struct ReadingPage: Hashable, Sendable {
    public var readings: [Reading]
    public var next: ReadingCursor?

    public init(readings: [Reading], next: ReadingCursor?) {
        self.readings = readings
        self.next = next
    }
}

/// One stored rollup cell and the start of its bucket (milliseconds).
public struct RollupPoint: Hashable, Sendable {
    public var bucketStart: Int64
    public var cell: RollupCell

    public init(bucketStart: Int64, cell: RollupCell) {
        self.bucketStart = bucketStart
        self.cell = cell
    }
}

/// Which sources' readings a query covers: displays, and registered sensors by their own place.
///
/// A source that is neither has no district, so only unscoped queries without a district or box
/// filter see it.
public struct ReadingArea: Hashable, Sendable {
    public var scope: DistrictScope
    public var district: String?
    public var bbox: BoundingBox?
    /// Only these sources, when set (the displays and sensors inside a polygon, found by the caller).
    public var sources: [String]?

    public init(scope: DistrictScope = .all, district: String? = nil, bbox: BoundingBox? = nil, sources: [String]? = nil) {
        self.scope = scope
        self.district = district
        self.bbox = bbox
        self.sources = sources
    }
}

/// Which latest values to list.
public struct LatestQuery: Hashable, Sendable {
    public var area: ReadingArea
    public var metric: String?
    /// Only these sources, when set.
    public var sources: [String]?

    public init(area: ReadingArea = ReadingArea(), metric: String? = nil, sources: [String]? = nil) {
        self.area = area
        self.metric = metric
        self.sources = sources
    }
}

/// The latest reading of a series and the district of its display or registered sensor, if it has one.
public struct LatestReading: Hashable, Sendable {
    public var reading: Reading
    public var district: String?

    public init(reading: Reading, district: String?) {
        self.reading = reading
        self.district = district
    }
}

/// One metric summed up over the displays of one district.
public struct DistrictAggregate: Hashable, Sendable {
    public var district: String
    public var min: Double
    public var max: Double
    public var sum: Double
    public var count: Int
    /// How many sources contributed.
    public var sources: Int

    public init(district: String, min: Double, max: Double, sum: Double, count: Int, sources: Int) {
        self.district = district
        self.min = min
        self.max = max
        self.sum = sum
        self.count = count
        self.sources = sources
    }

    public var mean: Double { sum / Double(count) }
}

/// The instants (milliseconds) before which each tier is deleted; a nil hour or plays cutoff keeps that tier forever.
public struct RetentionCutoffs: Hashable, Sendable {
    public var raw: Int64
    public var minute: Int64
    public var hour: Int64?
    /// Plays that ended before it go, with the batch records of their proof of play.
    public var plays: Int64?

    public init(raw: Int64, minute: Int64, hour: Int64?, plays: Int64? = nil) {
        self.raw = raw
        self.minute = minute
        self.hour = hour
        self.plays = plays
    }

    /// The cutoffs of a policy at `now`.
    public init(_ policy: RetentionPolicy, now: Date) {
        let c = policy.cutoffs(now: now)
        self.init(
            raw: Reading.milliseconds(c.raw), minute: Reading.milliseconds(c.minute), hour: c.hour.map(Reading.milliseconds),
            plays: Reading.milliseconds(c.plays))
    }

    /// Batch records received before this go with the rows cut at `cutoff`; nil when nothing is
    /// that old. A batch record must outlive every row it could hold, or a late resend would be
    /// stored twice; rows lie at most minutes ahead of their arrival (agent clocks running a
    /// little ahead), so an hour's margin is plenty.
    static func batchRecords(before cutoff: Int64) -> Int64? {
        let margin = cutoff.addingReportingOverflow(-3_600_000)
        return margin.overflow ? nil : margin.partialValue
    }
}

/// How many rows a retention pass deleted per tier.
public struct RetentionCounts: Hashable, Sendable {
    public var raw: Int
    public var minute: Int
    public var hour: Int
    public var plays: Int

    public init(raw: Int = 0, minute: Int = 0, hour: Int = 0, plays: Int = 0) {
        self.raw = raw
        self.minute = minute
        self.hour = hour
        self.plays = plays
    }
}
