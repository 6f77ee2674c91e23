import Foundation
import TentacleCore
import TentacleStore

/// `tentacle bench rules`: the ingest stream of `bench ingest` stored with and without 1,000
/// active city rules judging every reading, in the same run (target ratio ≥ 0.8).
///
/// With rules, each batch is stored and then taken by a `RuleEngine` on the same thread, so the
/// figure carries the whole cost of judging; the server does the judging on its own task after
/// the commit. The 1,000 rules spread over the stream's 10 metrics: 800 on one of 20 districts
/// and 200 on 1 km circles, so each reading feeds about five of them. Thresholds sit in the top
/// tenth of the values, so some sources raise rules and clear them along the way; time is moved
/// on every 100 batches, as the server does twice a second.
public enum RuleBenchmark {
    public static let ruleCount = 1_000
    static let districts = 20

    public static func run(seconds: Double, count: Int) async throws -> [BenchmarkFigure] {
        let now = Date()
        let batches = IngestBenchmark.stream(count: count, now: now)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-bench-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        let plain = try await storeRate(batches, path: folder.appendingPathComponent("plain.sqlite").path, seconds: seconds, now: now) { _ in 0 }
        var engine = makeEngine()
        var taken = 0
        let watermark = Reading.milliseconds(now) - 5_000
        let judged = try await storeRate(batches, path: folder.appendingPathComponent("rules.sqlite").path, seconds: seconds, now: now) { batch in
            taken += 1
            let events = batch.readings.reduce(0) { $0 + engine.ingest($1).count }
            return events + (taken % 100 == 0 ? engine.advance(to: watermark).count : 0)
        }

        // The engine alone over the same readings, for how much of the cost is judging.
        var alone = makeEngine()
        let readings = batches.prefix(judged.batches).flatMap(\.readings)
        let started = Date()
        var events = 0
        for (i, reading) in readings.enumerated() {
            events += alone.ingest(reading).count
            if i % 50_000 == 0 { events += alone.advance(to: watermark).count }
        }
        let engineRate = Double(readings.count) / max(Date().timeIntervalSince(started), 1e-9)

        return [
            BenchmarkFigure(bench: "rules", figure: "storage_readings_per_s_no_rules", value: plain.rate, unit: "readings/s"),
            BenchmarkFigure(
                bench: "rules", figure: "storage_readings_per_s_1000_rules", value: judged.rate, unit: "readings/s",
                baseline: "storage_readings_per_s_no_rules", baselineValue: plain.rate),
            BenchmarkFigure(bench: "rules", figure: "engine_readings_per_s_1000_rules", value: engineRate, unit: "readings/s"),
            BenchmarkFigure(bench: "rules", figure: "rule_events", value: Double(judged.events), unit: "events"),
        ]
    }

    /// The rules and where the stream's sources are.
    static func makeEngine() -> RuleEngine {
        var engine = RuleEngine()
        let catalogue = MetricCatalogue.builtIn
        var rules: [Rule] = []
        for i in 0..<ruleCount {
            let metric = IngestBenchmark.metrics[i % IngestBenchmark.metrics.count]
            let range = catalogue[metric]!.range
            let span = range.upperBound - range.lowerBound
            // The stream's values lie between a quarter and three quarters of the range.
            let threshold = range.lowerBound + span * (0.69 + Double(i % 5) * 0.01)
            let area: Rule.Area = i % 5 == 4
                ? .circle(GeoCircle(lat: position(i * 7 % IngestBenchmark.sources).lat, lon: position(i * 7 % IngestBenchmark.sources).lon, radiusMeters: 1000))
                : .districts(["d-\(i % districts)"])
            rules.append(Rule(
                id: "bench-\(i)", metric: metric, threshold: threshold, forSeconds: 120, clearThreshold: threshold - span * 0.1,
                clearForSeconds: 120, area: area))
        }
        engine.setRules(rules)
        for s in 0..<IngestBenchmark.sources {
            let p = position(s)
            engine.setPlace(SourcePlace(district: "d-\(s % districts)", lat: p.lat, lon: p.lon), of: "pole-\(s)")
        }
        return engine
    }

    /// Sources on a 40-wide grid about 280 m apart.
    static func position(_ source: Int) -> (lat: Double, lon: Double) {
        (52.4 + Double(source / 40) * 0.0025, 13.3 + Double(source % 40) * 0.004)
    }

    /// Stores batches until they or the time run out; `judge` takes each stored batch and says
    /// how many rule events it caused.
    private static func storeRate(
        _ batches: [ReadingBatch], path: String, seconds: Double, now: Date, judge: (ReadingBatch) -> Int
    ) async throws -> (rate: Double, batches: Int, events: Int) {
        let store = try SQLiteStore(path: path)
        let deadline = Date().addingTimeInterval(seconds)
        let started = Date()
        var stored = 0, taken = 0, events = 0
        for batch in batches {
            _ = try await store.ingest([batch], at: now)
            events += judge(batch)
            stored += batch.readings.count
            taken += 1
            if Date() >= deadline { break }
        }
        return (Double(stored) / Date().timeIntervalSince(started), taken, events)
    }
}
