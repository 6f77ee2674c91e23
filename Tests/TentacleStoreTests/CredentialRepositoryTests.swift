import Foundation
import TentacleCore
import TentacleStore
import Testing

@Suite("Device credential repository contract")
struct CredentialRepositoryTests {
    static func credential(_ id: String, display: String = "d-1", at offset: TimeInterval = 0) -> DeviceCredential {
        DeviceCredential(id: id, displayId: display, createdAt: StoreHarness.time.addingTimeInterval(offset), revokedAt: nil)
    }

    @Test(arguments: Backend.all)
    func issuingWithReplaceRevokesEarlierCredentials(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let store = h.store
            let display = makeDisplay("d-1")
            try await store.createDisplay(display, audit: audit("display.create", "d-1"))

            try await store.issueCredential(Self.credential("c-1"), secretHash: "h-1", replacingExisting: true, audit: audit("credential.issue", "d-1"))
            #expect(try await store.displayForCredential(secretHash: "h-1") == display)

            try await store.issueCredential(Self.credential("c-2", at: 10), secretHash: "h-2", replacingExisting: true, audit: audit("credential.issue", "d-1"))
            #expect(try await store.displayForCredential(secretHash: "h-1") == nil)
            #expect(try await store.displayForCredential(secretHash: "h-2") == display)

            let listed = try await store.credentials(displayId: "d-1")
            #expect(listed.map(\.id) == ["c-1", "c-2"])
            #expect(listed[0].revokedAt == StoreHarness.time.addingTimeInterval(10))
            #expect(listed[1].revokedAt == nil)
        }
    }

    @Test(arguments: Backend.all)
    func issuingWithoutReplaceKeepsEarlierCredentials(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let store = h.store
            try await store.createDisplay(makeDisplay("d-1"), audit: audit("display.create", "d-1"))
            try await store.issueCredential(Self.credential("c-1"), secretHash: "h-1", replacingExisting: false, audit: audit("credential.issue", "d-1"))
            try await store.issueCredential(Self.credential("c-2"), secretHash: "h-2", replacingExisting: false, audit: audit("credential.issue", "d-1"))
            #expect(try await store.displayForCredential(secretHash: "h-1")?.id == "d-1")
            #expect(try await store.displayForCredential(secretHash: "h-2")?.id == "d-1")

            #expect(try await store.revokeCredentials(displayId: "d-1", at: StoreHarness.time, audit: audit("credential.revoke", "d-1")) == 2)
            #expect(try await store.displayForCredential(secretHash: "h-1") == nil)
            #expect(try await store.displayForCredential(secretHash: "h-2") == nil)
            #expect(try await store.revokeCredentials(displayId: "d-1", at: StoreHarness.time, audit: audit("credential.revoke", "d-1")) == 0)
        }
    }

    @Test(arguments: Backend.all)
    func credentialsOfMissingOrDeletedDisplays(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let store = h.store
            let issue = await #expect(throws: StoreError.self) {
                try await store.issueCredential(Self.credential("c-1", display: "nope"), secretHash: "h-1", replacingExisting: true, audit: audit("credential.issue", "nope"))
            }
            #expect(issue?.code == .notFound)
            let revoke = await #expect(throws: StoreError.self) {
                try await store.revokeCredentials(displayId: "nope", at: StoreHarness.time, audit: audit("credential.revoke", "nope"))
            }
            #expect(revoke?.code == .notFound)

            try await store.createDisplay(makeDisplay("d-1"), audit: audit("display.create", "d-1"))
            try await store.issueCredential(Self.credential("c-1"), secretHash: "h-1", replacingExisting: true, audit: audit("credential.issue", "d-1"))
            try await store.deleteDisplay(id: "d-1", audit: audit("display.delete", "d-1"))
            #expect(try await store.displayForCredential(secretHash: "h-1") == nil)
            #expect(try await store.credentials(displayId: "d-1").isEmpty)
        }
    }
}
