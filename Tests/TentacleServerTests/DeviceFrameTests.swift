import Foundation
import Logging
import NIOCore
import Synchronization
import NIOEmbedded
import NIOWebSocket
import TentacleCore
@testable import TentacleServer
import Testing

/// The display channel's frame handling, on NIO's testing channel: fragments, control frames,
/// close handshakes and slow readers, without sockets or clocks.
struct DeviceFrameTests {
    static let display = Display(
        id: "north-1", name: "North 1", width: 64, height: 32, lat: 0, lon: 0, district: "north", timezone: "UTC",
        createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))

    struct Rig {
        let channel: NIOAsyncTestingChannel
        let hub: ChannelHub
        let workers: ChannelWorkers
        let session: DeviceSession

        init() async throws {
            channel = NIOAsyncTestingChannel()
            hub = ChannelHub(heartbeat: .seconds(20), clock: { Date(timeIntervalSince1970: 1_000) })
            workers = ChannelWorkers(count: 1)
            session = hub.open(display: DeviceFrameTests.display, channel: channel).0
            try await channel.testingEventLoop.submit { [channel, session, hub, workers] in
                try channel.pipeline.syncOperations.addHandler(DeviceFrameHandler(session: session, hub: hub, workers: workers))
            }.get()
            try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))
        }

        func outbound() async throws -> [WebSocketFrame] {
            await channel.testingEventLoop.run()
            var frames: [WebSocketFrame] = []
            while let frame = try await channel.readOutbound(as: WebSocketFrame.self) { frames.append(frame) }
            return frames
        }

        func nextJob() async -> ChannelJob? {
            var iterator = workers.queues[0].stream.makeAsyncIterator()
            return await iterator.next()
        }
    }

    static func text(_ string: String) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: string)).masked()
    }

    @Test func lastSeenAloneIsWrittenOnceAHeartbeatAndANewStatusAtOnce() async throws {
        let rig = try await Rig()
        _ = rig.hub.takePresence()
        rig.hub.heard(rig.session)
        #expect(rig.hub.takePresence().map(\.status) == [.online])
        // Heard again within the heartbeat (20 s): nothing new to write, however often.
        for _ in 0..<5 { rig.hub.heard(rig.session) }
        #expect(rig.hub.takePresence().isEmpty)
        // A health report that changes the status is written with the next flush.
        rig.session.state.withLock { $0.status = .degraded }
        rig.hub.heard(rig.session)
        #expect(rig.hub.takePresence().map(\.status) == [.degraded])
        // A heartbeat after the last write the time is written again.
        rig.session.state.withLock { $0.written?.at = .now - .seconds(21) }
        rig.hub.heard(rig.session)
        #expect(rig.hub.takePresence().map(\.status) == [.degraded])
    }

    @Test func aShortMessageIsOneFrame() async throws {
        let rig = try await Rig()
        rig.session.post(ByteBuffer(string: #"{"v":1,"type":"ping","t":0}"#))
        let frames = try await rig.outbound()
        #expect(frames.map(\.opcode) == [.text])
        #expect(frames.map(\.fin) == [true])
        #expect(String(buffer: frames[0].data) == #"{"v":1,"type":"ping","t":0}"#)
    }

    @Test(arguments: [DeviceChannel.maxFrameBytes, DeviceChannel.maxFrameBytes + 1, 150_000, 3 * DeviceChannel.maxFrameBytes])
    func aLongMessageGoesAsFragmentsThatAddUpToIt(size: Int) async throws {
        let rig = try await Rig()
        let bytes = (0..<size).map { UInt8(ascii: "a") + UInt8($0 % 26) }
        rig.session.post(ByteBuffer(bytes: bytes))
        let frames = try await rig.outbound()
        let expected = (size + DeviceChannel.maxFrameBytes - 1) / DeviceChannel.maxFrameBytes
        #expect(frames.count == expected)
        #expect(frames.first?.opcode == .text)
        #expect(frames.dropFirst().allSatisfy { $0.opcode == .continuation })
        #expect(frames.map(\.fin) == Array(repeating: false, count: expected - 1) + [true])
        #expect(frames.allSatisfy { $0.data.readableBytes <= DeviceChannel.maxFrameBytes && $0.data.readableBytes > 0 })
        #expect(frames.flatMap { Array($0.data.readableBytesView) } == bytes)
    }

    @Test func closeSendsTheCodeAndAReasonThatFitsThenClosesWhenTheAgentDoesNotAnswer() async throws {
        let rig = try await Rig()
        let reason = String(repeating: "é", count: 100)
        rig.session.close(.policyViolation, reason: reason)
        rig.session.close(.goingAway, reason: "second close is ignored")
        let frames = try await rig.outbound()
        #expect(frames.map(\.opcode) == [.connectionClose])
        var body = frames[0].data
        #expect(body.readWebSocketErrorCode() == .policyViolation)
        let sent = body.readString(length: body.readableBytes) ?? ""
        #expect(sent.utf8.count <= 123)
        #expect(sent == String(repeating: "é", count: 61))
        #expect(rig.channel.isActive)
        await rig.channel.testingEventLoop.advanceTime(by: DeviceSession.closeTimeout)
        #expect(!rig.channel.isActive)
        #expect(rig.hub.session("north-1") == nil)
    }

    @Test func theAgentsCloseIsEchoedAndTheSessionGoes() async throws {
        let rig = try await Rig()
        var body = ByteBuffer()
        body.write(webSocketErrorCode: .normalClosure)
        try await rig.channel.writeInbound(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: body).masked())
        let frames = try await rig.outbound()
        #expect(frames.map(\.opcode) == [.connectionClose])
        var reply = frames[0].data
        #expect(reply.readWebSocketErrorCode() == .normalClosure)
        #expect(!rig.channel.isActive)
        #expect(rig.hub.session("north-1") == nil)
        guard case .closed = await rig.nextJob() else { Issue.record("expected the closed job"); return }
    }

    @Test func pingsAreAnsweredWithTheirData() async throws {
        let rig = try await Rig()
        try await rig.channel.writeInbound(WebSocketFrame(fin: true, opcode: .ping, maskKey: .random(), data: ByteBuffer(string: "abc")).masked())
        let frames = try await rig.outbound()
        #expect(frames.map(\.opcode) == [.pong])
        #expect(String(buffer: frames[0].data) == "abc")
    }

    @Test func textIsDecodedAndBinaryIsRefused() async throws {
        let rig = try await Rig()
        let hello = AgentMessage.hello(.init(agent: "test", width: 64, height: 32, scheduleVersion: nil))
        try await rig.channel.writeInbound(Self.text(String(decoding: hello.encoded(), as: UTF8.self)))
        guard case .message(_, .hello(let got)) = await rig.nextJob() else { Issue.record("expected hello"); return }
        #expect(got.agent == "test")
        try await rig.channel.writeInbound(WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: [1, 2, 3])))
        guard case .refused(_, let error) = await rig.nextJob() else { Issue.record("expected a refusal"); return }
        #expect(error.message.contains("binary"))
        try await rig.channel.writeInbound(Self.text("{not json"))
        guard case .refused = await rig.nextJob() else { Issue.record("expected a refusal"); return }
    }

    @Test func aDisplayThatStopsReadingIsNotReadFromAndGoesOnWhenItCatchesUp() async throws {
        let rig = try await Rig()
        let reads = try await rig.countReads()
        rig.channel.isWritable = false
        rig.channel.pipeline.fireChannelWritabilityChanged()
        // Sending does not wait for the display.
        rig.session.send(.ping(.init(t: 1)))
        let before = reads.count
        rig.channel.read()
        await rig.channel.testingEventLoop.run()
        #expect(reads.count == before)
        rig.channel.isWritable = true
        rig.channel.pipeline.fireChannelWritabilityChanged()
        await rig.channel.testingEventLoop.run()
        #expect(reads.count == before + 1)
        await rig.channel.testingEventLoop.advanceTime(by: DeviceSession.slowReaderTimeout)
        #expect(rig.channel.isActive)
        #expect(try await rig.outbound().count == 1)
    }

    @Test func aDisplayThatNeverCatchesUpIsClosed() async throws {
        let rig = try await Rig()
        rig.channel.isWritable = false
        rig.channel.pipeline.fireChannelWritabilityChanged()
        rig.session.send(.ping(.init(t: 1)))
        await rig.channel.testingEventLoop.advanceTime(by: DeviceSession.slowReaderTimeout - .seconds(1))
        #expect(rig.channel.isActive)
        await rig.channel.testingEventLoop.advanceTime(by: .seconds(1))
        #expect(!rig.channel.isActive)
    }

    @Test func aDisplayWhoseQueueIsFullIsNotReadFromUntilAWorkerCatchesUp() async throws {
        let rig = try await Rig()
        let reads = try await rig.countReads()
        for i in 0..<DeviceSession.maxQueuedMessages {
            try await rig.channel.writeInbound(Self.text(#"{"v":1,"type":"pong","t":\#(i)}"#))
        }
        let before = reads.count
        rig.channel.read()
        await rig.channel.testingEventLoop.run()
        #expect(reads.count == before)
        // A worker handles one message: the display is read from again.
        let job = try #require(await rig.nextJob())
        rig.workers.finished(job)
        await rig.channel.testingEventLoop.run()
        #expect(reads.count == before + 1)
    }

    @Test func aWorkerDoesNotWaitForADisplayThatStoppedReading() async throws {
        try await Fixture.with { fx in
            let env = makeEnvironment(
                store: fx.store, configuration: fx.configuration, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                clock: { fx.clock.now })
            let devices = DeviceChannel(env: env)
            let slow = try await Rig()
            slow.channel.isWritable = false
            slow.channel.pipeline.fireChannelWritabilityChanged()
            let fast = try await Rig()
            let bad = TentacleCore.ChannelError(.notJSON, "message could not be read")
            let done = Mutex(false)
            // Both displays on one worker, the stalled one first.
            Task {
                await devices.process(.refused(slow.session, bad), logger: Logger(label: "test"))
                await devices.process(.refused(fast.session, bad), logger: Logger(label: "test"))
                done.withLock { $0 = true }
            }
            #expect(await eventually(timeout: .seconds(5)) { done.withLock { $0 } })
            let answered = try await fast.outbound()
            #expect(answered.count == 1)
            #expect(slow.channel.isActive)
        }
    }
}

/// Counts the reads that get past the frame handler to the socket.
final class ReadCounter: ChannelOutboundHandler, Sendable {
    typealias OutboundIn = Any
    private let reads = Mutex(0)

    var count: Int { reads.withLock { $0 } }

    func read(context: ChannelHandlerContext) {
        reads.withLock { $0 += 1 }
        context.read()
    }
}

extension DeviceFrameTests.Rig {
    /// Puts a read counter between the frame handler and the socket.
    func countReads() async throws -> ReadCounter {
        let counter = ReadCounter()
        try await channel.testingEventLoop.submit { [channel] in
            try channel.pipeline.syncOperations.addHandler(counter, position: .first)
        }.get()
        return counter
    }
}

extension WebSocketFrame {
    /// The frame as an agent sends it: payload masked with its key.
    func masked() -> WebSocketFrame {
        guard let key = maskKey else { return self }
        var data = self.data
        data.webSocketMask(key)
        return WebSocketFrame(fin: fin, opcode: opcode, maskKey: key, data: data)
    }
}
