import Foundation
import Synchronization
import TentacleCore
import TentacleStore

/// Displays into the registry and out of it: one at a time or a whole file, within the caller's
/// districts; a connected display hears about changes to itself at once.
struct DisplayProvisioning: Sendable {
    let repository: any DisplayRepository
    let channel: ChannelHub
    let clock: @Sendable () -> Date

    /// The display if the caller may see it; `notFound` otherwise, so displays outside a user's
    /// districts are indistinguishable from ones that do not exist.
    func display(_ id: String, as p: Principal) async throws -> Display {
        guard let display = try await repository.display(id: id), p.scope.contains(display.district) else {
            throw DomainError(.notFound, "display '\(id)' not found")
        }
        return display
    }

    func create(_ input: DisplayInput, by p: Principal) async throws -> Display {
        try ValidationError.check(DisplayRules.issues(in: input, creating: true))
        try Self.checkScope(p, district: input.district ?? "")
        let display = Display(creating: input, id: input.id ?? Identifier.generate(prefix: "dsp"), at: clock())
        try await repository.createDisplay(
            display, audit: Self.audit(p, "display.create", display.id, "created display '\(display.name)' in \(display.district)"))
        return display
    }

    /// Changes the fields `input` holds; the display, if connected, gets a new `welcome`.
    func update(_ current: Display, with input: DisplayInput, by p: Principal) async throws -> Display {
        if let id = input.id, id != current.id {
            throw ValidationError(field: "id", "a display's id cannot change")
        }
        try ValidationError.check(DisplayRules.issues(in: input, creating: false))
        if let district = input.district { try Self.checkScope(p, district: district) }
        let updated = current.applying(input, at: clock())
        let fields = input.presentFields.filter { $0 != "id" }
        try await repository.updateDisplay(updated, audit: Self.audit(p, "display.update", updated.id, "changed \(fields.joined(separator: ", "))"))
        if let session = channel.session(updated.id) {
            session.state.withLock { $0.display = updated }
            session.send(channel.welcome(updated))
        } else {
            channel.relay.send(.displayChanged(updated.id))
        }
        return updated
    }

    /// Removes the display and closes its channel.
    func delete(_ display: Display, by p: Principal) async throws {
        try await repository.deleteDisplay(id: display.id, audit: Self.audit(p, "display.delete", display.id, "deleted display '\(display.name)'"))
        channel.disconnect(display.id, reason: "display deleted")
    }

    /// Stores every row of a parsed file or none; rows outside the caller's districts are refused by row.
    func importRows(_ rows: [ImportRow], from kind: String, by p: Principal) async throws -> [Display] {
        guard !rows.isEmpty else { throw ValidationError(field: "body", "the file holds no displays") }
        var outside: [FieldIssue] = []
        for r in rows where !p.scope.contains(r.input.district ?? "") {
            outside.append(FieldIssue(field: "district", message: "district '\(r.input.district ?? "")' is outside your districts", row: r.row))
        }
        try ValidationError.check(outside)
        let now = clock()
        let displays = rows.map { (row: $0.row, display: Display(creating: $0.input, id: $0.input.id ?? Identifier.generate(prefix: "dsp"), at: now)) }
        try await repository.importDisplays(displays, audit: Self.audit(p, "display.import", "*", "imported \(displays.count) displays from \(kind)"))
        return displays.map(\.display)
    }

    /// Scoped users may only place displays in their own districts.
    static func checkScope(_ p: Principal, district: String) throws {
        guard p.scope.contains(district) else {
            throw DomainError(.forbidden, "district '\(district)' is outside your districts", field: "district")
        }
    }

    private static func audit(_ p: Principal, _ action: String, _ id: String, _ summary: String) -> AuditEvent {
        AuditEvent(actor: p.username, action: action, objectType: "display", objectId: id, summary: summary)
    }
}
