public import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import TentacleCore

/// What the agent keeps so it can play and report without the server: the display record, the
/// schedule, the images, active alerts and every batch the server has not acknowledged.
///
/// On disk (`directory` set) every file is written whole to a temporary name, synced, and renamed,
/// so a power cut leaves the old file or the new one, never half of one. Without a directory (the
/// simulator) the same contents live in memory only.
///
/// Layout: `display.json`, `schedule.json`, `alerts.json`, `sequence` (the next batch number,
/// which never goes back, and the epoch it counts in), `assets/<sha256>`, `outbox/<seq>.json`
/// (one message each).
///
/// Batches are numbered within an epoch: a random number chosen when the cache finds no counter
/// (a new display, a wiped or lost cache, every start of a memory cache), so the server tells
/// new batches from old ones of the same numbers. A `sequence` file of an older agent, without
/// an epoch, counts in epoch 0.
public final class AgentCache: Sendable {
    struct Contents {
        var display: Display?
        var schedule: ServerMessage.ScheduleUpdate?
        var alerts: [ServerMessage.AlertNotice] = []
        var assets: [String: [UInt8]] = [:]
        var outbox: [Int64: String] = [:]
        var nextSeq: Int64 = 0
    }

    public let directory: URL?
    /// The epoch this cache numbers its batches in.
    public let epoch: Int64
    private let contents: Mutex<Contents>
    /// Files found unreadable at start, with why; they are ignored, and rewritten on the next update.
    public let damaged: [String]

    public init(directory: URL?) throws {
        self.directory = directory
        var c = Contents()
        var damaged: [String] = []
        var epoch: Int64?
        if let directory {
            let fm = FileManager.default
            for sub in ["", "assets", "outbox"] {
                try fm.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
            let decoder = Channel.decoder()
            func read<T: Decodable>(_ name: String, _ type: T.Type) -> T? {
                let url = directory.appendingPathComponent(name)
                guard let data = try? Data(contentsOf: url) else { return nil }
                do {
                    return try decoder.decode(T.self, from: data)
                } catch {
                    damaged.append(name)
                    return nil
                }
            }
            c.display = read("display.json", Display.self)
            c.schedule = read("schedule.json", ServerMessage.ScheduleUpdate.self)
            c.alerts = read("alerts.json", [ServerMessage.AlertNotice].self) ?? []
            if let text = try? String(contentsOf: directory.appendingPathComponent("sequence"), encoding: .utf8) {
                let words = text.split(whereSeparator: \.isWhitespace)
                if let next = words.first.flatMap({ Int64($0) }), words.count <= 2 {
                    c.nextSeq = next
                    epoch = words.count == 2 ? Int64(words[1]) : 0
                }
                if epoch == nil { damaged.append("sequence") }
            }
            let assetDir = directory.appendingPathComponent("assets")
            for name in (try? fm.contentsOfDirectory(atPath: assetDir.path)) ?? [] where Self.isHash(name) {
                if let data = try? Data(contentsOf: assetDir.appendingPathComponent(name)) { c.assets[name] = Array(data) }
            }
            let outboxDir = directory.appendingPathComponent("outbox")
            for name in (try? fm.contentsOfDirectory(atPath: outboxDir.path)) ?? [] where name.hasSuffix(".json") {
                guard let seq = Int64(name.dropLast(5)),
                    let data = try? Data(contentsOf: outboxDir.appendingPathComponent(name)),
                    (try? AgentMessage.decode(Array(data))) != nil
                else {
                    damaged.append("outbox/\(name)")
                    continue
                }
                c.outbox[seq] = String(decoding: data, as: UTF8.self)
                c.nextSeq = max(c.nextSeq, seq + 1)
            }
        }
        self.contents = Mutex(c)
        self.damaged = damaged
        // Below 2^53, so the number survives JSON readers that hold numbers as doubles.
        self.epoch = epoch ?? Int64.random(in: 1..<(1 << 53))
    }

    static func isHash(_ name: String) -> Bool {
        name.utf8.count == 64 && name.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    public var display: Display? { contents.withLock { $0.display } }
    public var schedule: ServerMessage.ScheduleUpdate? { contents.withLock { $0.schedule } }
    public var alerts: [ServerMessage.AlertNotice] { contents.withLock { $0.alerts } }
    public var assets: [String: [UInt8]] { contents.withLock { $0.assets } }

    public func store(display: Display) throws {
        try write("display.json", Channel.encoder().encode(display))
        contents.withLock { $0.display = display }
    }

    public func store(schedule: ServerMessage.ScheduleUpdate) throws {
        try write("schedule.json", Channel.encoder().encode(schedule))
        contents.withLock { $0.schedule = schedule }
    }

    public func store(alerts: [ServerMessage.AlertNotice]) throws {
        try write("alerts.json", Channel.encoder().encode(alerts))
        contents.withLock { $0.alerts = alerts }
    }

    /// Keeps an image under its hash; bytes whose hash differs are the caller's to refuse.
    public func store(asset sha256: String, bytes: [UInt8]) throws {
        guard Self.isHash(sha256) else { return }
        try write("assets/\(sha256)", Data(bytes))
        contents.withLock { $0.assets[sha256] = bytes }
    }

    /// Numbers a batch with the next sequence number and keeps it until `settle`.
    @discardableResult
    public func enqueue(_ make: (Int64) -> AgentMessage) throws -> (seq: Int64, text: String) {
        try contents.withLock { c in
            let seq = c.nextSeq
            let text = String(decoding: make(seq).encoded(), as: UTF8.self)
            // The counter is written before the batch, so a crash between the two skips a number
            // rather than reusing one.
            try write("sequence", Data("\(seq + 1) \(epoch)\n".utf8))
            try write("outbox/\(String(format: "%020lld", seq)).json", Data(text.utf8))
            c.nextSeq = seq + 1
            c.outbox[seq] = text
            return (seq, text)
        }
    }

    /// Moves the counter past `seq`, the last number the server stored in this epoch, when it is
    /// not past it already (the counter came back from an old copy of the cache).
    public func continueAfter(_ seq: Int64) throws {
        try contents.withLock { c in
            guard seq >= c.nextSeq else { return }
            try write("sequence", Data("\(seq + 1) \(epoch)\n".utf8))
            c.nextSeq = seq + 1
        }
    }

    /// The server has the batch; forget it.
    public func settle(_ seq: Int64) {
        let known = contents.withLock { $0.outbox.removeValue(forKey: seq) != nil }
        if known, let directory {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent("outbox/\(String(format: "%020lld", seq)).json"))
        }
    }

    /// Unacknowledged batches, oldest first.
    public var pending: [(seq: Int64, text: String)] {
        contents.withLock { $0.outbox.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
    }

    /// Encodes and writes only when the cache has a folder; a memory cache skips the work. The
    /// bytes and then the rename are synced to the disk before this returns, so a batch or a
    /// counter that was written survives a power cut.
    private func write(_ name: String, _ data: @autoclosure () throws -> Data) throws {
        guard let directory else { return }
        let url = directory.appendingPathComponent(name)
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        let handle = try FileHandle(forWritingTo: temporary)
        do {
            try handle.write(contentsOf: data())
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        guard rename(temporary.path, url.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        let fd = open(folder.path, O_RDONLY)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = fsync(fd)
    }
}
