import Foundation
@testable import TentacleServer
import TentacleCore
import TentacleStore
import Testing

@Suite struct NodeEventTests {
    static let alert = AlertRecord(
        id: "a-1", sender: "s@example", sent: Date(timeIntervalSince1970: 1_767_225_600), status: "Actual", msgType: "Alert",
        severity: .severe, headline: "Flood \u{1F30A}", expires: nil, state: .active, references: [], postedBy: "alerter",
        receivedAt: Date(timeIntervalSince1970: 1_767_225_601), targeted: 2, posterScope: ["north"], districts: ["north"])

    /// Every event reads back as it was sent, whatever the strings hold.
    @Test(arguments: [
        NodeEvent.alert(alert, notice: #"{"type":"alert","quote":"\"","line":"a\nb"}"#, targets: ["d-1", "d-2"]),
        NodeEvent.alert(alert, notice: #"{"type":"alert"}"#),
        .settled(["a-1", "a-2"]),
        .acknowledged(["a-1": ["d-1", "d-2"]]),
        .contentChanged,
        .command(display: "d-1", ServerMessage.Command(id: "cmd-1", command: .brightness, level: 40, auto: false),
                 CommandRecord(id: "cmd-1", command: "brightness", level: 40, issuedBy: "admin", issuedAt: Date(timeIntervalSince1970: 1_767_225_600), state: "sent")),
        .commandFinished(display: "d-1", command: "cmd-1", ok: false, message: "no panel"),
        .displayChanged("d-1"),
        .disconnect(display: "d-1", reason: "display deleted"),
        .readings([ReadingBatch(source: "d-1", sequence: 0, readings: [Reading(source: "d-1", metric: "pm25", time: 1_767_225_600_000, value: 12.5)])]),
    ])
    func eventsReadBackAsSent(event: NodeEvent) {
        #expect(NodeRelay.decode(NodeRelay.encode(event)) == event)
    }

    @Test func somethingElseIsNotAnEvent() {
        #expect(NodeRelay.decode("not json") == nil)
        #expect(NodeRelay.decode(#"{"launch":{}}"#) == nil)
    }
}
