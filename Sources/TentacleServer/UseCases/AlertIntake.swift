import Foundation
import TentacleCAP
import TentacleCore
import TentacleStore

/// A CAP message from an alerter (or, later, a warning feed) to every screen in its area:
/// parse → the earlier alerts it settles → the displays it reaches → stored durably → dispatched.
struct AlertIntake: Sendable {
    let repository: any AlertRepository & DistrictRepository & AuditRepository
    let directory: DisplayDirectory
    let dispatcher: AlertDispatcher
    let clock: @Sendable () -> Date

    /// Displays tagged with this take CAP messages with status Test and Exercise.
    static let testTag = "alert-test"

    /// What a message became once stored and sent out.
    struct Received: Sendable {
        var record: AlertRecord
        /// Earlier alerts it replaced (Update) or cancelled (Cancel).
        var settled: [String]
    }

    /// Takes one CAP 1.2 document as `poster`. Nothing is stored when it is refused: unreadable
    /// (`invalid`, naming the element), received before (`duplicate`), settling what it may not (`conflict`),
    /// or reaching alerts beyond the poster's districts (`forbidden`, audited).
    func receive(_ bytes: [UInt8], limits: CAPLimits, from poster: Principal) async throws -> Received {
        try await receive(try Self.parse(bytes, limits: limits), document: bytes, from: poster)
    }

    /// Reads a CAP 1.2 document; `invalid`, naming the element at fault, when it is not one.
    static func parse(_ bytes: [UInt8], limits: CAPLimits) throws -> CAPAlert {
        do {
            return try CAP.parse(bytes, limits: limits)
        } catch {
            throw DomainError(.invalid, "not a usable CAP 1.2 alert: \(error.reason)", field: error.path)
        }
    }

    /// Takes a message already read from `document` (its bytes are stored as received).
    func receive(_ cap: CAPAlert, document bytes: [UInt8], from poster: Principal) async throws -> Received {
        if try await repository.alert(id: cap.identifier) != nil {
            throw DomainError(.duplicate, "alert '\(cap.identifier.prefix(100))' was received before; send an Update with a new identifier to change it")
        }

        let settledAlerts = try await settled(by: cap, poster: poster)
        let settled = settledAlerts.map(\.id)
        let shows = (cap.msgType == .alert || cap.msgType == .update) && [.actual, .test, .exercise].contains(cap.status)
        let reached = shows ? try await targets(of: cap, scope: poster.scope) : []
        let targets = reached.map(\.id)
        let notice = shows && !targets.isEmpty ? Self.notice(for: cap, replaces: cap.msgType == .update ? settled : []) : nil
        let severity = cap.infos.map(\.severity).max() ?? .unknown
        let districts = Set(reached.map(\.district)).union(settledAlerts.flatMap(\.districts)).union(poster.scope.districts ?? [])
        let record = AlertRecord(
            id: cap.identifier, sender: cap.sender, sent: cap.sent, status: cap.status.rawValue, msgType: cap.msgType.rawValue,
            severity: severity, headline: cap.infos.first.map { $0.headline ?? $0.event } ?? "",
            expires: cap.infos.compactMap(\.expires).max(), state: notice == nil ? .silent : .active, references: settled,
            postedBy: poster.username, receivedAt: clock(), targeted: targets.count, posterScope: poster.scope.districts,
            districts: districts.sorted())
        let text = notice.map { String(decoding: ServerMessage.alert($0).encoded(), as: UTF8.self) }
        let settling: [String: AlertRecord.State] = Dictionary(
            uniqueKeysWithValues: settled.map { ($0, cap.msgType == .cancel ? AlertRecord.State.cancelled : .replaced) })
        let summary = "\(cap.msgType.rawValue) \(cap.status.rawValue), \(severity.rawValue), \(targets.count) displays"
            + (settled.isEmpty ? "" : "; settles \(settled.joined(separator: ", "))")
        try await repository.createAlert(
            record, xml: String(decoding: bytes, as: UTF8.self), notice: text, targets: targets, settling: settling,
            audit: Self.audit(poster, "alert.post", record.id, summary))

        // Stored and durable: now it goes out.
        await dispatcher.settle(settled)
        if let text { await dispatcher.publish(record, text: text, targets: targets) }
        return Received(record: record, settled: settled)
    }

    /// The earlier alerts this message settles: only an Update or Cancel settles, only alerts of the
    /// same sender this server holds. Settling an alert of another status (a Test never settles an
    /// Actual) or one posted with a scope the poster's does not cover is refused and audited.
    private func settled(by cap: CAPAlert, poster p: Principal) async throws -> [AlertRecord] {
        guard cap.msgType == .update || cap.msgType == .cancel else { return [] }
        var settled: [AlertRecord] = []
        for ref in cap.references {
            guard !settled.contains(where: { $0.id == ref.identifier }),
                let earlier = try await repository.alert(id: ref.identifier), earlier.sender == ref.sender
            else { continue }
            let verb = cap.msgType == .cancel ? "cancel" : "update"
            let refusal: DomainError? =
                if earlier.status != cap.status.rawValue {
                    DomainError(.conflict, "a \(cap.status.rawValue) message cannot \(verb) the \(earlier.status) alert '\(earlier.id.prefix(100))'", field: "references")
                } else if !earlier.mayBeSettled(from: p.scope) {
                    DomainError(
                        .forbidden, "alert '\(earlier.id.prefix(100))' was posted for districts outside yours; only a user whose districts cover them may \(verb) it",
                        field: "references")
                } else { nil }
            if let refusal {
                try await repository.recordEvent(Self.audit(p, "alert.refuse", cap.identifier, "\(cap.msgType.rawValue) \(cap.status.rawValue) refused: \(refusal.message)"))
                throw refusal
            }
            settled.append(earlier)
        }
        return settled
    }

    /// Every display inside one of the alert's areas (or in a district its geocodes name); for
    /// Test and Exercise messages only displays tagged `alert-test`.
    private func targets(of cap: CAPAlert, scope: DistrictScope) async throws -> [Display] {
        let candidates = cap.candidates(geocodes: Self.geocodeTable(try await repository.districts()))
        guard !candidates.isEmpty else { return [] }
        let testsOnly = cap.status != .actual
        return try await directory.displays(scope: scope)
            .filter { display in (!testsOnly || display.tags.contains(Self.testTag)) && candidates.contains { $0.target.matches(display) } }
    }

    /// `tentacle-district` geocodes name districts by code.
    static func geocodeTable(_ districts: [District]) -> GeocodeTable {
        GeocodeTable(["tentacle-district": Dictionary(uniqueKeysWithValues: districts.map { ($0.code, $0.code) })])
    }

    /// What displays are told: the most severe level, every language, the latest expiry.
    static func notice(for cap: CAPAlert, replaces: [String]) -> ServerMessage.AlertNotice {
        ServerMessage.AlertNotice(
            id: cap.identifier, severity: cap.infos.map(\.severity).max() ?? .unknown, sent: Reading.milliseconds(cap.sent),
            expires: cap.infos.compactMap(\.expires).max().map { Reading.milliseconds($0) },
            texts: cap.infos.map { .init(language: $0.language, headline: $0.headline ?? $0.event, instruction: $0.instruction ?? $0.description) },
            rotateSeconds: 6, replaces: replaces)
    }

    private static func audit(_ p: Principal, _ action: String, _ id: String, _ summary: String) -> AuditEvent {
        AuditEvent(actor: p.username, action: action, objectType: "alert", objectId: id, summary: summary)
    }
}
