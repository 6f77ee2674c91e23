import Foundation
import TentacleCore
import TentacleStore
import Testing

@Suite("Telemetry contract")
struct TelemetryRepositoryTests {
    static let t0: Int64 = 1_767_225_600_000

    static func batch(_ source: String, _ sequence: Int64, _ readings: [(String, Int64, Double)]) -> ReadingBatch {
        ReadingBatch(source: source, sequence: sequence, readings: readings.map { Reading(source: source, metric: $0.0, time: $0.1, value: $0.2) })
    }

    @Test(arguments: Backend.all)
    func aResentBatchIsADuplicateAndStoredOnce(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let b = Self.batch("d-1", 7, [("pm25", Self.t0, 10), ("pm25", Self.t0 + 1000, 12)])
            let first = try await h.store.ingest([b], at: StoreHarness.time)
            #expect(first == [BatchOutcome(source: "d-1", sequence: 7, result: .stored(2))])
            // Twice in one request and once more in a later one.
            let again = try await h.store.ingest([b, b], at: StoreHarness.time)
            #expect(again.map(\.result) == [.duplicate, .duplicate])
            let page = try await h.store.rawReadings(source: "d-1", metric: "pm25", from: 0, to: .max, after: nil, limit: 100)
            #expect(page.readings.map(\.value) == [10, 12])
            let cells = try await h.store.rollups(source: "d-1", metric: "pm25", tier: .minute, from: 0, to: .max)
            #expect(cells.map(\.cell.count) == [2])
        }
    }

    @Test(arguments: Backend.all)
    func aBatchIsKnownByItsEpochAsWellAsItsNumber(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            var old = Self.batch("d-1", 0, [("pm25", Self.t0, 10)])
            var new = Self.batch("d-1", 0, [("pm25", Self.t0 + 1000, 12)])
            new.epoch = 4_242
            #expect(try await h.store.ingest([old], at: StoreHarness.time).map(\.result) == [.stored(1)])
            // The same number in a new epoch is a new batch; a resend in either epoch is stored once.
            #expect(try await h.store.ingest([new, new, old], at: StoreHarness.time).map(\.result) == [.stored(1), .duplicate, .duplicate])
            old.sequence = 3
            _ = try await h.store.ingest([old], at: StoreHarness.time)
            let page = try await h.store.rawReadings(source: "d-1", metric: "pm25", from: 0, to: .max, after: nil, limit: 100)
            #expect(page.readings.map(\.value) == [10, 10, 12])

            let play = PlayRecord(displayId: "d-1", kind: "default", layoutId: "l", campaignId: nil, revision: nil, alertId: nil, start: Self.t0, end: Self.t0 + 1)
            let plays = [PlayBatch(displayId: "d-1", seq: 5, plays: [play]), PlayBatch(displayId: "d-1", epoch: 4_242, seq: 0, plays: [play])]
            #expect(try await h.store.recordPlays(plays + plays, at: StoreHarness.time) == [true, true, false, false])
            #expect(try await h.store.lastSequence(displayId: "d-1", epoch: 0) == 5)
            #expect(try await h.store.lastSequence(displayId: "d-1", epoch: 4_242) == 0)
            #expect(try await h.store.lastSequence(displayId: "d-1", epoch: 1) == nil)
        }
    }

    @Test(arguments: Backend.all)
    func lateAndOutOfOrderReadingsGiveTheRollupsOfRecomputation(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            var rng = SplitMix64(seed: 42)
            var all: [Reading] = []
            for sequence in 0..<40 {
                let readings = (0..<Int.random(in: 1...200, using: &rng)).map { _ in
                    // Times spread over three hours, in any order, with repeats, so cells get late,
                    // out-of-order and equal-time readings; batches of up to 200 readings fill and
                    // overflow raw chunks.
                    let time = Self.t0 + Int64.random(in: 0..<180, using: &rng) * 60_000 + Int64.random(in: 0..<4, using: &rng) * 15_000
                    return Reading(source: "d-1", metric: ["pm25", "lux"].randomElement(using: &rng)!, time: time, value: Double.random(in: 0...500, using: &rng).rounded())
                }
                all += readings
                _ = try await h.store.ingest([ReadingBatch(source: "d-1", sequence: Int64(sequence), readings: readings)], at: StoreHarness.time)
            }
            for tier in RollupTier.allCases {
                let expected = tier.rollUp(all)
                for metric in ["pm25", "lux"] {
                    let stored = try await h.store.rollups(source: "d-1", metric: metric, tier: tier, from: 0, to: .max)
                    let want = expected.filter { $0.key.metric == metric }.sorted { $0.key.bucketStart < $1.key.bucketStart }
                    #expect(stored.map(\.bucketStart) == want.map(\.key.bucketStart))
                    for (got, (_, cell)) in zip(stored, want) {
                        #expect(got.cell.min == cell.min && got.cell.max == cell.max && got.cell.count == cell.count)
                        #expect(got.cell.last == cell.last && got.cell.lastTime == cell.lastTime)
                        #expect(abs(got.cell.mean - cell.mean) <= 1e-9 * max(1, abs(cell.mean)))
                    }
                }
            }
            let latest = try await h.store.latest(LatestQuery(metric: "pm25"))
            let newest = all.filter { $0.metric == "pm25" }.enumerated().max { a, b in
                a.element.time != b.element.time ? a.element.time < b.element.time : a.offset < b.offset
            }?.element
            #expect(latest.map(\.reading) == [newest].compactMap { $0 })
        }
    }

    @Test(arguments: Backend.all)
    func rawReadingsPageInTimeOrder(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let readings = (0..<25).map { ("temp_c", Self.t0 + Int64(($0 * 7) % 25) / 2 * 1000, Double($0)) }
            _ = try await h.store.ingest([Self.batch("d-1", 0, readings)], at: StoreHarness.time)
            var collected: [Reading] = []
            var cursor: ReadingCursor?
            repeat {
                let page = try await h.store.rawReadings(source: "d-1", metric: "temp_c", from: Self.t0, to: Self.t0 + 60_000, after: cursor, limit: 4)
                collected += page.readings
                cursor = page.next
            } while cursor != nil
            #expect(collected.count == 25)
            #expect(collected.map(\.time) == collected.map(\.time).sorted())
            #expect(Set(collected.map(\.value)) == Set((0..<25).map(Double.init)))
        }
    }

    @Test(arguments: Backend.all)
    func latestAndAggregatesFollowTheDisplaysDistrict(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            try await h.store.createDisplay(makeDisplay("n-1", district: "north", lat: 52.5, lon: 13.4), audit: audit("display.create", "n-1"))
            try await h.store.createDisplay(makeDisplay("s-1", district: "south", lat: 48.1, lon: 11.5), audit: audit("display.create", "s-1"))
            _ = try await h.store.ingest(
                [
                    Self.batch("n-1", 0, [("pm25", Self.t0, 10), ("pm25", Self.t0 + 60_000, 30)]),
                    Self.batch("s-1", 0, [("pm25", Self.t0, 5)]),
                    Self.batch("sensor-x", 0, [("pm25", Self.t0, 99)]),
                ], at: StoreHarness.time)
            let everything = try await h.store.latest(LatestQuery())
            #expect(everything.map(\.reading.source) == ["n-1", "s-1", "sensor-x"])
            #expect(everything.map(\.district) == ["north", "south", nil])
            let north = try await h.store.latest(LatestQuery(area: ReadingArea(scope: .only(["north"]))))
            #expect(north.map(\.reading.value) == [30])
            let boxed = try await h.store.latest(LatestQuery(area: ReadingArea(bbox: BoundingBox(minLat: 48, minLon: 11, maxLat: 49, maxLon: 12))))
            #expect(boxed.map(\.reading.source) == ["s-1"])

            let aggregates = try await h.store.aggregate(metric: "pm25", tier: .minute, area: ReadingArea(), from: Self.t0, to: Self.t0 + 3_600_000)
            #expect(aggregates == [
                DistrictAggregate(district: "north", min: 10, max: 30, sum: 40, count: 2, sources: 1),
                DistrictAggregate(district: "south", min: 5, max: 5, sum: 5, count: 1, sources: 1),
            ])
            let scoped = try await h.store.aggregate(metric: "pm25", tier: .hour, area: ReadingArea(scope: .only(["south"])), from: Self.t0, to: Self.t0 + 3_600_000)
            #expect(scoped.map(\.district) == ["south"])
        }
    }

    @Test(arguments: Backend.all)
    func instantAggregatesTakeEachSourcesNewestReadingInTheWindow(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let minute: Int64 = 60_000
            let at = Self.t0 + 120 * minute  // a whole hour, so the minute before it lies in the hour before
            for (id, district) in [("n-1", "north"), ("n-2", "north"), ("s-1", "south")] {
                try await h.store.createDisplay(makeDisplay(id, district: district, lat: 48.1, lon: 11.5), audit: audit("display.create", id))
            }
            // A sensor on its own pole in the south, far from every display.
            try await h.store.createSensor(
                Sensor(id: "air-7", kind: .airQuality, metrics: ["pm25"], displayId: nil, poleId: "p-7", lat: 50, lon: 8, district: "south",
                       createdAt: StoreHarness.time),
                audit: audit("sensor.create", "sensor", "air-7"))
            _ = try await h.store.ingest(
                [
                    // Its newest reading comes after the instant, so the raw readings are searched.
                    Self.batch("n-1", 0, [("pm25", at - 10 * minute, 10), ("pm25", at - minute, 20), ("pm25", at + 5 * minute, 99)]),
                    Self.batch("n-2", 0, [("pm25", at - 20 * minute, 5)]),
                    // Two readings of one instant: the later arrival counts.
                    Self.batch("s-1", 0, [("pm25", at - 2 * minute, 7), ("pm25", at - 2 * minute, 8)]),
                    Self.batch("air-7", 0, [("pm25", at - 3 * minute, 30)]),
                    Self.batch("x-9", 0, [("pm25", at - minute, 1)]),
                ], at: StoreHarness.time)
            let quarter = 15 * minute
            #expect(try await h.store.aggregate(metric: "pm25", area: ReadingArea(), at: at, window: quarter) == [
                DistrictAggregate(district: "north", min: 20, max: 20, sum: 20, count: 1, sources: 1),
                DistrictAggregate(district: "south", min: 8, max: 30, sum: 38, count: 2, sources: 2),
            ])
            let wider = try await h.store.aggregate(metric: "pm25", area: ReadingArea(district: "north"), at: at, window: 30 * minute)
            #expect(wider == [DistrictAggregate(district: "north", min: 5, max: 20, sum: 25, count: 2, sources: 2)])
            let later = try await h.store.aggregate(metric: "pm25", area: ReadingArea(), at: at + 10 * minute, window: quarter)
            #expect(later.map(\.max) == [99, 30])
            // Before any reading, and for a metric nobody measures, there is nothing.
            #expect(try await h.store.aggregate(metric: "pm25", area: ReadingArea(), at: Self.t0, window: quarter).isEmpty)
            #expect(try await h.store.aggregate(metric: "lux", area: ReadingArea(), at: at, window: quarter).isEmpty)
            let box = BoundingBox(minLat: 49, minLon: 7, maxLat: 51, maxLon: 9)
            #expect(try await h.store.aggregate(metric: "pm25", area: ReadingArea(bbox: box), at: at, window: quarter).map(\.sum) == [30])
            let scoped = try await h.store.aggregate(metric: "pm25", area: ReadingArea(scope: .only(["north"])), at: at, window: quarter)
            #expect(scoped.map(\.district) == ["north"])
        }
    }

    @Test(arguments: Backend.all)
    func registeredSensorsArePlacedLikeDisplays(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            try await h.store.createDisplay(makeDisplay("n-1", district: "north", lat: 52.5, lon: 13.4), audit: audit("display.create", "n-1"))
            try await h.store.createSensor(
                Sensor(id: "noise-3", kind: .noise, metrics: ["noise_dba"], displayId: nil, poleId: nil, lat: 48.1, lon: 11.5, district: "south",
                       createdAt: StoreHarness.time),
                audit: audit("sensor.create", "sensor", "noise-3"))
            // A sensor that shares a display's id does not move the display's readings.
            try await h.store.createSensor(
                Sensor(id: "n-1", kind: .noise, metrics: ["noise_dba"], displayId: nil, poleId: nil, lat: 48.1, lon: 11.5, district: "south",
                       createdAt: StoreHarness.time),
                audit: audit("sensor.create", "sensor", "n-1"))
            _ = try await h.store.ingest(
                [Self.batch("n-1", 0, [("noise_dba", Self.t0, 50)]), Self.batch("noise-3", 0, [("noise_dba", Self.t0, 70)])], at: StoreHarness.time)
            let all = try await h.store.latest(LatestQuery())
            #expect(all.map(\.reading.source) == ["n-1", "noise-3"])
            #expect(all.map(\.district) == ["north", "south"])
            let south = try await h.store.latest(LatestQuery(area: ReadingArea(scope: .only(["south"]))))
            #expect(south.map(\.reading.source) == ["noise-3"])
            let boxed = try await h.store.latest(LatestQuery(area: ReadingArea(bbox: BoundingBox(minLat: 48, minLon: 11, maxLat: 49, maxLon: 12))))
            #expect(boxed.map(\.reading.source) == ["noise-3"])
            for tier in RollupTier.allCases {
                let aggregates = try await h.store.aggregate(metric: "noise_dba", tier: tier, area: ReadingArea(), from: Self.t0, to: Self.t0 + 3_600_000)
                #expect(aggregates.map(\.district) == ["north", "south"], "\(tier)")
                #expect(aggregates.map(\.sum) == [50, 70], "\(tier)")
            }
        }
    }

    @Test(arguments: Backend.all)
    func retentionDeletesEachTierBeforeItsCutoff(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let hour: Int64 = 3_600_000
            _ = try await h.store.ingest([Self.batch("d-1", 0, (0..<10).map { ("noise_dba", Self.t0 + Int64($0) * hour, 50) })], at: StoreHarness.time)
            let counts = try await h.store.deleteExpired(RetentionCutoffs(raw: Self.t0 + 6 * hour, minute: Self.t0 + 3 * hour, hour: Self.t0 + hour))
            #expect(counts == RetentionCounts(raw: 6, minute: 3, hour: 1))
            let raw = try await h.store.rawReadings(source: "d-1", metric: "noise_dba", from: 0, to: .max, after: nil, limit: 100)
            #expect(raw.readings.map(\.time) == (6..<10).map { Self.t0 + Int64($0) * hour })
            let minutes = try await h.store.rollups(source: "d-1", metric: "noise_dba", tier: .minute, from: 0, to: .max)
            #expect(minutes.count == 7)
            let forever = try await h.store.deleteExpired(RetentionCutoffs(raw: Self.t0, minute: Self.t0, hour: nil))
            #expect(forever == RetentionCounts())
            let hours = try await h.store.rollups(source: "d-1", metric: "noise_dba", tier: .hour, from: 0, to: .max)
            #expect(hours.count == 9)
        }
    }

    @Test(arguments: Backend.all)
    func aCutInsideAnHourCountsEachMinuteOnceHoweverManyBatchesFilledIt(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            try await h.store.createDisplay(makeDisplay("d-1", district: "north", lat: 52.5, lon: 13.4), audit: audit("display.create", "d-1"))
            let minute: Int64 = 60_000
            var rng = SplitMix64(seed: 3)
            var all: [Reading] = []
            // Twenty batches over the same two hours, so most minutes are filled by several.
            for sequence in 0..<20 {
                let readings = (0..<30).map { _ in
                    ("pm25", Self.t0 + Int64.random(in: 0..<120, using: &rng) * minute + Int64.random(in: 0..<60_000, using: &rng),
                        Double(Int.random(in: 0...99, using: &rng)))
                }
                let batch = Self.batch("d-1", Int64(sequence), readings)
                all += batch.readings
                _ = try await h.store.ingest([batch], at: StoreHarness.time)
            }
            let cells = RollupTier.minute.rollUp(all)
            let cutoff = Self.t0 + 90 * minute + 30_000
            let gone = cells.keys.filter { $0.bucketStart < cutoff }.count
            let counts = try await h.store.deleteExpired(RetentionCutoffs(raw: Self.t0, minute: cutoff, hour: nil))
            #expect(counts.minute == gone)
            let left = try await h.store.rollups(source: "d-1", metric: "pm25", tier: .minute, from: 0, to: .max)
            let expected = cells.filter { $0.key.bucketStart >= cutoff }.sorted { $0.key.bucketStart < $1.key.bucketStart }
            #expect(left.map(\.bucketStart) == expected.map(\.key.bucketStart))
            #expect(left.map(\.cell) == expected.map(\.value))
            // Nothing more goes a second time, and later arrivals merge with what was kept.
            #expect(try await h.store.deleteExpired(RetentionCutoffs(raw: Self.t0, minute: cutoff, hour: nil)).minute == 0)
            let late = Self.batch("d-1", 99, [("pm25", Self.t0 + 100 * minute, 1_000)])
            _ = try await h.store.ingest([late], at: StoreHarness.time)
            let merged = try await h.store.rollups(source: "d-1", metric: "pm25", tier: .minute, from: Self.t0 + 100 * minute, to: Self.t0 + 101 * minute)
            let before = cells.first { $0.key.bucketStart == Self.t0 + 100 * minute }?.value
            #expect(merged.first?.cell.count == (before?.count ?? 0) + 1)
            #expect(merged.first?.cell.max == 1_000)
            // The district sums the kept cells, the late reading with them; a range inside an hour counts only its minutes.
            let kept = expected.map(\.value).reduce(into: RollupCell?.none) { sum, cell in sum = sum.map { RollupCell.merge($0, cell) } ?? cell }!
            let north = try await h.store.aggregate(metric: "pm25", tier: .minute, area: ReadingArea(), from: cutoff, to: .max)
            #expect(north == [DistrictAggregate(district: "north", min: kept.min, max: 1_000, sum: kept.sum + 1_000, count: kept.count + 1, sources: 1)])
            let oneMinute = try await h.store.aggregate(metric: "pm25", tier: .minute, area: ReadingArea(), from: Self.t0 + 100 * minute, to: Self.t0 + 101 * minute)
            #expect(oneMinute.map(\.count) == [merged.first?.cell.count ?? 0])
        }
    }

    @Test(arguments: Backend.all)
    func readingsMetricsAndBatchRecordsSurviveReopening(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let metric = Metric(name: "co2_ppm", unit: "ppm", range: 0...10_000, description: "Carbon dioxide")
            try await h.store.addMetric(metric, audit: audit("metric.create", "metric", "co2_ppm"))
            await #expect(throws: StoreError.self) {
                try await h.store.addMetric(metric, audit: audit("metric.create", "metric", "co2_ppm"))
            }
            await #expect(throws: StoreError.self) {
                try await h.store.addMetric(MetricCatalogue.builtInMetrics[0], audit: audit("metric.create", "metric", "pm25"))
            }
            let b = Self.batch("d-1", 3, [("co2_ppm", Self.t0, 415)])
            _ = try await h.store.ingest([b], at: StoreHarness.time)
            try await h.reopen()
            #expect(try await h.store.metrics()["co2_ppm"] == metric)
            #expect(try await h.store.metrics(source: "d-1") == ["co2_ppm"])
            #expect(try await h.store.ingest([b], at: StoreHarness.time).map(\.result) == [.duplicate])
            let raw = try await h.store.rawReadings(source: "d-1", metric: "co2_ppm", from: 0, to: .max, after: nil, limit: 10)
            #expect(raw.readings.map(\.value) == [415])
        }
    }
}
