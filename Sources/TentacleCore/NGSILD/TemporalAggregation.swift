import Foundation

/// NGSI-LD aggregated temporal values (`aggrMethods`, `aggrPeriodDuration`) from Tentacle's
/// rollups: each period is the merge of the rollup cells whose buckets start inside it.
public enum TemporalAggregation {
    /// The methods a rollup cell can answer: it holds count, sum, minimum and maximum.
    public enum Method: String, CaseIterable, Hashable, Sendable {
        case totalCount, sum, avg, min, max

        public func value(_ cell: RollupCell) -> Double {
            switch self {
            case .totalCount: Double(cell.count)
            case .sum: cell.sum
            case .avg: cell.mean
            case .min: cell.min
            case .max: cell.max
            }
        }

        /// Whether the unit factor of an attribute applies (a count has no unit).
        public var scales: Bool { self != .totalCount }

        /// Parses `aggrMethods`; refuses methods the rollups cannot answer.
        public static func parse(_ text: String) throws(NGSIQueryError) -> [Method] {
            var methods: [Method] = []
            for name in text.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
                guard let m = Method(rawValue: name) else {
                    let known = ["distinctCount", "stddev", "sumsq"].contains(name)
                    throw NGSIQueryError(
                        parameter: "aggrMethods",
                        message: known
                            ? "'\(name)' is not available: Tentacle's rollups hold count, sum, min and max (use totalCount, sum, avg, min, max)"
                            : "'\(name.prefix(40))' is not one of totalCount, sum, avg, min, max")
                }
                if !methods.contains(m) { methods.append(m) }
            }
            guard !methods.isEmpty else { throw NGSIQueryError(parameter: "aggrMethods", message: "name at least one method") }
            return methods
        }
    }

    /// One period and its merged cell.
    public struct Period: Hashable, Sendable {
        public var start: Int64
        public var end: Int64
        public var cell: RollupCell
    }

    /// The tier to read for a period: hours when the period is whole hours, else minutes.
    /// Periods must be whole minutes.
    public static func tier(period: Int64) throws(NGSIQueryError) -> RollupTier {
        guard period > 0, period % RollupTier.minute.width == 0 else {
            throw NGSIQueryError(parameter: "aggrPeriodDuration", message: "must be a whole number of minutes (the finest rollup is one minute)")
        }
        return period % RollupTier.hour.width == 0 ? .hour : .minute
    }

    /// Periods of `period` ms from the bucket holding `from`, each with the cells (in time
    /// order) whose buckets start in it; periods without readings are left out.
    public static func fold(_ points: [(bucketStart: Int64, cell: RollupCell)], from: Int64, tier: RollupTier, period: Int64) -> [Period] {
        let origin = tier.bucketStart(from)
        var periods: [Period] = []
        for point in points {
            let index = ReadingTime.floorDivide(point.bucketStart - origin, period).0
            let start = origin + index * period
            if let last = periods.last, last.start == start {
                periods[periods.count - 1].cell.merge(point.cell)
            } else {
                periods.append(Period(start: start, end: start + period, cell: point.cell))
            }
        }
        return periods
    }
}
