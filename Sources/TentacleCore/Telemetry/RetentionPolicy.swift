public import Foundation

/// How long each tier of readings is kept; older data is deleted by the retention job.
public struct RetentionPolicy: Codable, Hashable, Sendable {
    /// Seconds raw readings are kept.
    public var raw: TimeInterval
    /// Seconds 1-minute rollups are kept.
    public var minute: TimeInterval
    /// Seconds 1-hour rollups are kept; nil keeps them forever.
    public var hour: TimeInterval?
    /// Seconds proof of play is kept, counted from the end of each play.
    public var plays: TimeInterval

    public init(raw: TimeInterval = 7 * 86_400, minute: TimeInterval = 90 * 86_400, hour: TimeInterval? = nil, plays: TimeInterval = 90 * 86_400) {
        self.raw = raw
        self.minute = minute
        self.hour = hour
        self.plays = plays
    }

    /// Raw 7 days, 1-minute 90 days, 1-hour forever, proof of play 90 days.
    public static let standard = RetentionPolicy()

    /// Every issue with the policy.
    ///
    /// Each tier must be kept at least as long as the finer one before it, so a range whose
    /// fine data is gone can always be answered from a coarser tier.
    public func issues() -> [FieldIssue] {
        var c = IssueCollector()
        let tiers: [(String, TimeInterval?)] = [("raw", raw), ("minute", minute), ("hour", hour), ("plays", plays)]
        for (field, seconds) in tiers {
            if let seconds, !(seconds.isFinite && seconds >= 3600) {
                c.add(field, "must be at least one hour (3600 s)")
            }
        }
        if minute < raw { c.add("minute", "must be at least as long as raw retention") }
        if let hour, hour < minute { c.add("hour", "must be at least as long as 1-minute retention, or unset to keep forever") }
        return c.issues
    }

    /// The policy itself, once it has no issues.
    public func validated() throws(ValidationError) -> RetentionPolicy {
        try ValidationError.check(issues())
        return self
    }

    /// Data of a tier older than its cutoff is deleted; nil means nothing is.
    public func cutoffs(now: Date) -> (raw: Date, minute: Date, hour: Date?, plays: Date) {
        (now.addingTimeInterval(-raw), now.addingTimeInterval(-minute), hour.map { now.addingTimeInterval(-$0) }, now.addingTimeInterval(-plays))
    }

    /// The cutoff of the tier a step reads.
    public func cutoff(for step: QueryStep, now: Date) -> Date? {
        let c = cutoffs(now: now)
        switch step {
        case .raw: return c.raw
        case .minute: return c.minute
        case .hour: return c.hour
        }
    }
}
