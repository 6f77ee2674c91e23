/// Min, max, sum, count and latest value of the readings in one bucket, kept up to date one
/// reading or one cell at a time, never by rescanning.
public struct RollupCell: Codable, Hashable, Sendable {
    public private(set) var min: Double
    public private(set) var max: Double
    public private(set) var sum: Double
    public private(set) var count: Int
    /// The value with the greatest time; among equal times, the one that arrived last.
    public private(set) var last: Double
    /// Milliseconds since 1970 of `last`.
    public private(set) var lastTime: Int64

    public init(value: Double, time: Int64) {
        min = value
        max = value
        sum = value
        count = 1
        last = value
        lastTime = time
    }

    public init(_ reading: Reading) {
        self.init(value: reading.value, time: reading.time)
    }

    /// A cell as a store kept it.
    public init(min: Double, max: Double, sum: Double, count: Int, last: Double, lastTime: Int64) {
        self.min = min
        self.max = max
        self.sum = sum
        self.count = count
        self.last = last
        self.lastTime = lastTime
    }

    public var mean: Double { sum / Double(count) }

    /// Adds a reading that arrived after everything in the cell, whatever its time.
    public mutating func merge(_ reading: Reading) {
        merge(RollupCell(reading))
    }

    /// Adds the readings of a cell that arrived after this one's.
    ///
    /// Associative, so a batch can be rolled up on its own and then merged into the stored cell;
    /// not commutative, because of how equal times are broken.
    public mutating func merge(_ later: RollupCell) {
        min = Swift.min(min, later.min)
        max = Swift.max(max, later.max)
        sum += later.sum
        count += later.count
        if later.lastTime >= lastTime {
            last = later.last
            lastTime = later.lastTime
        }
    }

    public static func merge(_ earlier: RollupCell, _ later: RollupCell) -> RollupCell {
        var cell = earlier
        cell.merge(later)
        return cell
    }
}
