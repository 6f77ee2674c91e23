import Foundation
import TentacleCore
import TentacleStore
import Testing

@Suite("Audit log contract")
struct AuditRepositoryTests {
    @Test(arguments: Backend.all)
    func everyChangeWritesItsAuditRow(backend: Backend) async throws {
        try await StoreHarness.with(backend, seeded: false) { h in
            let s = h.store
            let t = StoreHarness.time
            let user = User(id: "usr-1", username: "kim", role: .viewer, districts: [], createdAt: t)
            let token = APIToken(id: "tok-1", userId: "usr-1", name: "ci", kind: .api, createdAt: t, expiresAt: nil, revokedAt: nil)
            let credential = DeviceCredential(id: "c-1", displayId: "d-1", createdAt: t, revokedAt: nil)
            let events = [
                audit("district.create", "district", "north"),
                audit("district.update", "district", "north"),
                audit("group.create", "group", "kiosks"),
                audit("group.update", "group", "kiosks"),
                audit("display.create", "display", "d-1"),
                audit("display.update", "display", "d-1"),
                audit("display.import", "display", "*"),
                audit("credential.issue", "display", "d-1"),
                audit("credential.revoke", "display", "d-1"),
                audit("display.delete", "display", "d-1"),
                audit("group.delete", "group", "kiosks"),
                audit("user.create", "user", "usr-1"),
                audit("user.update", "user", "usr-1"),
                audit("token.create", "token", "tok-1"),
                audit("token.revoke", "token", "tok-1"),
                audit("user.delete", "user", "usr-1"),
            ]
            func event(_ action: String) -> AuditEvent { events.first { $0.action == action }! }

            try await s.createDistrict(District(code: "north", name: "North"), audit: event("district.create"))
            try await s.updateDistrict(District(code: "north", name: "North side"), audit: event("district.update"))
            try await s.createGroup(DisplayGroup(code: "kiosks", name: "Kiosks"), audit: event("group.create"))
            try await s.updateGroup(DisplayGroup(code: "kiosks", name: "Kiosk screens"), audit: event("group.update"))
            try await s.createDisplay(makeDisplay("d-1", groups: ["kiosks"]), audit: event("display.create"))
            try await s.updateDisplay(makeDisplay("d-1"), audit: event("display.update"))
            try await s.importDisplays([(row: 2, display: makeDisplay("d-2"))], audit: event("display.import"))
            try await s.issueCredential(credential, secretHash: "h", replacingExisting: true, audit: event("credential.issue"))
            try await s.revokeCredentials(displayId: "d-1", at: t, audit: event("credential.revoke"))
            try await s.deleteDisplay(id: "d-1", audit: event("display.delete"))
            try await s.deleteGroup(code: "kiosks", audit: event("group.delete"))
            try await s.createUser(user, passwordHash: "h", audit: event("user.create"))
            try await s.updateUser(user, passwordHash: nil, revokingTokensAt: nil, audit: event("user.update"))
            try await s.createToken(token, secretHash: "th", audit: event("token.create"))
            try await s.revokeToken(id: "tok-1", userId: "usr-1", at: t, audit: event("token.revoke"))
            try await s.deleteUser(id: "usr-1", audit: event("user.delete"))

            let entries = try await s.auditEntries(AuditQuery())
            let written = entries.reversed().map {
                AuditEvent(actor: $0.actor, action: $0.action, objectType: $0.objectType, objectId: $0.objectId, summary: $0.summary)
            }
            #expect(written == events)
            #expect(entries.map(\.id) == entries.map(\.id).sorted(by: >))
            // The newest row per object type: what caches of the registry key on.
            let newestDisplayRow = entries.first { $0.objectType == "display" }!.id
            #expect(try await s.latestAuditId(objectType: "display") == newestDisplayRow)
            #expect(try await s.latestAuditId(objectType: "user") == entries.first!.id)
            #expect(try await s.latestAuditId(objectType: "sensor") == 0)
            #expect(try await s.latestAuditId() == entries.first!.id)
            #expect(entries.allSatisfy { $0.time == t })
        }
    }

    @Test(arguments: Backend.all)
    func failedChangesWriteNoAuditRow(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let s = h.store
            let before = try await s.auditEntries(AuditQuery(limit: 1000)).count
            try await s.createDisplay(makeDisplay("d-1"), audit: audit("display.create", "d-1"))
            _ = try? await s.createDisplay(makeDisplay("d-1"), audit: audit("display.create", "d-1", actor: "failed"))
            _ = try? await s.createDisplay(makeDisplay("d-2", district: "west"), audit: audit("display.create", "d-2", actor: "failed"))
            _ = try? await s.updateDisplay(makeDisplay("nope"), audit: audit("display.update", "nope", actor: "failed"))
            _ = try? await s.deleteDistrict(code: "north", audit: audit("district.delete", "district", "north", actor: "failed"))
            _ = try? await s.importDisplays([(row: 2, display: makeDisplay("d-3", district: "west"))], audit: audit("display.import", "*", actor: "failed"))
            #expect(try await s.auditEntries(AuditQuery(actor: "failed")).isEmpty)
            #expect(try await s.auditEntries(AuditQuery(limit: 1000)).count == before + 1)
        }
    }

    @Test(arguments: Backend.all)
    func filtersAndPaging(backend: Backend) async throws {
        try await StoreHarness.with(backend, seeded: false) { h in
            let s = h.store
            try await s.createDistrict(District(code: "north", name: "North"), audit: audit("district.create", "district", "north", actor: "ana"))
            for i in 1...5 {
                try await s.createDisplay(makeDisplay("d-\(i)"), audit: audit("display.create", "d-\(i)", actor: i.isMultiple(of: 2) ? "ana" : "kim"))
            }
            try await s.deleteDisplay(id: "d-3", audit: audit("display.delete", "d-3", actor: "ana"))

            #expect(try await s.auditEntries(AuditQuery(actor: "kim")).map(\.objectId) == ["d-5", "d-3", "d-1"])
            #expect(try await s.auditEntries(AuditQuery(action: "display.delete")).map(\.objectId) == ["d-3"])
            #expect(try await s.auditEntries(AuditQuery(objectType: "district")).map(\.objectId) == ["north"])
            #expect(try await s.auditEntries(AuditQuery(objectId: "d-3")).map(\.action) == ["display.delete", "display.create"])
            #expect(try await s.auditEntries(AuditQuery(actor: "ana", action: "display.create")).map(\.objectId) == ["d-4", "d-2"])

            var query = AuditQuery(limit: 3)
            var pages: [[String]] = []
            while true {
                let page = try await s.auditEntries(query)
                if page.isEmpty { break }
                pages.append(page.map(\.objectId))
                query.before = page.last?.id
            }
            #expect(pages == [["d-3", "d-5", "d-4"], ["d-3", "d-2", "d-1"], ["north"]])

            let t = StoreHarness.time
            #expect(try await s.auditEntries(AuditQuery(from: t)).count == 7)
            #expect(try await s.auditEntries(AuditQuery(from: t.addingTimeInterval(1))).isEmpty)
            #expect(try await s.auditEntries(AuditQuery(to: t)).isEmpty)
            #expect(try await s.auditEntries(AuditQuery(to: t.addingTimeInterval(1))).count == 7)
        }
    }
}
