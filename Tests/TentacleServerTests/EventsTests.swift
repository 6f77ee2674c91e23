import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TentacleCore
import Testing
@testable import TentacleServer

@Suite("Live readings and Server-Sent Events")
struct EventsTests {
    static func batch(_ source: String, _ sequence: Int64, _ metric: String, _ time: Int64, _ value: Double) -> ReadingBatch {
        ReadingBatch(source: source, sequence: sequence, readings: [Reading(source: source, metric: metric, time: time, value: value)])
    }

    @Test func subscribersGetASnapshotThenEveryChange() async throws {
        let live = LiveReadings()
        live.publish([Self.batch("north-1", 1, "pm25", 1_000, 12)])
        let subscription = live.subscribe()
        #expect(subscription.snapshot.map(\.source) == ["north-1"])
        #expect(subscription.snapshot.first?.values.first?.value == 12)

        live.publish([Self.batch("south-1", 1, "lux", 2_000, 800), Self.batch("north-1", 2, "pm25", 3_000, 30)])
        var iterator = subscription.changes.makeAsyncIterator()
        #expect(await iterator.next()?.source == "south-1")
        #expect(await iterator.next()?.values.first?.value == 30)

        subscription.cancel()
        #expect(live.subscriberCount == 0)
        #expect(await iterator.next() == nil, "a cancelled stream ends")
    }

    @Test func anOlderReadingDoesNotReplaceTheLatest() async throws {
        let live = LiveReadings()
        live.publish([Self.batch("north-1", 1, "pm25", 5_000, 40)])
        live.publish([Self.batch("north-1", 2, "pm25", 4_000, 10)])
        let subscription = live.subscribe()
        defer { subscription.cancel() }
        #expect(subscription.snapshot.first?.values.first?.value == 40)
    }

    @Test func theStreamStartsWithTheLatestValuesTheCallerMaySee() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                // A sensor on its own pole in the north, beside the displays.
                let sensor = #"{"id": "air-1", "kind": "air-quality", "metrics": ["pm25"], "lat": 52.52, "lon": 13.41, "district": "north"}"#
                #expect(try await api.send(.post, "/v1/sensors", json: sensor).status == .created)
                for (source, sequence) in [("north-1", 1), ("south-1", 1), ("air-1", 1)] {
                    let batch = #"{"source": "\#(source)", "sequence": \#(sequence), "readings": [{"metric": "pm25", "time": "2025-12-31T23:59:00Z", "value": 21}]}"#
                    #expect(try await api.send(.post, "/v1/readings", json: batch).status == .created)
                }
                let all = try await api.send(.get, "/v1/events?topics=readings&limit=0", as: .role(.viewer))
                #expect(all.status == .ok)
                #expect(all.text.components(separatedBy: "event: readings\n").count - 1 == 3)
                #expect(all.text.contains(#""source":"south-1""#))

                let north = try await api.send(.get, "/v1/events?limit=0", as: .user("publisher-north"))
                #expect(north.text.contains(#""source":"north-1""#))
                #expect(north.text.contains(#""source":"air-1""#), "a scoped user hears the sensors of their districts")
                #expect(!north.text.contains("south-1"), "a scoped user hears only their districts")

                let unknown = try await api.send(.get, "/v1/events?topics=alerts,bogus")
                #expect(unknown.status == .badRequest)
            }
        }
    }
}
