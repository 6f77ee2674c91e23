public import Foundation

/// The resolution a readings query is answered at.
public enum QueryStep: String, CaseIterable, Codable, Hashable, Sendable {
    case raw
    case minute = "1m"
    case hour = "1h"

    /// Ranges up to this many seconds are answered from raw readings by `auto`.
    public static let rawMaxSpan: TimeInterval = 2 * 3600
    /// Ranges up to this many seconds are answered from 1-minute rollups by `auto`; longer from 1-hour.
    public static let minuteMaxSpan: TimeInterval = 3 * 86_400

    /// The rollup tier this step reads; nil for raw.
    public var tier: RollupTier? {
        switch self {
        case .raw: return nil
        case .minute: return .minute
        case .hour: return .hour
        }
    }

    /// The step `step=auto` picks: raw up to 2 h, 1-minute up to 3 days, else 1-hour, which keeps
    /// an answer to a few thousand points per series (3 days is 4,320 minutes; 30 days 720 hours).
    ///
    /// Then moves to a coarser tier while `from` lies before the chosen tier's retention cutoff,
    /// so a range is never answered from a tier whose older part is gone; when every tier has
    /// lost part of the range, the 1-hour tier, which reaches back furthest, answers.
    public static func auto(from: Date, to: Date, now: Date, retention: RetentionPolicy = .standard) -> QueryStep {
        let span = max(0, to.timeIntervalSince(from))
        var step: QueryStep = span <= rawMaxSpan ? .raw : span <= minuteMaxSpan ? .minute : .hour
        while step != .hour, let cutoff = retention.cutoff(for: step, now: now), from < cutoff {
            step = step == .raw ? .minute : .hour
        }
        return step
    }
}
