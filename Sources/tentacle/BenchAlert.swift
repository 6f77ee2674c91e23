import Foundation
import TentacleAgent
import TentacleBench
import TentacleCore
import TentacleServer

/// `tentacle bench alert`: from the POST of a CAP alert until every targeted display has drawn it
/// and acknowledged, at 1,000 displays and at `--displays`, next to a bare hummingbird-websocket
/// broadcast-and-reply to the same number of connections measured in the same run.
enum AlertBenchmark {
    static func run(displays: Int, rounds: Int) async throws -> [BenchmarkFigure] {
        var figures: [BenchmarkFigure] = []
        for size in Set([min(1000, displays), displays]).sorted() {
            let options = ChannelBenchmark.Options(displays: size, rounds: rounds)
            let bare = try await ChannelBenchmark.measureBare(options)
            let (latencies, answers) = try await measure(options)
            let broadcast = ChannelBenchmark.median(bare.broadcasts)
            let p = ChannelBenchmark.percentiles(latencies)
            for (name, value) in [("p50", p.p50), ("p99", p.p99), ("max", p.max)] {
                figures.append(BenchmarkFigure(
                    bench: "alert", figure: "all_acknowledged_\(name)_s_\(size)", value: value, unit: "s",
                    baseline: "bare_broadcast_all_replied_s_\(size)", baselineValue: broadcast, higherIsBetter: false))
            }
            // How long the POST itself takes (parse, target, store durably, hand to the channels).
            figures.append(BenchmarkFigure(
                bench: "alert", figure: "post_answered_p50_s_\(size)", value: ChannelBenchmark.median(answers), unit: "s", higherIsBetter: false))
        }
        return figures
    }

    /// Every display's delay from POST to its acknowledgement over `rounds` alerts, and the POST's own durations.
    static func measure(_ options: ChannelBenchmark.Options) async throws -> (latencies: [Double], answers: [Double]) {
        let city = try await ChannelBenchmark.City(displays: options.displays)
        defer { city.stop() }
        try await city.connect()
        let targets = city.seeded.devices.count
        var latencies: [Double] = [], answers: [Double] = []
        for round in 1...options.rounds {
            let id = "bench-alert-\(round)"
            let start = ContinuousClock.now
            let posted = try await LoopbackRequest.send(
                port: city.port, "POST", "/v1/alerts", token: city.seeded.alerterToken, body: Array(document(id).utf8), contentType: "application/cap+xml")
            let answered = ContinuousClock.now - start
            answers.append(Double(answered.components.seconds) + Double(answered.components.attoseconds) / 1e18)
            guard posted.status == 201 else {
                throw AgentError("posting the alert failed: \(posted.status) \(String(decoding: posted.body.prefix(300), as: UTF8.self))")
            }
            try await ChannelBenchmark.waitUntil(seconds: 60) { city.watch.shown(id, since: start).count >= targets }
            latencies += city.watch.shown(id, since: start)
            // Clear it before the next round, so each round starts from normal play.
            let cancel = try await LoopbackRequest.send(
                port: city.port, "POST", "/v1/alerts", token: city.seeded.alerterToken, body: Array(cancelDocument(id).utf8),
                contentType: "application/cap+xml")
            guard cancel.status == 201 else { throw AgentError("cancelling the alert failed: \(cancel.status)") }
            try await ChannelBenchmark.waitUntil(seconds: 60) { city.watch.cleared(id) >= targets }
            try await Task.sleep(for: .milliseconds(300))
        }
        return (latencies, answers)
    }

    static let sender = "bench@tentacle.example"

    /// A Severe alert whose polygon covers the whole benchmark city.
    static func document(_ id: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>\(id)</identifier><sender>\(sender)</sender><sent>2026-01-01T00:00:00+00:00</sent>
          <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
          <info><language>en-US</language><category>Safety</category><event>Drill</event><urgency>Immediate</urgency>
            <severity>Severe</severity><certainty>Observed</certainty><headline>Benchmark alert</headline>
            <area><areaDesc>Everywhere</areaDesc><polygon>31.1,121.3 31.4,121.3 31.4,121.6 31.1,121.6 31.1,121.3</polygon></area></info>
        </alert>
        """
    }

    static func cancelDocument(_ id: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>\(id)-cancel</identifier><sender>\(sender)</sender><sent>2026-01-01T00:01:00+00:00</sent>
          <status>Actual</status><msgType>Cancel</msgType><scope>Public</scope>
          <references>\(sender),\(id),2026-01-01T00:00:00+00:00</references>
        </alert>
        """
    }
}
