public import Foundation
public import TentacleCore

// What display channels store: presence, proof of play, screenshots.

/// A display's presence as the channel saw it, written in batches.
public struct PresenceUpdate: Hashable, Sendable {
    public var displayId: String
    public var status: DisplayStatus
    public var lastSeen: Date

    public init(displayId: String, status: DisplayStatus, lastSeen: Date) {
        self.displayId = displayId
        self.status = status
        self.lastSeen = lastSeen
    }
}

/// One stretch of content on a display's panel, as its agent reported it.
public struct PlayRecord: Codable, Hashable, Sendable {
    public var displayId: String
    /// "campaign", "default" or "alert".
    public var kind: String
    public var layoutId: String?
    public var campaignId: String?
    public var revision: Int?
    public var alertId: String?
    /// Agent clock, Unix milliseconds.
    public var start: Int64
    public var end: Int64

    public init(displayId: String, kind: String, layoutId: String?, campaignId: String?, revision: Int?, alertId: String?, start: Int64, end: Int64) {
        self.displayId = displayId
        self.kind = kind
        self.layoutId = layoutId
        self.campaignId = campaignId
        self.revision = revision
        self.alertId = alertId
        self.start = start
        self.end = end
    }
}

/// The latest frame a display sent back.
public struct StoredScreenshot: Hashable, Sendable {
    public var png: [UInt8]
    public var takenAt: Date
    public var receivedAt: Date

    public init(png: [UInt8], takenAt: Date, receivedAt: Date) {
        self.png = png
        self.takenAt = takenAt
        self.receivedAt = receivedAt
    }
}

/// One proof-of-play batch as a display sent it.
public struct PlayBatch: Hashable, Sendable {
    public var displayId: String
    /// The agent's sequence epoch, as in `ReadingBatch`.
    public var epoch: Int64
    public var seq: Int64
    public var plays: [PlayRecord]

    public init(displayId: String, epoch: Int64 = 0, seq: Int64, plays: [PlayRecord]) {
        self.displayId = displayId
        self.epoch = epoch
        self.seq = seq
        self.plays = plays
    }
}

/// What displays report over the channel: presence, proof of play and screenshots.
public protocol DeviceRepository: Sendable {
    /// Sets status and last-seen of many displays in one transaction; unknown ids are skipped.
    func recordPresence(_ updates: [PresenceUpdate]) async throws
    /// Stores proof-of-play batches of many displays in one transaction, each unless (display, epoch,
    /// seq) was stored before (also earlier in the same call); returns, in order, whether each was new.
    func recordPlays(_ batches: [PlayBatch], at time: Date) async throws -> [Bool]
    /// The highest sequence number of a readings, health or proof-of-play batch stored for the
    /// display in `epoch` (and not yet pruned), nil when there is none.
    func lastSequence(displayId: String, epoch: Int64) async throws -> Int64?
    /// Plays of a display overlapping [from, to), oldest first, at most `limit`.
    func plays(displayId: String, from: Int64, to: Int64, limit: Int) async throws -> [PlayRecord]
    /// Each display's play that started last, as it reported it: what it is showing, or showed
    /// last. Displays without a reported play are absent.
    func latestPlays() async throws -> [String: PlayRecord]
    func saveScreenshot(displayId: String, _ shot: StoredScreenshot) async throws
    func screenshot(displayId: String) async throws -> StoredScreenshot?
}
