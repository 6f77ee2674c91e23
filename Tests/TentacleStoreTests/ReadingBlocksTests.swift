import Foundation
import GRDB
import PostgresNIO
import TentacleCore
@testable import TentacleStore
import Testing

/// Raw readings and minute cells are stored packed per series and hour; the packing must give
/// back exactly what went in, refuse bytes it did not write, and keep every query's answers.
@Suite("Reading blocks")
struct ReadingBlocksTests {
    static let hour: Int64 = 1_767_225_600_000

    // MARK: - Raw chunks

    @Test func rawChunksRoundTripEveryValue() {
        var rng = SplitMix64(seed: 7)
        let special: [Double] = [0, -0.0, .pi, -1e300, 1e-300, .greatestFiniteMagnitude, -.leastNonzeroMagnitude]
        for count in [0, 1, 2, 59, RawChunk.capacity] {
            let readings = (0..<count).map { i in
                TimedValue(
                    // The first and last millisecond of the hour, then anywhere in it.
                    time: Self.hour + (i == 0 ? 0 : (i == 1 ? 3_599_999 : Int64.random(in: 0..<3_600_000, using: &rng))),
                    value: i < special.count ? special[i] : Double.random(in: -1e6...1e6, using: &rng))
            }
            let bytes = RawChunk.encode(readings, hour: Self.hour)
            #expect(bytes.count == count * 12)
            let back = RawChunk.decode(bytes, hour: Self.hour)
            #expect(back?.map(\.time) == readings.map(\.time))
            #expect(back?.map(\.value.bitPattern) == readings.map(\.value.bitPattern))
        }
    }

    @Test func rawChunksThatAreNoWholeReadingsInTheHourAreRefused() {
        let bytes = RawChunk.encode([TimedValue(time: Self.hour + 1, value: 2), TimedValue(time: Self.hour + 3, value: 4)], hour: Self.hour)
        for cut in 1..<12 {
            #expect(RawChunk.decode(Array(bytes.dropLast(cut)), hour: Self.hour) == nil)
        }
        #expect(RawChunk.decode(Array(bytes.dropLast(12)), hour: Self.hour)?.count == 1)
        // A time an hour or more past the hour's start.
        let outside = RawChunk.encode([TimedValue(time: Self.hour + 3_600_000, value: 1)], hour: Self.hour)
        #expect(RawChunk.decode(outside, hour: Self.hour) == nil)
    }

    @Test func cursorPositionsFollowChunksThenIndex() {
        #expect(RawChunk.position(chunk: 0, index: 59) < RawChunk.position(chunk: 1, index: 0))
        #expect(RawChunk.position(chunk: 3, index: 2) == 3 << 16 | 2)
    }

    // MARK: - Minute cells

    static func randomCells(_ rng: inout SplitMix64) -> MinuteCells {
        var cells = MinuteCells(hour: hour)
        for _ in 0..<Int.random(in: 0...300, using: &rng) {
            // Minutes 0 and 59 and the first and last millisecond of a minute all come up.
            let minute = [0, 59, Int.random(in: 0..<60, using: &rng)].randomElement(using: &rng)!
            let offset = [0, 59_999, Int64.random(in: 0..<60_000, using: &rng)].randomElement(using: &rng)!
            cells.merge(TimedValue(time: hour + Int64(minute) * 60_000 + offset, value: Double.random(in: -500...500, using: &rng)))
        }
        return cells
    }

    @Test func minuteCellsRoundTrip() {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<200 {
            let cells = Self.randomCells(&rng)
            let back = MinuteCells(hour: Self.hour, bytes: cells.encoded())
            #expect(back == cells)
        }
        #expect(MinuteCells(hour: Self.hour, bytes: [])?.count == 0)
    }

    @Test func aCellOfOneReadingTakesElevenBytesAndOfManyThirtyNine() {
        var cells = MinuteCells(hour: Self.hour)
        cells.merge(TimedValue(time: Self.hour + 5, value: 1))
        #expect(cells.encoded().count == 11)
        cells.merge(TimedValue(time: Self.hour + 6, value: 2))
        #expect(cells.encoded().count == 39)
        let cell = cells.points[0].cell
        #expect(cell.count == 2 && cell.min == 1 && cell.max == 2 && cell.sum == 3 && cell.last == 2 && cell.lastTime == Self.hour + 6)
    }

    /// Readings of one series anywhere in the hour, with whole values so equal ones come up.
    static func randomReadings(_ count: ClosedRange<Int>, _ rng: inout SplitMix64) -> [Reading] {
        (0..<Int.random(in: count, using: &rng)).map { _ in
            Reading(
                source: "s", metric: "m", time: hour + Int64.random(in: 0..<3_600_000, using: &rng),
                value: Double.random(in: 0...100, using: &rng).rounded())
        }
    }

    @Test func minuteCellsMergeLikeRollupCells() {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<100 {
            let readings = Self.randomReadings(1...120, &rng)
            // Stored in two parts, the second merged into the decoded first, as two batches are.
            let split = Int.random(in: 0...readings.count, using: &rng)
            var first = MinuteCells(hour: Self.hour)
            for r in readings[..<split] { first.merge(TimedValue(time: r.time, value: r.value)) }
            var cells = MinuteCells(hour: Self.hour, bytes: first.encoded())!
            for r in readings[split...] { cells.merge(TimedValue(time: r.time, value: r.value)) }
            let expected = RollupTier.minute.rollUp(readings).sorted { $0.key.bucketStart < $1.key.bucketStart }
            #expect(cells.points.map(\.bucketStart) == expected.map(\.key.bucketStart))
            #expect(cells.points.map(\.cell) == expected.map(\.value))
        }
    }

    @Test func minuteCellsOfSeparateArrivalsMergedInOrderAreTheCellsOfAllTheirReadings() {
        var rng = SplitMix64(seed: 9)
        for _ in 0..<100 {
            let readings = Self.randomReadings(1...150, &rng)
            // Each arrival packed on its own, as PostgreSQL keeps them, then merged oldest first.
            var cuts = (0..<Int.random(in: 0...4, using: &rng)).map { _ in Int.random(in: 0...readings.count, using: &rng) }
            cuts = [0] + cuts.sorted() + [readings.count]
            var merged = MinuteCells(hour: Self.hour)
            for (start, end) in zip(cuts, cuts.dropFirst()) {
                var part = MinuteCells(hour: Self.hour)
                for r in readings[start..<end] { part.merge(TimedValue(time: r.time, value: r.value)) }
                merged.merge(MinuteCells(hour: Self.hour, bytes: part.encoded())!)
            }
            let expected = RollupTier.minute.rollUp(readings).sorted { $0.key.bucketStart < $1.key.bucketStart }
            #expect(merged.points.map(\.bucketStart) == expected.map(\.key.bucketStart))
            #expect(merged.points.map(\.cell) == expected.map(\.value))
        }
    }

    @Test func damagedMinuteCellsAreRefused() {
        var cells = MinuteCells(hour: Self.hour)
        cells.merge(TimedValue(time: Self.hour + 60_000, value: 1))
        cells.merge(TimedValue(time: Self.hour + 60_001, value: 2))
        cells.merge(TimedValue(time: Self.hour + 120_000, value: 3))
        let bytes = cells.encoded()
        #expect(bytes.count == 39 + 11)
        // Every cut inside a cell; a cut between cells leaves a shorter valid block.
        for cut in 1..<bytes.count where cut != 11 {
            #expect(MinuteCells(hour: Self.hour, bytes: Array(bytes.dropLast(cut))) == nil, "cut \(cut)")
        }
        func changed(_ at: Int, _ byte: UInt8) -> [UInt8] {
            var b = bytes
            b[at] = byte
            return b
        }
        #expect(MinuteCells(hour: Self.hour, bytes: changed(0, 0x80 | 60)) == nil)  // minute past the hour
        #expect(MinuteCells(hour: Self.hour, bytes: changed(39, 1)) == nil)  // minutes out of order
        #expect(MinuteCells(hour: Self.hour, bytes: changed(0, 1)) == nil)  // a cell of many read as one: the rest is no cell
        #expect(MinuteCells(hour: Self.hour, bytes: changed(39, 0)) == nil)
        var zero = bytes
        zero.replaceSubrange(1..<5, with: [1, 0, 0, 0])
        #expect(MinuteCells(hour: Self.hour, bytes: zero) == nil)  // "many" with a count of one
        var late = bytes
        late.replaceSubrange(5..<7, with: [0x60, 0xEA])  // 60,000 ms into the minute
        #expect(MinuteCells(hour: Self.hour, bytes: late) == nil)
    }

    @Test func removingBeforeATimeDropsWholeMinutesOnly() {
        var cells = MinuteCells(hour: Self.hour)
        for minute in [0, 10, 11, 59] { cells.merge(TimedValue(time: Self.hour + Int64(minute) * 60_000 + 30_000, value: 1)) }
        // A cutoff inside minute 10 keeps minute 10: a cell is kept by the start of its bucket.
        #expect(cells.removeBefore(Self.hour + 10 * 60_000 + 1) == 2)
        #expect(cells.points.map(\.bucketStart) == [11, 59].map { Self.hour + Int64($0) * 60_000 })
        #expect(cells.removeBefore(Self.hour) == 0)
        #expect(cells.removeBefore(Self.hour + 3_600_000) == 2)
        #expect(cells.count == 0)
    }

    @Test func hourFloorNeverLeavesInt64() {
        #expect(RollupTier.hourFloor(.min) == .min)
        #expect(RollupTier.hourFloor(.min + 5) == .min)
        #expect(RollupTier.hourFloor(Self.hour + 1) == Self.hour)
        #expect(RollupTier.hourFloor(-1) == -3_600_000)
        #expect(RollupTier.hourFloor(.max) == RollupTier.hour.bucketStart(.max))
    }

    // MARK: - Through the store

    @Test(arguments: [Backend.sqlite])
    func batchesFillChunksAndPagesKeepArrivalOrderAcrossThem(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            // 7 batches of 0...130 readings into two hours, many at equal times, so chunks fill,
            // overflow into new ones and equal times are spread over several chunks.
            var rng = SplitMix64(seed: 3)
            var sent: [Reading] = []
            for sequence in 0..<7 {
                let readings = (0..<[1, 79, 80, 81, 170, 2, 45][sequence]).map { _ in
                    Reading(
                        source: "d-1", metric: "lux", time: Self.hour + Int64.random(in: 0..<8, using: &rng) * 900_000,
                        value: Double(sent.count + Int.random(in: 0..<1000, using: &rng)))
                }
                sent += readings
                _ = try await h.store.ingest([ReadingBatch(source: "d-1", sequence: Int64(sequence), readings: readings)], at: StoreHarness.time)
            }
            // Expected order: time, then arrival.
            let expected = sent.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
            for limit in [1, 7, 60, 1000] {
                var collected: [Reading] = []
                var cursor: ReadingCursor?
                repeat {
                    let page = try await h.store.rawReadings(source: "d-1", metric: "lux", from: 0, to: .max, after: cursor, limit: limit)
                    #expect(page.readings.count <= limit)
                    collected += page.readings
                    cursor = page.next
                } while cursor != nil
                #expect(collected == expected, "limit \(limit)")
            }
            // Appended chunks are still blobs of whole readings.
            let store = try #require(h.store as? SQLiteStore)
            let chunks = try await store.pool.read { db in
                try Row.fetchAll(db, sql: "SELECT typeof(readings) AS type, length(readings) AS bytes, count FROM reading_blocks")
            }
            #expect(chunks.count > 2)
            for chunk in chunks {
                #expect(chunk["type"] as String == "blob")
                #expect(chunk["bytes"] as Int == RawChunk.stride * (chunk["count"] as Int))
                #expect((1...RawChunk.capacity).contains(chunk["count"] as Int))
            }
            // A range that starts and ends inside hours.
            let from = Self.hour + 900_000, to = Self.hour + 5 * 900_000
            let inside = try await h.store.rawReadings(source: "d-1", metric: "lux", from: from, to: to, after: nil, limit: 10_000)
            #expect(inside.readings == expected.filter { $0.time >= from && $0.time < to })
            #expect(try await h.store.rawReadings(source: "d-1", metric: "lux", from: to, to: from, after: nil, limit: 10).readings.isEmpty)
        }
    }

    @Test(arguments: Backend.all)
    func aBatchOverManyHoursGivesTheCellsOfRecomputation(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            // 150 hours × 2 metrics: more hour cells than one multi-row statement takes, twice over.
            var rng = SplitMix64(seed: 21)
            var all: [Reading] = []
            for sequence in 0..<2 {
                var readings: [Reading] = []
                for i in 0..<900 {
                    let hour: Int64 = Self.hour + Int64(i / 6 % 150) * 3_600_000
                    let time = hour + Int64.random(in: 0..<3_600_000, using: &rng)
                    let value = Double(Int.random(in: 0...400, using: &rng))
                    readings.append(Reading(source: "d-1", metric: i % 2 == 0 ? "pm25" : "lux", time: time, value: value))
                }
                all += readings
                _ = try await h.store.ingest([ReadingBatch(source: "d-1", sequence: Int64(sequence), readings: readings)], at: StoreHarness.time)
            }
            for tier in RollupTier.allCases {
                for metric in ["pm25", "lux"] {
                    let expected = tier.rollUp(all.filter { $0.metric == metric }).sorted { $0.key.bucketStart < $1.key.bucketStart }
                    let stored = try await h.store.rollups(source: "d-1", metric: metric, tier: tier, from: 0, to: .max)
                    #expect(stored.map(\.bucketStart) == expected.map(\.key.bucketStart))
                    #expect(stored.map(\.cell) == expected.map(\.value), "\(tier) \(metric)")
                }
            }
            let raw = try await h.store.rawReadings(source: "d-1", metric: "lux", from: 0, to: .max, after: nil, limit: 10_000)
            #expect(raw.readings.count == 900)
        }
    }

    @Test(arguments: Backend.all)
    func retentionInsideAnHourCountsExactly(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            // One reading every 10 minutes over two hours: 12 readings, 12 minute cells.
            let readings = (0..<12).map { ("noise_dba", Self.hour + Int64($0) * 600_000, Double($0)) }
            _ = try await h.store.ingest([TelemetryRepositoryTests.batch("d-1", 0, readings)], at: StoreHarness.time)
            // Cutoffs 25 and 65 minutes in: three raw readings go (0, 10, 20 minutes), seven minute cells.
            let counts = try await h.store.deleteExpired(RetentionCutoffs(raw: Self.hour + 25 * 60_000, minute: Self.hour + 65 * 60_000, hour: nil))
            #expect(counts == RetentionCounts(raw: 3, minute: 7, hour: 0))
            let raw = try await h.store.rawReadings(source: "d-1", metric: "noise_dba", from: 0, to: .max, after: nil, limit: 100)
            #expect(raw.readings.map(\.value) == (3..<12).map(Double.init))
            let minutes = try await h.store.rollups(source: "d-1", metric: "noise_dba", tier: .minute, from: 0, to: .max)
            #expect(minutes.map(\.cell.last) == (7..<12).map(Double.init))
            // New readings in a trimmed hour go on after what is left.
            _ = try await h.store.ingest(
                [TelemetryRepositoryTests.batch("d-1", 1, [("noise_dba", Self.hour + 30 * 60_000, 99)])], at: StoreHarness.time)
            let again = try await h.store.rawReadings(source: "d-1", metric: "noise_dba", from: 0, to: Self.hour + 3_600_000, after: nil, limit: 100)
            #expect(again.readings.map(\.value) == [3, 99, 4, 5])
            #expect(try await h.store.deleteExpired(RetentionCutoffs(raw: Self.hour + 25 * 60_000, minute: Self.hour, hour: nil)) == RetentionCounts())
        }
    }

    @Test func readingsAndMinuteCellsOfTheRowLayoutMoveIntoBlocks() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("blocks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("t.sqlite").path
        // A database as the previous release left it: one row per reading and per minute cell.
        var rng = SplitMix64(seed: 9)
        var rows: [(series: Int64, time: Int64, value: Double)] = []
        for _ in 0..<300 {
            rows.append((Int64.random(in: 1...2, using: &rng), Self.hour + Int64.random(in: 0..<10_800, using: &rng) * 1000, Double(rows.count)))
        }
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteStore.migrator.migrate(queue, upTo: "v6-sensors")
            try await queue.write { [rows] db in
                try db.execute(sql: "INSERT INTO series (id, source, metric) VALUES (1, 'd-1', 'pm25'), (2, 'd-1', 'lux')")
                for row in rows {
                    try db.execute(sql: "INSERT INTO readings (series, time, value) VALUES (?, ?, ?)", arguments: [row.series, row.time, row.value])
                }
                for series in [Int64(1), 2] {
                    let readings = rows.filter { $0.series == series }.map { Reading(source: "d-1", metric: "m", time: $0.time, value: $0.value) }
                    for (key, cell) in RollupTier.minute.rollUp(readings) {
                        try db.execute(
                            sql: #"INSERT INTO rollups_1m (series, bucket, "min", "max", "sum", "count", last, last_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"#,
                            arguments: [series, key.bucketStart, cell.min, cell.max, cell.sum, cell.count, cell.last, cell.lastTime])
                    }
                }
            }
        }
        let store = try SQLiteStore(path: path)
        for (series, metric) in [(Int64(1), "pm25"), (2, "lux")] {
            let mine = rows.enumerated().filter { $0.element.series == series }
                .sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
            let raw = try await store.rawReadings(source: "d-1", metric: metric, from: 0, to: .max, after: nil, limit: 1000)
            #expect(raw.readings.map(\.time) == mine.map(\.time))
            #expect(raw.readings.map(\.value) == mine.map(\.value))
            let expected = RollupTier.minute.rollUp(mine.map { Reading(source: "d-1", metric: metric, time: $0.time, value: $0.value) })
                .sorted { $0.key.bucketStart < $1.key.bucketStart }
            let cells = try await store.rollups(source: "d-1", metric: metric, tier: .minute, from: 0, to: .max)
            #expect(cells.map(\.bucketStart) == expected.map(\.key.bucketStart))
            #expect(cells.map(\.cell) == expected.map(\.value))
        }
        let tables = try await store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('readings', 'rollups_1m')")
        }
        #expect(tables.isEmpty)
    }

    @Test func aDamagedCellOfTheRowLayoutStopsTheMigrationAndChangesNothing() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("blocks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("t.sqlite").path
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteStore.migrator.migrate(queue, upTo: "v6-sensors")
            try await queue.write { db in
                try db.execute(sql: "INSERT INTO series (id, source, metric) VALUES (1, 'd-1', 'pm25')")
                // Its last value lies two minutes after the cell's bucket.
                try db.execute(
                    sql: #"INSERT INTO rollups_1m (series, bucket, "min", "max", "sum", "count", last, last_time) VALUES (1, ?, 1, 1, 1, 1, 1, ?)"#,
                    arguments: [Self.hour, Self.hour + 120_000])
            }
        }
        #expect(throws: DatabaseError.self) { try SQLiteStore(path: path) }
        let queue = try DatabaseQueue(path: path)
        let applied = try await queue.read { db in try SQLiteStore.migrator.appliedMigrations(db) }
        #expect(applied.last == "v6-sensors")
        #expect(try await queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM rollups_1m") } == 1)
    }

    /// A sensor that sends a batch every minute: on PostgreSQL each batch is a row of its hour
    /// until the retention pass merges the rows of hours closed an hour ago or more into one. The
    /// answers are the same before and after, on both backends, and later arrivals still merge.
    @Test(arguments: Backend.all)
    func closedHoursOfManyBatchesAreMergedAndAnswerAsBefore(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            try await h.store.createDisplay(makeDisplay("d-1", district: "north", lat: 52.5, lon: 13.4), audit: audit("display.create", "d-1"))
            let now = Reading.milliseconds(StoreHarness.time)
            let minute: Int64 = 60_000
            var rng = SplitMix64(seed: 21)
            var all: [Reading] = []
            // Four hours before the store's clock: three closed ones and the one just ended; a batch a minute.
            for m in 0..<240 {
                let start = now - 4 * 3_600_000 + Int64(m) * minute
                let readings = (0..<3).map { _ in
                    Reading(source: "d-1", metric: "pm25", time: start + Int64.random(in: 0..<90_000, using: &rng), value: Double(Int.random(in: 0...99, using: &rng)))
                }
                all += readings
                _ = try await h.store.ingest([ReadingBatch(source: "d-1", sequence: Int64(m), readings: readings)], at: StoreHarness.time)
            }
            func answers() async throws -> ([RollupPoint], [DistrictAggregate]) {
                (try await h.store.rollups(source: "d-1", metric: "pm25", tier: .minute, from: 0, to: .max),
                 try await h.store.aggregate(metric: "pm25", tier: .minute, area: ReadingArea(), from: now - 3 * 3_600_000 - 1_800_000, to: now))
            }
            let before = try await answers()
            let expected = RollupTier.minute.rollUp(all).sorted { $0.key.bucketStart < $1.key.bucketStart }
            #expect(before.0.map(\.cell) == expected.map(\.value))
            #expect(try await h.store.deleteExpired(RetentionCutoffs(raw: 0, minute: 0, hour: nil)) == RetentionCounts())
            let after = try await answers()
            #expect(before.1.first?.count == all.filter { $0.time >= now - 3 * 3_600_000 - 1_800_000 }.count)
            #expect(after.0 == before.0)
            #expect(after.1 == before.1)
            if let store = h.store as? PostgresStore {
                var rows: [Int64: Int] = [:]
                for try await (hour, count) in try await store.client.query("SELECT hour, count(*) FROM minute_blocks GROUP BY hour").decode((Int64, Int).self) {
                    rows[hour] = count
                }
                // The three closed hours are one row each; the hour that ended less than an hour ago keeps its rows.
                let hour = RollupTier.hourFloor(now)
                #expect(rows[hour - 4 * 3_600_000] == 1 && rows[hour - 3 * 3_600_000] == 1 && rows[hour - 2 * 3_600_000] == 1)
                #expect((rows[hour - 3_600_000] ?? 0) > 1)
            }
            // A late reading for a merged hour lands after what was merged, and counts.
            let late = now - 4 * 3_600_000 + 5 * minute
            _ = try await h.store.ingest([ReadingBatch(source: "d-1", sequence: 999, readings: [Reading(source: "d-1", metric: "pm25", time: late, value: 1_000)])], at: StoreHarness.time)
            let cell = try await h.store.rollups(source: "d-1", metric: "pm25", tier: .minute, from: late - late % minute, to: late - late % minute + minute).first?.cell
            let old = expected.first { $0.key.bucketStart == late - late % minute }?.value
            #expect(cell?.count == (old?.count ?? 0) + 1)
            #expect(cell?.max == 1_000)
            #expect(cell?.last == 1_000 || (old?.lastTime ?? 0) > late)

            // A pass that stops partway (its row limit) leaves every answer as it was; the next goes on.
            guard let store = h.store as? PostgresStore else { return }
            for m in 0..<50 {
                let readings = [Reading(source: "d-2", metric: "pm25", time: now - 4 * 3_600_000 + Int64(m) * 3 * minute, value: Double(m))]
                _ = try await store.ingest([ReadingBatch(source: "d-2", sequence: Int64(m), readings: readings)], at: StoreHarness.time)
            }
            let whole = try await store.rollups(source: "d-2", metric: "pm25", tier: .minute, from: 0, to: .max)
            var series: [Int64] = []
            for try await id in try await store.client.query("SELECT id FROM series").decode(Int64.self) { series.append(id) }
            var passes = 0
            while try await store.client.withConnection({ try await store.compactMinutes(series: series, closedBefore: now, limit: 7, $0) }) > 0 {
                passes += 1
                #expect(try await store.rollups(source: "d-2", metric: "pm25", tier: .minute, from: 0, to: .max) == whole)
            }
            #expect(passes > 3)
            var left = 0
            for try await count in try await store.client.query("SELECT count(*) FROM minute_blocks GROUP BY series, hour HAVING count(*) > 1").decode(Int.self) {
                left += count
            }
            #expect(left == 0)
        }
    }

    /// A PostgreSQL database from before pg5, with minute cells as rows of `rollups_1m`, keeps
    /// every cell when the migration packs them into `minute_blocks`.
    @Test(.enabled(if: Backend.postgres != nil), arguments: Backend.postgres.map { [$0] } ?? [])
    func postgresMinuteCellRowsArePackedIntoBlocks(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            var rng = SplitMix64(seed: 8)
            let readings = (0..<400).map { _ in
                Reading(source: ["d-1", "d-2"].randomElement(using: &rng)!, metric: "pm25",
                    time: Self.hour + Int64.random(in: 0..<(3 * 3_600_000), using: &rng), value: Double(Int.random(in: 0...99, using: &rng)))
            }
            let store = try #require(h.store as? PostgresStore)
            // Back to the layout before pg5: the cells as rows, the migration not applied.
            let ddl = try #require(PostgresSchema.telemetry.first { $0.contains("CREATE TABLE rollups_1m") })
            try await store.client.query("DROP TABLE minute_blocks")
            try await store.client.query(PostgresQuery(unsafeSQL: ddl))
            try await store.client.query("DELETE FROM schema_migrations WHERE name = 'pg5-minute-blocks'")
            for (source, id) in [("d-1", Int64(1)), ("d-2", Int64(2))] {
                try await store.client.query("INSERT INTO series (id, source, metric) OVERRIDING SYSTEM VALUE VALUES (\(id), \(source), 'pm25')")
                for (key, cell) in RollupTier.minute.rollUp(readings.filter { $0.source == source }) {
                    try await store.client.query(
                        """
                        INSERT INTO rollups_1m (series, bucket, "min", "max", "sum", "count", last, last_time)
                        VALUES (\(id), \(key.bucketStart), \(cell.min), \(cell.max), \(cell.sum), \(Int64(cell.count)), \(cell.last), \(cell.lastTime))
                        """)
                }
            }
            try await h.reopen()
            for source in ["d-1", "d-2"] {
                let expected = RollupTier.minute.rollUp(readings.filter { $0.source == source }).sorted { $0.key.bucketStart < $1.key.bucketStart }
                let stored = try await h.store.rollups(source: source, metric: "pm25", tier: .minute, from: 0, to: .max)
                #expect(stored.map(\.bucketStart) == expected.map(\.key.bucketStart))
                #expect(stored.map(\.cell) == expected.map(\.value))
            }
            let reopened = try #require(h.store as? PostgresStore)
            let old = try await reopened.client.query("SELECT count(*) FROM pg_tables WHERE tablename = 'rollups_1m'").decode(Int.self).reduce(0, +)
            #expect(old == 0)
            let rows = try await reopened.client.query("SELECT count(*) FROM minute_blocks").decode(Int.self).reduce(0, +)
            #expect(rows == 6)  // two series × three hours
        }
    }

    /// Random batches and retention passes against a model that keeps readings in a list and
    /// cells in a dictionary: whatever the packing does, the answers must be the model's.
    @Test(arguments: Backend.all)
    func randomIngestAndRetentionAnswerLikeAModel(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            var rng = SplitMix64(seed: 77)
            let series = [("d-1", "pm25"), ("d-1", "lux"), ("d-2", "pm25")]
            var raw: [String: [(time: Int64, arrival: Int, value: Double)]] = [:]
            var cells: [RollupKey: RollupCell] = [:]
            var arrival = 0
            var rawCutoff = Int64.min, minuteCutoff = Int64.min
            var deleted = RetentionCounts()
            func name(_ source: String, _ metric: String) -> String { source + "/" + metric }
            for round in 0..<60 {
                if round % 7 == 6 {
                    // Cutoffs move forward to anywhere inside the six hours, mid-hour and mid-minute.
                    rawCutoff = max(rawCutoff, Self.hour + Int64.random(in: 0..<6 * 3_600_000, using: &rng))
                    minuteCutoff = max(minuteCutoff, rawCutoff - Int64.random(in: 0..<3_600_000, using: &rng))
                    let counts = try await h.store.deleteExpired(RetentionCutoffs(raw: rawCutoff, minute: minuteCutoff, hour: nil))
                    var gone = RetentionCounts()
                    for key in raw.keys {
                        gone.raw += raw[key]!.count
                        raw[key]!.removeAll { $0.time < rawCutoff }
                        gone.raw -= raw[key]!.count
                    }
                    for key in cells.keys where key.tier == .minute && key.bucketStart < minuteCutoff {
                        cells[key] = nil
                        gone.minute += 1
                    }
                    #expect(counts == gone, "round \(round)")
                    deleted.raw += gone.raw
                    deleted.minute += gone.minute
                    continue
                }
                let source = ["d-1", "d-2"].randomElement(using: &rng)!
                var readings: [Reading] = []
                for _ in 0..<Int.random(in: 1...150, using: &rng) {
                    let metric = series.filter { $0.0 == source }.randomElement(using: &rng)!.1
                    let time = Self.hour + Int64.random(in: 0..<360, using: &rng) * 60_000 + Int64.random(in: 0..<3, using: &rng) * 20_000
                    readings.append(Reading(source: source, metric: metric, time: time, value: Double(Int.random(in: 0...99, using: &rng))))
                }
                _ = try await h.store.ingest([ReadingBatch(source: source, sequence: Int64(round), readings: readings)], at: StoreHarness.time)
                for r in readings {
                    raw[name(r.source, r.metric), default: []].append((r.time, arrival, r.value))
                    arrival += 1
                    for tier in RollupTier.allCases {
                        let key = RollupKey(r, tier: tier)
                        if cells[key]?.merge(r) == nil { cells[key] = RollupCell(r) }
                    }
                }
            }
            // The passes did delete, and left something to compare.
            #expect(deleted.raw > 100 && deleted.minute > 100)
            #expect(raw.values.allSatisfy { $0.count > 50 })
            for (source, metric) in series {
                let expected = (raw[name(source, metric)] ?? []).sorted { ($0.time, $0.arrival) < ($1.time, $1.arrival) }
                var collected: [Reading] = []
                var cursor: ReadingCursor?
                let limit = Int.random(in: 1...90, using: &rng)
                repeat {
                    let page = try await h.store.rawReadings(source: source, metric: metric, from: 0, to: .max, after: cursor, limit: limit)
                    collected += page.readings
                    cursor = page.next
                } while cursor != nil
                #expect(collected.map(\.time) == expected.map(\.time))
                #expect(collected.map(\.value) == expected.map(\.value))
                for tier in RollupTier.allCases {
                    let want = cells.filter { $0.key.source == source && $0.key.metric == metric && $0.key.tier == tier }
                        .sorted { $0.key.bucketStart < $1.key.bucketStart }
                    let stored = try await h.store.rollups(source: source, metric: metric, tier: tier, from: 0, to: .max)
                    #expect(stored.map(\.bucketStart) == want.map(\.key.bucketStart), "\(source) \(metric) \(tier)")
                    #expect(stored.map(\.cell) == want.map(\.value), "\(source) \(metric) \(tier)")
                }
            }
        }
    }
}
