import Foundation
import TentacleCore
import TentacleStore
import Testing

@Suite struct NodeMessagingTests {
    /// SQLite belongs to one process: nothing to tell, nothing to hear.
    @Test func aSQLiteStoreIsAlone() async throws {
        try await StoreHarness.with(.sqlite) { h in
            let store = h.store
            #expect(!store.isShared)
            store.broadcast("heard by no one")
            let reader = Task { () -> [NodeDelivery] in
                var heard: [NodeDelivery] = []
                for await delivery in store.nodeMessages() { heard.append(delivery) }
                return heard
            }
            try await Task.sleep(for: .milliseconds(100))
            reader.cancel()
            #expect(await reader.value.isEmpty)
        }
    }

    /// Two nodes on one PostgreSQL database: each hears what the other broadcast, in order, never
    /// its own; a message past NOTIFY's 8,000-byte limit arrives whole; listening starts with `.resync`.
    @Test(.timeLimit(.minutes(1))) func nodesOnOneDatabaseHearEachOtherInOrder() async throws {
        guard let backend = Backend.postgres else { return }
        try await StoreHarness.with(backend) { h in
            let sender = h.store
            let receiver = try await backend.open(h.folder) { StoreHarness.time }
            defer { if let closable = receiver as? PostgresStore { Task { await closable.close() } } }
            #expect(sender.isShared && receiver.isShared)
            var heardBySender = sender.nodeMessages().makeAsyncIterator()
            var heard = receiver.nodeMessages().makeAsyncIterator()
            #expect(await heardBySender.next() == .resync)
            #expect(await heard.next() == .resync)

            let long = String(repeating: "0123456789", count: 2_000)
            let sent = (1...50).map { "message \($0)" } + [long, "after the long one"]
            for message in sent { sender.broadcast(message) }
            var received: [String] = []
            while received.count < sent.count, let delivery = await heard.next() {
                if case .message(let text) = delivery { received.append(text) }
            }
            #expect(received == sent)

            // The receiver's answer reaches the sender, and the sender did not hear itself.
            receiver.broadcast("answer")
            #expect(await heardBySender.next() == .message("answer"))
        }
    }
}
