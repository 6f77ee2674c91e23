import Logging
import NIOWebSocket
import ServiceLifecycle
import TentacleCore

/// One piece of work from a display's channel.
enum ChannelJob: Sendable {
    case opened(DeviceSession, replaced: DeviceSession?)
    case closed(DeviceSession)
    case message(DeviceSession, AgentMessage)
    case refused(DeviceSession, ChannelError)

    var session: DeviceSession {
        switch self {
        case .opened(let s, _), .closed(let s), .message(let s, _), .refused(let s, _): s
        }
    }

    /// Read from the display, and so counted against its queue.
    var isMessage: Bool {
        switch self {
        case .message, .refused: true
        case .opened, .closed: false
        }
    }
}

/// Queues between the channels' handlers and a few shared workers. A display always lands on the
/// same worker, so its messages are handled in the order it sent them. The queues hold at most
/// `DeviceSession.maxQueuedMessages` messages (plus one read's worth) per display: past that its
/// handler stops reading from it.
final class ChannelWorkers: Sendable {
    let count: Int
    let queues: [(stream: AsyncStream<ChannelJob>, continuation: AsyncStream<ChannelJob>.Continuation)]

    init(count: Int = 4) {
        self.count = max(1, count)
        queues = (0..<max(1, count)).map { _ in AsyncStream.makeStream(of: ChannelJob.self) }
    }

    func submit(_ job: ChannelJob) {
        if job.isMessage { job.session.queuedMessage() }
        queues[job.session.id % count].continuation.yield(job)
    }

    /// A worker is done with `job`; the display may be read from again if its queue was full.
    func finished(_ job: ChannelJob) {
        if job.isMessage { job.session.handledMessage() }
    }

    /// Runs the workers until shutdown; each handles its queue one job at a time.
    func run(_ channel: DeviceChannel, logger: Logger) async {
        await withDiscardingTaskGroup { group in
            for queue in queues {
                group.addTask {
                    for await job in queue.stream {
                        await channel.process(job, logger: logger)
                        self.finished(job)
                    }
                }
            }
        }
    }

    func finish() {
        for queue in queues { queue.continuation.finish() }
    }
}

/// The service that runs the channel workers.
struct ChannelProcessor: Service {
    let channel: DeviceChannel
    let logger: Logger

    func run() async throws {
        let workers = channel.env.workers
        await withGracefulShutdownHandler {
            await workers.run(channel, logger: logger)
        } onGracefulShutdown: {
            workers.finish()
        }
        // Display channels live in NIO handlers, not in tasks that a cancelled server would end:
        // close them here, whether the server stops gracefully or is cancelled.
        for session in channel.hub.sessions {
            session.close(.goingAway, reason: "the server is shutting down")
        }
    }
}
