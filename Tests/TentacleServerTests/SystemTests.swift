import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
import Testing

@Suite("Health, version, metrics and API description")
struct SystemTests {
    @Test func healthAndVersionNeedNoSignIn() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let health = try await api.send(.get, "/healthz", as: .anonymous)
                #expect(health.status == .ok)
                #expect(try health.decode([String: String].self) == ["status": "ok"])
                let version = try await api.send(.get, "/v1/version", as: .anonymous).decode([String: String].self)
                #expect(version["version"] == Tentacle.version)
                #expect(version["api"] != nil)
            }
        }
    }

    @Test func metricsCountRequestsAndDisplays() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                #expect(try await api.send(.get, "/v1/displays").status == .ok)
                let metrics = try await api.send(.get, "/metrics", as: .anonymous)
                #expect(metrics.status == .ok)
                #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = metrics.text
                #expect(text.contains("tentacle_http_requests_total"))
                #expect(text.contains(#"route="/v1/displays""#))
                #expect(text.contains("tentacle_http_request_duration_seconds"))
                #expect(Self.value(of: #"tentacle_displays{status="offline"}"#, in: text) == 3, "\(text)")
                #expect(Self.value(of: #"tentacle_displays{status="online"}"#, in: text) == 0)
            }
        }
    }

    /// The value of one sample in Prometheus text format.
    static func value(of sample: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(sample + " ") }.flatMap { Double($0.dropFirst(sample.count + 1)) }
    }

    @Test func openAPIDocumentIsServed() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let response = try await api.send(.get, "/openapi.yaml", as: .anonymous)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.contains("yaml") == true)
                #expect(response.text.hasPrefix("openapi: 3"))
            }
        }
    }
}
