import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
@testable import TentacleServer
import TentacleStore
import Testing

@Suite struct SensorTests {
    @Test func sensorsAreRegisteredOnDisplaysOrPlacesAndValidated() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let onDisplay = try await api.send(
                    .post, "/v1/sensors", as: .role(.operator), json: #"{"id": "aq-north-1", "kind": "air-quality", "metrics": ["pm25", "pm10"], "displayId": "north-1"}"#)
                #expect(onDisplay.status == .created, "\(onDisplay.text)")
                let sensor = try onDisplay.decode(Sensor.self)
                #expect(sensor.district == "north" && sensor.poleId == "pole-north-1" && sensor.lat == 52.5)

                let onPole = try await api.send(
                    .post, "/v1/sensors", json: #"{"id": "noise-s-7", "kind": "noise", "metrics": ["noise_dba"], "poleId": "S-7", "lat": 52.4, "lon": 13.3, "district": "south"}"#)
                #expect(onPole.status == .created, "\(onPole.text)")

                let bad: [(String, String)] = [
                    (#"{"id": "x", "kind": "radar", "metrics": ["pm25"], "displayId": "north-1"}"#, "kind"),
                    (#"{"id": "x", "kind": "noise", "metrics": ["decibels"], "displayId": "north-1"}"#, "metrics[0]"),
                    (#"{"id": "x", "kind": "noise", "metrics": [], "displayId": "north-1"}"#, "metrics"),
                    (#"{"id": "X Y", "kind": "noise", "metrics": ["noise_dba"], "displayId": "north-1"}"#, "id"),
                    (#"{"id": "x", "kind": "noise", "metrics": ["noise_dba"], "lat": 52}"#, "lon"),
                    (#"{"id": "x", "kind": "noise", "metrics": ["noise_dba"], "displayId": "north-1", "lat": 1}"#, "displayId"),
                    (#"{"id": "x", "kind": "noise", "metrics": ["noise_dba"], "displayId": "nowhere"}"#, "displayId"),
                    (#"{"id": "x", "kind": "noise", "metrics": ["noise_dba"], "lat": 1, "lon": 2, "district": "atlantis"}"#, "district"),
                    (#"{"id": "aq-north-1", "kind": "noise", "metrics": ["noise_dba"], "displayId": "north-2"}"#, ""),
                ]
                for (body, field) in bad {
                    let r = try await api.send(.post, "/v1/sensors", json: body)
                    if field.isEmpty {
                        #expect(r.status == .conflict, "\(r.text)")
                    } else {
                        #expect(r.status == .unprocessableContent, "\(body): \(r.text)")
                        #expect(r.text.contains(#""field":"\#(field)""#), "\(body): \(r.text)")
                    }
                }
                #expect(try await api.send(.post, "/v1/sensors", as: .role(.viewer), json: #"{}"#).status == .forbidden)

                // Scoped users see the sensors of their districts; a sensor's readings are its own source.
                let scoped = try await api.send(.get, "/v1/sensors", as: .user("operator-north"))
                #expect(scoped.text.contains("aq-north-1") && !scoped.text.contains("noise-s-7"))
                #expect(try await api.send(.get, "/v1/sensors/noise-s-7", as: .user("operator-north")).status == .notFound)
                let batch = #"{"source": "noise-s-7", "sequence": 1, "readings": [{"metric": "noise_dba", "time": "2026-01-01T00:00:00Z", "value": 61}]}"#
                #expect(try await api.send(.post, "/v1/readings", json: batch).status == .created)
                #expect(try await api.send(.get, "/v1/readings?source=noise-s-7&metric=noise_dba", as: .user("operator-north")).status == .notFound)
                #expect(try await api.send(.get, "/v1/readings?source=noise-s-7&metric=noise_dba&from=2025-12-31T23:00:00Z&to=2026-01-01T01:00:00Z").status == .ok)

                #expect(try await api.send(.delete, "/v1/sensors/noise-s-7", as: .role(.operator)).status == .noContent)
                #expect(try await api.send(.get, "/v1/sensors/noise-s-7").status == .notFound)
                #expect(try await fx.store.auditEntries(AuditQuery(objectType: "sensor", limit: 10)).count == 3)
            }
        }
    }
}
