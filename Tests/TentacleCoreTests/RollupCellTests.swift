import Testing

@testable import TentacleCore

private func r(_ value: Double, _ time: Int64, metric: String = "pm25", source: String = "a") -> Reading {
    Reading(source: source, metric: metric, time: time, value: value)
}

@Suite struct RollupCellTests {
    @Test func mergesReadings() {
        var cell = RollupCell(r(5, 1000))
        cell.merge(r(2, 3000))
        cell.merge(r(9, 2000))
        #expect(cell == RollupCell(min: 2, max: 9, sum: 16, count: 3, last: 2, lastTime: 3000))
        #expect(cell.mean == 16.0 / 3)
    }

    @Test func lateReadingDoesNotReplaceLast() {
        var cell = RollupCell(r(5, 5000))
        cell.merge(r(1, 4000))
        #expect(cell.last == 5 && cell.lastTime == 5000)
    }

    @Test func equalTimesGoToTheLaterArrival() {
        var cell = RollupCell(r(5, 5000))
        cell.merge(r(7, 5000))
        #expect(cell.last == 7)
        #expect(RollupCell.merge(RollupCell(r(1, 9)), RollupCell(r(2, 9))).last == 2)
    }

    @Test func cellMergeIsAssociative() {
        var random = SplitMix64(seed: 11)
        for _ in 0..<200 {
            let cells = (0..<3).map { _ in
                RollupCell(value: Double(random.int(below: 100)), time: Int64(random.int(below: 5)))
            }
            let left = RollupCell.merge(RollupCell.merge(cells[0], cells[1]), cells[2])
            let right = RollupCell.merge(cells[0], RollupCell.merge(cells[1], cells[2]))
            #expect(left == right)
        }
    }

    @Test(arguments: [
        (RollupTier.minute, Int64(1_795_593_659_999), Int64(1_795_593_600_000)),
        (.minute, 1_795_593_660_000, 1_795_593_660_000),
        (.hour, 1_795_597_199_999, 1_795_593_600_000),
        (.hour, -1, -3_600_000),
        (.minute, -60_000, -60_000),
    ])
    func bucketsAlignToUTC(_ tier: RollupTier, _ time: Int64, _ start: Int64) {
        #expect(tier.bucketStart(time) == start)
    }

    @Test func rollUpKeysBySourceMetricAndBucket() {
        let cells = RollupTier.minute.rollUp([r(1, 0), r(2, 59_999), r(3, 60_000), r(4, 0, metric: "lux"), r(5, 0, source: "b")])
        #expect(cells.count == 4)
        #expect(cells[RollupKey(source: "a", metric: "pm25", tier: .minute, bucketStart: 0)]?.count == 2)
        #expect(cells[RollupKey(r(3, 60_000), tier: .minute)]?.sum == 3)
    }

    /// Streams with late, out-of-order and equal-time readings, arriving in batches of random
    /// size: rolling each batch up and merging it into stored cells gives what a recount from
    /// the raw readings gives.
    @Test(arguments: [RollupTier.minute, .hour])
    func incrementalRollupsEqualRecomputedFromRaw(_ tier: RollupTier) {
        var random = SplitMix64(seed: tier == .minute ? 1 : 2)
        for _ in 0..<40 {
            let metrics = ["pm25", "lux"]
            var stream: [Reading] = []
            var clock: Int64 = 1_795_593_600_000
            for _ in 0..<(200 + random.int(below: 800)) {
                clock += Int64(random.int(below: 20_000))
                // A third arrive late, up to two hours behind; some share a time exactly.
                let late = random.int(below: 3) == 0 ? Int64(random.int(below: 7_200_000)) : 0
                let time = random.int(below: 10) == 0 ? (stream.last?.time ?? clock) : clock - late
                stream.append(r(random.double(in: -50...500), time, metric: metrics[random.int(below: 2)], source: "s\(random.int(below: 3))"))
            }

            var stored: [RollupKey: RollupCell] = [:]
            var k = 0
            while k < stream.count {
                let n = 1 + random.int(below: 60)
                for (key, cell) in tier.rollUp(stream[k..<min(k + n, stream.count)]) {
                    stored[key] = stored[key].map { RollupCell.merge($0, cell) } ?? cell
                }
                k += n
            }

            var raw: [RollupKey: [(arrival: Int, reading: Reading)]] = [:]
            for (arrival, reading) in stream.enumerated() {
                raw[RollupKey(reading, tier: tier), default: []].append((arrival, reading))
            }
            #expect(stored.count == raw.count)
            for (key, entries) in raw {
                guard let cell = stored[key] else {
                    Issue.record("missing cell for \(key)")
                    continue
                }
                let values = entries.map(\.reading.value)
                let latest = entries.max { a, b in (a.reading.time, a.arrival) < (b.reading.time, b.arrival) }!
                let mean = values.reduce(0, +) / Double(values.count)
                #expect(cell.min == values.min())
                #expect(cell.max == values.max())
                #expect(cell.count == values.count)
                #expect(cell.last == latest.reading.value && cell.lastTime == latest.reading.time)
                #expect(abs(cell.mean - mean) <= 1e-9 * max(1, abs(mean)))
            }
        }
    }
}
