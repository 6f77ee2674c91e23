public import Foundation

/// Whether one bad reading rejects its whole request or only itself.
public enum BatchMode: String, Codable, Hashable, Sendable, CaseIterable {
    /// The default: any issue rejects every batch of the request, so a sensor that resends it
    /// after fixing the problem never leaves half a batch stored under its sequence number.
    case allOrNothing = "all"
    /// Good readings are stored and each bad one is reported; for gateways that cannot fix a
    /// row and would otherwise resend the same rejected batch forever.
    case partial
}

/// How far from the server's clock a reading's time may be, and how big a batch may be.
public struct ReadingLimits: Hashable, Sendable {
    /// Seconds a reading may lie ahead of `now`, for sensor clocks that run a little fast.
    public var futureTolerance: TimeInterval
    /// Seconds a reading may lie behind `now`; older readings would fall outside raw retention at once.
    public var maxAge: TimeInterval
    public var maxReadingsPerBatch: Int

    public init(futureTolerance: TimeInterval = 300, maxAge: TimeInterval = RetentionPolicy.standard.raw, maxReadingsPerBatch: Int = 10_000) {
        self.futureTolerance = futureTolerance
        self.maxAge = maxAge
        self.maxReadingsPerBatch = maxReadingsPerBatch
    }

    /// Limits whose maximum age is the policy's raw retention.
    public init(retention: RetentionPolicy, futureTolerance: TimeInterval = 300) {
        self.init(futureTolerance: futureTolerance, maxAge: retention.raw)
    }

    public static let standard = ReadingLimits()
}

/// The outcome of checking one batch: the readings to store and every issue found.
public struct BatchCheck: Hashable, Sendable {
    /// The batch to store, or nil when nothing of it may be stored (or it held no readings).
    public var accepted: ReadingBatch?
    public var issues: [FieldIssue]

    public init(accepted: ReadingBatch?, issues: [FieldIssue]) {
        self.accepted = accepted
        self.issues = issues
    }
}

/// The outcome of checking everything parsed from one request.
public struct IngestCheck: Hashable, Sendable {
    /// Batches to store, none empty; each keeps its (source, sequence).
    public var accepted: [ReadingBatch]
    /// Parse and validation issues together, body-level first, then by row.
    public var issues: [FieldIssue]

    public init(accepted: [ReadingBatch], issues: [FieldIssue]) {
        self.accepted = accepted
        self.issues = issues
    }
}

/// Checks readings against the metric catalogue and the clock before anything is stored.
public enum BatchValidation {
    /// Checks one batch; `rows` names each reading in issues (1-based positions when nil).
    ///
    /// Batch-level issues (source id, sequence, size) reject the batch in either mode.
    public static func check(
        _ batch: ReadingBatch, rows: [Int]? = nil, catalogue: MetricCatalogue, now: Date,
        mode: BatchMode = .allOrNothing, limits: ReadingLimits = .standard
    ) -> BatchCheck {
        var c = IssueCollector()
        if !Identifier.isValid(batch.source) {
            c.add("source", "'\(batch.source.prefix(80))' is not a valid source id: \(Identifier.rule)")
        }
        if batch.sequence < 0 {
            c.add("sequence", "must be 0 or more, not \(batch.sequence)")
        }
        if batch.readings.count > limits.maxReadingsPerBatch {
            c.add("readings", "at most \(limits.maxReadingsPerBatch) readings per batch, not \(batch.readings.count)")
        }
        if !c.isEmpty { return BatchCheck(accepted: nil, issues: c.issues) }

        let nowMs = Reading.milliseconds(now)
        let latest = nowMs.addingClamped(milliseconds(limits.futureTolerance))
        let earliest = nowMs.addingClamped(-milliseconds(limits.maxAge))
        var accepted: [Reading] = []
        accepted.reserveCapacity(batch.readings.count)
        for (i, reading) in batch.readings.enumerated() {
            let before = c.issues.count
            c.row = rows.map { i < $0.count ? $0[i] : i + 1 } ?? i + 1
            if reading.source != batch.source {
                c.add("source", "'\(reading.source.prefix(80))' differs from the batch's source '\(batch.source)'")
            }
            let metric = catalogue[reading.metric]
            if metric == nil {
                c.add("metric", "unknown metric '\(reading.metric.prefix(80))'")
            }
            if !reading.value.isFinite {
                c.add("value", "must be a finite number")
            } else if let metric, !metric.range.contains(reading.value) {
                c.add("value", "\(reading.value) is outside \(metric.name)'s range \(describe(metric.range))\(metric.unit.isEmpty ? "" : " " + metric.unit)")
            }
            if reading.time > latest {
                c.add("time", "\(timestamp(reading.time)) is more than \(number(limits.futureTolerance)) s ahead of the server's clock")
            } else if reading.time < earliest {
                c.add("time", "\(timestamp(reading.time)) is older than the raw retention of \(describeDuration(limits.maxAge))")
            }
            if c.issues.count == before { accepted.append(reading) }
        }
        if accepted.isEmpty || (mode == .allOrNothing && !c.isEmpty) {
            return BatchCheck(accepted: nil, issues: c.issues)
        }
        return BatchCheck(
            accepted: ReadingBatch(source: batch.source, epoch: batch.epoch, sequence: batch.sequence, readings: accepted), issues: c.issues)
    }

    /// Checks everything one request carried; in all-or-nothing mode any parse or validation
    /// issue leaves `accepted` empty.
    public static func check(
        _ parsed: ParsedReadings, catalogue: MetricCatalogue, now: Date,
        mode: BatchMode = .allOrNothing, limits: ReadingLimits = .standard
    ) -> IngestCheck {
        var issues = parsed.issues
        var accepted: [ReadingBatch] = []
        for parsedBatch in parsed.batches {
            let result = check(parsedBatch.batch, rows: parsedBatch.rows, catalogue: catalogue, now: now, mode: mode, limits: limits)
            issues += result.issues
            if let batch = result.accepted { accepted.append(batch) }
        }
        if mode == .allOrNothing && !issues.isEmpty { accepted = [] }
        // Stable, so issues of one row stay in the order they were found.
        let ordered = issues.enumerated().sorted { a, b in
            let ra = a.element.row ?? 0, rb = b.element.row ?? 0
            return ra != rb ? ra < rb : a.offset < b.offset
        }
        return IngestCheck(accepted: accepted, issues: ordered.map(\.element))
    }

    private static func milliseconds(_ seconds: TimeInterval) -> Int64 {
        let ms = (seconds * 1000).rounded()
        return ms.isFinite && abs(ms) < 9e18 ? Int64(ms) : (ms > 0 ? .max : .min)
    }

    private static func describe(_ range: ClosedRange<Double>) -> String {
        "\(number(range.lowerBound))...\(number(range.upperBound))"
    }

    private static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }

    private static func describeDuration(_ seconds: TimeInterval) -> String {
        if seconds >= 86_400 && seconds.truncatingRemainder(dividingBy: 86_400) == 0 { return "\(number(seconds / 86_400)) days" }
        if seconds >= 3600 && seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(number(seconds / 3600)) hours" }
        return "\(number(seconds)) s"
    }

    private static func timestamp(_ ms: Int64) -> String {
        ReadingTime.format(ms) ?? "\(ms) ms"
    }
}

extension Int64 {
    /// Addition that sticks at the ends instead of trapping, for limits built from user settings.
    func addingClamped(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
