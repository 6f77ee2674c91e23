public import Foundation
public import TentacleRender
import Synchronization

/// Every `every`th frame as a PNG file in a folder, named by its frame number, for a look at
/// what a panel showed or for the server's screenshot request.
public final class PNGSink: FrameSink {
    public let folder: URL
    /// 1 writes every frame, 25 the first of every 25.
    public let every: Int
    /// How many of the newest files to keep, deleting older ones this sink wrote; 0 keeps all.
    public let keep: Int
    private let state = Mutex(State())

    private struct State {
        /// Frames seen so far, the next one's number.
        var frameNumber = 0
        /// Files written, oldest first; only tracked when some are to be deleted.
        var kept: [URL] = []
        var latest: URL?
        var closed = false
    }

    /// Creates `folder` if needed. `every` below 1 counts as 1, `keep` below 0 as 0.
    public init(folder: URL, every: Int = 25, keep: Int = 0) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        self.folder = folder
        self.every = max(every, 1)
        self.keep = max(keep, 0)
    }

    public var description: String {
        "png every \(every == 1 ? "frame" : "\(every)th frame") to \(folder.path)"
    }

    /// The file written last; nil before the first.
    public var latestFile: URL? {
        state.withLock { $0.latest }
    }

    /// The file name of frame `number`: "frame-00000025.png", so names sort in frame order.
    public static func fileName(frame number: Int) -> String {
        let digits = String(number)
        return "frame-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ".png"
    }

    public func send(_ frame: Frame) throws {
        try state.withLock { state throws in
            guard !state.closed else { return }
            let number = state.frameNumber
            state.frameNumber += 1
            guard number % every == 0 else { return }
            let file = folder.appending(path: Self.fileName(frame: number))
            // Written to a temporary file and renamed over the name, so a reader never sees half a PNG.
            try Data(PNG.encode(frame)).write(to: file, options: .atomic)
            state.latest = file
            guard keep > 0 else { return }
            state.kept.append(file)
            if state.kept.count > keep {
                try? FileManager.default.removeItem(at: state.kept.removeFirst())
            }
        }
    }

    public func close() {
        state.withLock { $0.closed = true }
    }
}
