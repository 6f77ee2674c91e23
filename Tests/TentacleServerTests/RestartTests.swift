import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
import Testing

@Suite("Restart on the same file")
struct RestartTests {
    @Test func dataSurvivesARestart() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let created = try await api.send(.post, "/v1/displays", json: BadField.validBody)
                #expect(created.status == .created)
                #expect(try await api.send(.post, "/v1/displays/v-1/credentials").status == .created)
            }
            let restarted = try fx.restarted()
            try await restarted.test { api in
                let display = try await api.send(.get, "/v1/displays/v-1")
                #expect(display.status == .ok)
                #expect(try display.decode(Display.self).groups == ["bus-stops"])
                // Tokens and the audit log were kept too.
                let audit = try await api.send(.get, "/v1/audit?objectId=v-1").decode(Items<AuditEntry>.self)
                #expect(audit.items.map(\.action) == ["credential.issue", "display.create"])
            }
        }
    }
}
