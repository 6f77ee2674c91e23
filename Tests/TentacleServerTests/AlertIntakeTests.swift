import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
@testable import TentacleServer
import TentacleStore
import Testing

/// Real warnings are large, and some statuses must never reach a public screen.
struct AlertIntakeTests {
    /// An Alert whose one polygon is a circle of `points` points around the fixture's displays.
    static func largeWarning(_ id: String, points: Int) -> String {
        let ring = (0...points).map { i in
            let angle = Double(i % points) / Double(points) * 2 * .pi
            return String(format: "%.6f,%.6f", 52.5 + 0.05 * sin(angle), 13.4 + 0.08 * cos(angle))
        }
        let square = "52.49,13.38 52.61,13.38 52.61,13.42 52.49,13.42 52.49,13.38"
        return CAPDocument.alert(id, west: 13.38, east: 13.42).replacingOccurrences(of: square, with: ring.joined(separator: " "))
    }

    @Test func aWarningAboveOneMebibyteIsTakenWhileOtherBodiesKeepTheirLimit() async throws {
        try await Fixture.with { fixture in
            try await fixture.test { api in
                let xml = Self.largeWarning("big-1", points: 80_000)
                #expect(xml.utf8.count > 1_500_000)
                let posted = try await api.send(.post, "/v1/alerts", as: .role(.alerter), body: xml, contentType: "application/cap+xml")
                #expect(posted.status == .created, "\(posted.text.prefix(300))")
                #expect(posted.text.contains(#""targeted":3"#), "\(posted.text)")

                let json = #"{"name": "\#(String(repeating: "x", count: 2 << 20))"}"#
                let display = try await api.send(.post, "/v1/displays", json: json)
                #expect(display.status == .contentTooLarge)
            }
        }
        try await Fixture.with(configure: { $0.maxAlertBytes = 1 << 20 }) { fixture in
            try await fixture.test { api in
                let posted = try await api.send(
                    .post, "/v1/alerts", as: .role(.alerter), body: Self.largeWarning("big-2", points: 80_000), contentType: "application/cap+xml")
                #expect(posted.status == .contentTooLarge, "\(posted.text.prefix(300))")
                #expect(try await fixture.store.alert(id: "big-2") == nil)
            }
        }
    }

    @Test(arguments: ["System", "Test", "Exercise", "Draft"])
    func onlyActualAlertsLightPublicScreens(_ status: String) async throws {
        try await Fixture.with { fixture in
            try await fixture.addDisplay("drill-panel", district: "north", tags: [AlertIntake.testTag])
            try await fixture.test { api in
                let xml = CAPDocument.alert("s-1", status: status, west: 13.38, east: 13.42)
                let posted = try await api.send(.post, "/v1/alerts", as: .role(.alerter), body: xml, contentType: "application/cap+xml")
                #expect(posted.status == .created, "\(posted.text)")
                let deliveries = try await fixture.store.deliveries(alertId: "s-1").map(\.displayId)
                #expect(deliveries == (["Test", "Exercise"].contains(status) ? ["drill-panel"] : []))
            }
        }
    }
}
