import Foundation
import TentacleCore
import TentacleStore
import Testing

@Suite("Device repository contract")
struct DeviceRepositoryTests {
    static let t0: Int64 = 1_767_225_600_000
    static let day: Int64 = 86_400_000

    static func play(_ display: String, _ start: Int64, _ end: Int64, campaign: String? = "spring") -> PlayRecord {
        PlayRecord(
            displayId: display, kind: campaign == nil ? "default" : "campaign", layoutId: "main", campaignId: campaign,
            revision: campaign == nil ? nil : 2, alertId: nil, start: start, end: end)
    }

    @Test(arguments: Backend.all)
    func playBatchesAreStoredOncePerDisplayEpochAndSequence(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let s = h.store
            for id in ["d-1", "d-2", "d-3"] { try await s.createDisplay(makeDisplay(id), audit: audit("display.create", id)) }
            let first = PlayBatch(displayId: "d-1", seq: 1, plays: [Self.play("d-1", Self.t0, Self.t0 + 10_000), Self.play("d-1", Self.t0 + 10_000, Self.t0 + 20_000, campaign: nil)])
            let resent = PlayBatch(displayId: "d-1", seq: 1, plays: [Self.play("d-1", Self.t0 + 50_000, Self.t0 + 60_000)])
            let other = PlayBatch(displayId: "d-2", seq: 1, plays: [Self.play("d-2", Self.t0, Self.t0 + 5_000)])
            let newEpoch = PlayBatch(displayId: "d-1", epoch: 7, seq: 1, plays: [Self.play("d-1", Self.t0 + 30_000, Self.t0 + 40_000)])
            let batches = [first, resent, other, newEpoch]
            #expect(try await s.recordPlays(batches, at: StoreHarness.time) == [true, false, true, true])
            #expect(try await s.recordPlays(batches, at: StoreHarness.time) == [false, false, false, false])
            #expect(try await s.recordPlays([], at: StoreHarness.time) == [])

            #expect(try await s.plays(displayId: "d-1", from: Self.t0, to: Self.t0 + Self.day, limit: 10) == first.plays + newEpoch.plays)
            #expect(try await s.plays(displayId: "d-1", from: Self.t0, to: Self.t0 + Self.day, limit: 1) == [first.plays[0]])
            #expect(try await s.lastSequence(displayId: "d-1", epoch: 0) == 1)
            #expect(try await s.lastSequence(displayId: "d-1", epoch: 7) == 1)
            #expect(try await s.lastSequence(displayId: "d-1", epoch: 3) == nil)
            #expect(try await s.lastSequence(displayId: "d-3", epoch: 0) == nil)
            #expect(try await s.latestPlays() == ["d-1": newEpoch.plays[0], "d-2": other.plays[0]])
        }
    }

    @Test(arguments: Backend.all)
    func playsOverlappingARangeIncludeLongOnes(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h throws in
            let s = h.store
            let long = Self.play("d-1", Self.t0 - 3 * Self.day, Self.t0 + 60_000)
            let endedBefore = Self.play("d-1", Self.t0 - 20_000, Self.t0)
            let straddling = Self.play("d-1", Self.t0 - 5_000, Self.t0 + 5_000)
            let inside = Self.play("d-1", Self.t0 + 5_000, Self.t0 + 9_000)
            let after = Self.play("d-1", Self.t0 + 10_000, Self.t0 + 12_000)
            let batch = PlayBatch(displayId: "d-1", seq: 4, plays: [inside, after, endedBefore, long, straddling])
            #expect(try await s.recordPlays([batch], at: StoreHarness.time) == [true])
            #expect(try await s.plays(displayId: "d-1", from: Self.t0, to: Self.t0 + 10_000, limit: 100) == [long, straddling, inside])
            #expect(try await s.plays(displayId: "d-2", from: Self.t0, to: Self.t0 + 10_000, limit: 100) == [])
            // Plays of displays not registered are kept, but only registered displays show what they play.
            #expect(try await s.latestPlays() == [:])
        }
    }

    @Test(arguments: Backend.all)
    func presenceIsWrittenToKnownDisplays(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let s = h.store
            for id in ["d-1", "d-2"] { try await s.createDisplay(makeDisplay(id), audit: audit("display.create", id)) }
            let seen = StoreHarness.time.addingTimeInterval(90.25)
            try await s.recordPresence([
                PresenceUpdate(displayId: "d-1", status: .online, lastSeen: StoreHarness.time),
                PresenceUpdate(displayId: "ghost", status: .online, lastSeen: seen),
                PresenceUpdate(displayId: "d-1", status: .degraded, lastSeen: seen),
            ])
            try await s.recordPresence([])
            let d1 = try #require(try await s.display(id: "d-1"))
            #expect(d1.status == .degraded)
            #expect(d1.lastSeen == seen)
            #expect(try await s.display(id: "d-2")?.status == .offline)
            #expect(try await s.display(id: "ghost") == nil)
        }
    }

    @Test(arguments: Backend.all)
    func theLatestScreenshotReplacesTheOneBefore(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let s = h.store
            #expect(try await s.screenshot(displayId: "d-1") == nil)
            let first = StoredScreenshot(png: [0x89, 0x50, 0x4e, 0x47, 0x00, 0xff], takenAt: StoredTimes.taken, receivedAt: StoredTimes.received)
            try await s.saveScreenshot(displayId: "d-1", first)
            #expect(try await s.screenshot(displayId: "d-1") == first)
            let second = StoredScreenshot(png: Array(repeating: 0x42, count: 70_000), takenAt: StoredTimes.received, receivedAt: StoredTimes.received + 1)
            try await s.saveScreenshot(displayId: "d-1", second)
            #expect(try await s.screenshot(displayId: "d-1") == second)
            #expect(try await s.screenshot(displayId: "d-2") == nil)
        }
    }

    enum StoredTimes {
        static let taken = Date(timeIntervalSince1970: 1_767_225_600.125)
        static let received = Date(timeIntervalSince1970: 1_767_225_601.5)
    }
}
