import TentacleCore

/// Raw readings of one series in one UTC hour, packed as they arrived: 12 bytes per reading,
/// milliseconds into the hour (UInt32) and the value (Float64), both little-endian.
///
/// A chunk only ever grows at its end, so appending is a byte concatenation SQLite does itself
/// (`readings || ?`) and a reading keeps its place, which the raw query's cursor relies on.
enum RawChunk {
    /// Readings per chunk row: 960 bytes, so a row stays inside its B-tree page.
    static let capacity = 80
    static let stride = 12

    static func encode(_ readings: some Collection<TimedValue>, hour: Int64) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: readings.count * stride) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            var at = 0
            for r in readings {
                raw.storeBytes(of: UInt32(r.time - hour).littleEndian, toByteOffset: at, as: UInt32.self)
                raw.storeBytes(of: r.value.bitPattern.littleEndian, toByteOffset: at + 4, as: UInt64.self)
                at += stride
            }
            initialized = at
        }
    }

    /// The readings in `bytes`, in arrival order; nil unless the bytes are whole readings inside the hour.
    static func decode(_ bytes: UnsafeRawBufferPointer, hour: Int64) -> [TimedValue]? {
        guard bytes.count % stride == 0 else { return nil }
        var readings: [TimedValue] = []
        readings.reserveCapacity(bytes.count / stride)
        for at in Swift.stride(from: 0, to: bytes.count, by: stride) {
            let offset = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self))
            guard offset < RollupTier.hour.width else { return nil }
            let value = Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 4, as: UInt64.self)))
            readings.append(TimedValue(time: hour + Int64(offset), value: value))
        }
        return readings
    }

    static func decode(_ bytes: [UInt8], hour: Int64) -> [TimedValue]? {
        bytes.withUnsafeBytes { decode($0, hour: hour) }
    }

    /// The cursor position of the reading at `index` of chunk `chunk`: arrival order within an hour.
    static func position(chunk: Int64, index: Int) -> Int64 {
        chunk << 16 | Int64(index)
    }
}

/// One rollup cell's or block's place: a series and the start of its bucket (or hour).
struct SeriesBucket: Hashable {
    var series: Int64
    var bucket: Int64
}

/// One reading of a known series.
struct TimedValue: Hashable, Sendable {
    var time: Int64
    var value: Double
}

/// The 1-minute rollup cells of one series in one UTC hour, kept as one row and merged into as
/// batches arrive.
///
/// Each present cell, in minute order: a byte holding the minute, with the high bit set when the
/// cell holds more than one reading; then for one reading the time of its value as milliseconds
/// into the minute (UInt16) and the value; for more, the count (UInt32), the time of the last
/// value, then min, max, sum and last. All little-endian: 11 bytes for a cell of one reading
/// (most sensors report once a minute), 39 for more.
struct MinuteCells: Equatable {
    private(set) var cells: [RollupCell?] = Array(repeating: nil, count: 60)
    /// The hour's start, milliseconds since 1970.
    let hour: Int64

    private static let many: UInt8 = 0x80

    init(hour: Int64) {
        self.hour = hour
    }

    /// Reads a stored row; nil when the bytes are not a sequence of cells in minute order.
    init?(hour: Int64, bytes: UnsafeRawBufferPointer) {
        self.hour = hour
        var at = 0
        var previous = -1
        func double(_ i: Int) -> Double {
            Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at + i * 8, as: UInt64.self)))
        }
        while at < bytes.count {
            let head = bytes[at]
            let minute = Int(head & ~Self.many)
            let many = head & Self.many != 0
            guard minute < 60, minute > previous, bytes.count - at >= (many ? 39 : 11) else { return nil }
            previous = minute
            var count = 1
            if many {
                count = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 1, as: UInt32.self)))
                guard count > 1 else { return nil }
                at += 4
            }
            let offset = Int64(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 1, as: UInt16.self)))
            guard offset < 60_000 else { return nil }
            at += 3
            let lastTime = hour + Int64(minute) * 60_000 + offset
            if many {
                cells[minute] = RollupCell(min: double(0), max: double(1), sum: double(2), count: count, last: double(3), lastTime: lastTime)
                at += 32
            } else {
                cells[minute] = RollupCell(value: double(0), time: lastTime)
                at += 8
            }
        }
    }

    init?(hour: Int64, bytes: [UInt8]) {
        guard let cells = bytes.withUnsafeBytes({ MinuteCells(hour: hour, bytes: $0) }) else { return nil }
        self = cells
    }

    /// The minutes with a cell, as bits (minute 0 the lowest).
    var minutes: UInt64 {
        cells.enumerated().reduce(0) { bits, cell in cell.element == nil ? bits : bits | 1 << UInt64(cell.offset) }
    }

    /// Cells present.
    var count: Int { cells.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }

    /// Present cells with the start of their minute, in time order.
    var points: [(bucketStart: Int64, cell: RollupCell)] {
        cells.enumerated().compactMap { minute, cell in cell.map { (hour + Int64(minute) * 60_000, $0) } }
    }

    /// Adds a reading that arrived after everything already in its cell; `time` must lie in the hour.
    mutating func merge(_ reading: TimedValue) {
        let minute = Int((reading.time - hour) / 60_000)
        let cell = RollupCell(value: reading.value, time: reading.time)
        if cells[minute]?.merge(cell) == nil { cells[minute] = cell }
    }

    /// Puts a whole cell in the minute starting at `bucketStart`, which must lie in the hour.
    mutating func set(_ cell: RollupCell, at bucketStart: Int64) {
        cells[Int((bucketStart - hour) / 60_000)] = cell
    }

    /// Merges the cells of a later arrival into these, minute by minute, as `RollupCell.merge`
    /// does; both must be of the same hour.
    mutating func merge(_ later: MinuteCells) {
        for (minute, cell) in later.cells.enumerated() {
            guard let cell else { continue }
            if cells[minute]?.merge(cell) == nil { cells[minute] = cell }
        }
    }

    /// Drops the cells of minutes that start before `time`; returns how many were dropped.
    mutating func removeBefore(_ time: Int64) -> Int {
        var removed = 0
        for minute in 0..<60 where cells[minute] != nil && hour + Int64(minute) * 60_000 < time {
            cells[minute] = nil
            removed += 1
        }
        return removed
    }

    func encoded() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 60 * 39) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            var at = 0
            func put<T: FixedWidthInteger>(_ value: T) {
                raw.storeBytes(of: value.littleEndian, toByteOffset: at, as: T.self)
                at += MemoryLayout<T>.size
            }
            for (minute, cell) in cells.enumerated() {
                guard let cell else { continue }
                let offset = UInt16(cell.lastTime - hour - Int64(minute) * 60_000)
                if cell.count == 1 {
                    put(UInt8(minute))
                    put(offset)
                    put(cell.last.bitPattern)
                } else {
                    put(UInt8(minute) | Self.many)
                    put(UInt32(clamping: cell.count))
                    put(offset)
                    for v in [cell.min, cell.max, cell.sum, cell.last] { put(v.bitPattern) }
                }
            }
            initialized = at
        }
    }
}

/// The minute cells of one series read as rows of several hours, each hour's rows in arrival
/// order, merged into one `MinuteCells` per hour.
struct MinuteHours {
    private(set) var hours: [MinuteCells] = []

    mutating func add(_ cells: MinuteCells) {
        if hours.last?.hour == cells.hour {
            hours[hours.count - 1].merge(cells)
        } else {
            hours.append(cells)
        }
    }

    /// The cells whose minute starts in `from..<to`, in time order.
    func points(from: Int64, to: Int64) -> [RollupPoint] {
        hours.flatMap(\.points).filter { $0.bucketStart >= from && $0.bucketStart < to }.map { RollupPoint(bucketStart: $0.bucketStart, cell: $0.cell) }
    }
}

extension RollupTier {
    /// `bucketStart`, but the earliest hour for times in the first hour of Int64's range
    /// rather than a value below it (queries pass `from: 0` or `.min` for "everything").
    static func hourFloor(_ time: Int64) -> Int64 {
        time < Int64.min + RollupTier.hour.width ? Int64.min : RollupTier.hour.bucketStart(time)
    }
}

/// One page of a series' raw readings, built from its chunks read in (hour, chunk) order by
/// either backend. Readings of one time always share an hour, so each hour's chunks are sorted
/// on their own by (time, arrival) and the hours follow one another.
struct RawPageBuilder {
    let from: Int64
    let to: Int64
    let after: ReadingCursor?
    let limit: Int
    private var found: [(time: Int64, position: Int64, value: Double)] = []
    private var hour: [(time: Int64, position: Int64, value: Double)] = []
    private var currentHour: Int64?

    init(from: Int64, to: Int64, after: ReadingCursor?, limit: Int) {
        self.from = from
        self.to = to
        self.after = after
        self.limit = max(limit, 1)
    }

    /// The first hour whose chunks can hold readings of the page.
    var firstHour: Int64 {
        let first = RollupTier.hourFloor(from)
        return after.map { max(first, RollupTier.hourFloor($0.time)) } ?? first
    }

    /// Takes the readings of chunk `chunk` of hour `h`; false once the page is full, when the
    /// caller stops reading.
    mutating func add(_ readings: [TimedValue], hour h: Int64, chunk: Int64) -> Bool {
        if h != currentHour {
            finishHour()
            if found.count > limit { return false }
            currentHour = h
        }
        for (i, r) in readings.enumerated() where r.time >= from && r.time < to {
            let position = RawChunk.position(chunk: chunk, index: i)
            if let after, (r.time, position) <= (after.time, after.row) { continue }
            hour.append((r.time, position, r.value))
        }
        return true
    }

    private mutating func finishHour() {
        hour.sort { ($0.time, $0.position) < ($1.time, $1.position) }
        found += hour
        hour.removeAll(keepingCapacity: true)
    }

    /// The page, with the cursor of its last reading when more follow.
    mutating func page(source: String, metric: String) -> ReadingPage {
        finishHour()
        let page = found.prefix(limit)
        let next = found.count > limit ? page.last.map { ReadingCursor(time: $0.time, row: $0.position) } : nil
        return ReadingPage(readings: page.map { Reading(source: source, metric: metric, time: $0.time, value: $0.value) }, next: next)
    }
}
