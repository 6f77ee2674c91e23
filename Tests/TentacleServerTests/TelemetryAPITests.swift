import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TentacleCore
import TentacleStore
import Testing

@Suite("Telemetry API")
struct TelemetryAPITests {
    static func batch(_ source: String, _ sequence: Int, _ rows: String) -> String {
        #"{"source": "\#(source)", "sequence": \#(sequence), "readings": [\#(rows)]}"#
    }

    static let good = #"{"metric": "pm25", "time": "2025-12-31T23:59:00Z", "value": 12}, {"metric": "pm25", "time": "2025-12-31T23:59:30Z", "value": 20}"#

    @Test func aResentBatchIsAnsweredAsADuplicateAndStoredOnce() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let first = try await api.send(.post, "/v1/readings", json: Self.batch("north-1", 1, Self.good))
                #expect(first.status == .created)
                #expect(first.text.contains(#""result":"stored""#))
                let again = try await api.send(.post, "/v1/readings", json: Self.batch("north-1", 1, Self.good))
                #expect(again.status == .ok)
                #expect(again.text.contains(#""result":"duplicate""#))
                let series = try await api.send(
                    .get, "/v1/readings?source=north-1&metric=pm25&from=2025-12-31T23:00:00Z&to=2026-01-01T00:00:00Z&step=raw", as: .role(.viewer))
                #expect(series.status == .ok)
                #expect(series.text.components(separatedBy: #""value""#).count - 1 == 2)
                let minutes = try await api.send(
                    .get, "/v1/readings?source=north-1&metric=pm25&from=2025-12-31T23:00:00Z&to=2026-01-01T00:00:00Z&step=1m")
                #expect(minutes.text.contains(#""mean":16"#))
            }
        }
    }

    @Test func anyBadRowRejectsTheWholeRequestUnlessPartial() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let rows = Self.good + #", {"metric": "pm25", "time": "2025-12-31T23:59:45Z", "value": 5000}"#
                let refused = try await api.send(.post, "/v1/readings", json: Self.batch("north-1", 2, rows))
                #expect(refused.status == .unprocessableContent)
                #expect(refused.apiError?.issues?.map(\.row) == [3])
                #expect(refused.apiError?.issues?.first?.field == "value")
                let partial = try await api.send(.post, "/v1/readings?mode=partial", json: Self.batch("north-1", 2, rows))
                #expect(partial.status == .created)
                #expect(partial.text.contains(#""stored":2"#))
                #expect(partial.text.contains("outside pm25's range"))
            }
        }
    }

    @Test func csvNdjsonAndLineProtocolAllStore() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let csv = "source,sequence,metric,time,value\nnorth-1,10,lux,2025-12-31T23:58:00Z,400\n"
                #expect(try await api.send(.post, "/v1/readings", body: csv, contentType: "text/csv").status == .created)
                let ndjson = #"{"source":"north-1","sequence":11,"metric":"lux","time":1767225540000,"value":410}"# + "\n"
                #expect(try await api.send(.post, "/v1/readings", body: ndjson, contentType: "application/x-ndjson").status == .created)
                let line = "air,source=north-1 lux=420 1767225560000\n"
                #expect(try await api.send(.post, "/v1/write?precision=ms&sequence=12", body: line, contentType: "text/plain").status == .noContent)
                let broken = try await api.send(.post, "/v1/write?precision=ms&sequence=13", body: "air,source=north-1 lux=\n", contentType: "text/plain")
                #expect(broken.status == .badRequest)
                #expect(broken.apiError?.issues?.first?.row == 1)
                // In partial mode the good lines are stored and the refused ones named.
                let partial = try await api.send(
                    .post, "/v1/write?precision=ms&sequence=14&mode=partial", body: "air,source=north-1 lux=430 1767225570000\nair,source=north-1 lux=\n",
                    contentType: "text/plain")
                #expect(partial.status == .ok, "\(partial.text)")
                let refused = try partial.decode([String: [FieldIssue]].self)["issues"] ?? []
                #expect(refused.count == 1)
                #expect(refused.first?.row == 2)
                let wrongType = try await api.send(.post, "/v1/readings", body: "x", contentType: "application/xml")
                #expect(wrongType.status == .unsupportedMediaType)
                let latest = try await api.send(.get, "/v1/readings/latest?metric=lux")
                #expect(latest.text.contains(#""value":430"#))
                #expect(latest.text.contains(#""district":"north""#))
            }
        }
    }

    @Test func lineProtocolWritesWithoutASequenceAreNeverTakenForDuplicates() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                // The fixture's clock stands still, so both requests arrive in the same instant.
                for value in [11, 12] {
                    let line = "air,source=north-1 pm25=\(value) 1767225540000\n"
                    #expect(try await api.send(.post, "/v1/write?precision=ms", body: line, contentType: "text/plain").status == .noContent)
                }
                let series = try await api.send(
                    .get, "/v1/readings?source=north-1&metric=pm25&from=2025-12-31T23:00:00Z&to=2026-01-01T00:00:00Z&step=raw")
                #expect(series.text.components(separatedBy: #""value""#).count - 1 == 2)
            }
        }
    }

    @Test func aggregatesOverAPolygonCountOnlyTheDisplaysInsideIt() async throws {
        try await Fixture.with { fx in
            try await fx.addDisplay("munich-1", district: "south", lat: 48.14, lon: 11.58)
            try await fx.test { api in
                #expect(try await api.send(.post, "/v1/readings", json: Self.batch("north-1", 0, Self.good)).status == .created)
                #expect(try await api.send(.post, "/v1/readings", json: Self.batch("munich-1", 0, Self.good)).status == .created)
                let range = "metric=pm25&from=2025-12-31T23:00:00Z&to=2026-01-01T00:00:00Z"
                // A square around Berlin: north-1 (and south-1, which has no readings) but not Munich.
                let berlin = try await api.send(.get, "/v1/readings/aggregate?\(range)&polygon=13.0,52.3;13.8,52.3;13.8,52.7;13.0,52.7")
                #expect(berlin.status == .ok, "\(berlin.text)")
                #expect(berlin.text.contains(#""polygon":{"#) && berlin.text.contains(#""sources":1"#), "\(berlin.text)")
                #expect(berlin.text.contains(#""district":"north""#) && !berlin.text.contains(#""district":"south""#))
                let both = try await api.send(.get, "/v1/readings/aggregate?\(range)&polygon=5,45;15,45;15,55;5,55")
                #expect(both.text.contains(#""district":"south""#) && both.text.contains(#""sources":2"#), "\(both.text)")
                for bad in ["1,2;3", "13,52;13,52;13,52", "200,1;2,3;4,5", "a,b;c,d;e,f"] {
                    let r = try await api.send(.get, "/v1/readings/aggregate?\(range)&polygon=\(bad)")
                    #expect(r.status == .badRequest && r.text.contains("polygon"), "\(bad): \(r.text)")
                }
            }
        }
    }

    @Test func anAggregateAtAnInstantCountsEachSourcesNewestReading() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                #expect(try await api.send(.post, "/v1/readings", json: Self.batch("north-1", 0, Self.good)).status == .created)
                let late = #"{"metric": "pm25", "time": "2025-12-31T23:30:00Z", "value": 40}"#
                #expect(try await api.send(.post, "/v1/readings", json: Self.batch("north-2", 0, late)).status == .created)
                let sensor = #"{"id": "air-1", "kind": "air-quality", "metrics": ["pm25"], "lat": 52.52, "lon": 13.41, "district": "north"}"#
                #expect(try await api.send(.post, "/v1/sensors", json: sensor).status == .created)
                let fromSensor = #"{"metric": "pm25", "time": "2025-12-31T23:58:00Z", "value": 10}"#
                #expect(try await api.send(.post, "/v1/readings", json: Self.batch("air-1", 0, fromSensor)).status == .created)

                // north-1's newest (20) and the sensor's (10); north-2's reading is half an hour old.
                let now = try await api.send(.get, "/v1/readings/aggregate?metric=pm25&at=2026-01-01T00:00:00Z", as: .role(.viewer))
                #expect(now.status == .ok, "\(now.text)")
                #expect(now.text.contains(#""step":"instant""#) && now.text.contains(#""window":900"#), "\(now.text)")
                #expect(now.text.contains(#""count":2"#) && now.text.contains(#""mean":15"#) && now.text.contains(#""max":20"#), "\(now.text)")
                let hour = try await api.send(.get, "/v1/readings/aggregate?metric=pm25&at=2026-01-01T00:00:00Z&window=3600")
                #expect(hour.text.contains(#""count":3"#) && hour.text.contains(#""max":40"#), "\(hour.text)")
                // Before north-1's second reading only its first counts.
                let earlier = try await api.send(.get, "/v1/readings/aggregate?metric=pm25&at=2025-12-31T23:59:10Z&window=60")
                #expect(earlier.text.contains(#""count":1"#) && earlier.text.contains(#""max":12"#), "\(earlier.text)")
                // The polygon takes the sensor, which stands inside it, and the displays inside.
                let square = try await api.send(
                    .get, "/v1/readings/aggregate?metric=pm25&at=2026-01-01T00:00:00Z&polygon=13.40,52.51;13.42,52.51;13.42,52.53;13.40,52.53")
                #expect(square.text.contains(#""polygon":{"#) && square.text.contains(#""sources":1"#) && square.text.contains(#""mean":10"#), "\(square.text)")

                for (query, field) in [
                    ("at=2026-01-01T00:00:00Z&from=2025-12-31T23:00:00Z", "at"),
                    ("at=2026-01-01T00:00:00Z&window=0", "window"),
                    ("at=2026-01-01T00:00:00Z&window=86401", "window"),
                    ("at=yesterday", "at"),
                    ("window=60", "window"),
                    // Eight days back: raw readings are kept for seven.
                    ("at=2025-12-24T00:00:00Z", "at"),
                ] {
                    let r = try await api.send(.get, "/v1/readings/aggregate?metric=pm25&\(query)")
                    #expect(r.status == .badRequest, "\(query): \(r.text)")
                    #expect(r.apiError?.field == field, "\(query): \(r.text)")
                }
            }
        }
    }

    @Test func scopedUsersSeeAndWriteOnlyTheirDistricts() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                #expect(try await api.send(.post, "/v1/readings", json: Self.batch("south-1", 0, Self.good)).status == .created)
                #expect(try await api.send(.post, "/v1/readings", json: Self.batch("north-1", 0, Self.good)).status == .created)
                let scoped = Caller.user("operator-north")
                let hidden = try await api.send(.get, "/v1/readings?source=south-1&metric=pm25", as: scoped)
                #expect(hidden.status == .notFound)
                #expect(try await api.send(.get, "/v1/readings/export.csv?source=south-1", as: scoped).status == .notFound)
                let write = try await api.send(.post, "/v1/readings", as: scoped, json: Self.batch("south-1", 1, Self.good))
                #expect(write.status == .unprocessableContent)
                let latest = try await api.send(.get, "/v1/readings/latest", as: scoped)
                #expect(latest.text.contains("north-1") && !latest.text.contains("south-1"))
                let aggregate = try await api.send(
                    .get, "/v1/readings/aggregate?metric=pm25&from=2025-12-31T23:00:00Z&to=2026-01-01T00:00:00Z", as: scoped)
                #expect(aggregate.text.contains(#""district":"north""#) && !aggregate.text.contains("south"))
                #expect(aggregate.text.contains(#""mean":16"#) && aggregate.text.contains(#""step":"1h""#))
            }
        }
    }

    @Test func theExportStreamsEveryRawReadingAsCSV() async throws {
        try await Fixture.with { fx in
            let readings = (0..<12_000).map { Reading(source: "north-1", metric: "noise_dba", time: 1_767_220_000_000 + Int64($0) * 100, value: 50) }
            _ = try await fx.store.ingest([ReadingBatch(source: "north-1", sequence: 0, readings: readings)], at: Fixture.start)
            try await fx.test { api in
                let csv = try await api.send(.get, "/v1/readings/export.csv?source=north-1&from=2025-12-31T00:00:00Z&to=2026-01-01T00:00:00Z")
                #expect(csv.status == .ok)
                #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
                let lines = csv.text.split(separator: "\n")
                #expect(lines.first == "source,sequence,metric,time,value")
                #expect(lines.count == 12_001)
                #expect(lines[1] == "north-1,,noise_dba,2025-12-31T22:26:40Z,50.0")
            }
        }
    }

    @Test func adminsAddMetricsThatIngestThenAccepts() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let co2 = #"{"metric": "co2_ppm", "time": "2025-12-31T23:59:00Z", "value": 415}"#
                #expect(try await api.send(.post, "/v1/readings", json: Self.batch("north-1", 0, co2)).status == .unprocessableContent)
                let added = try await api.send(
                    .post, "/v1/metrics", json: #"{"name": "co2_ppm", "unit": "ppm", "min": 0, "max": 10000, "description": "Carbon dioxide"}"#)
                #expect(added.status == .created)
                let again = try await api.send(
                    .post, "/v1/metrics", json: #"{"name": "co2_ppm", "unit": "ppm", "min": 0, "max": 10000, "description": "Carbon dioxide"}"#)
                #expect(again.status == .conflict)
                #expect(try await api.send(.post, "/v1/readings", json: Self.batch("north-1", 0, co2)).status == .created)
                #expect(try await api.send(.get, "/v1/metrics", as: .role(.viewer)).text.contains("co2_ppm"))
            }
        }
    }
}
