import Foundation
import NIOCore
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

    @Test func aWriterWaitsForASlowDisplayAndGoesOnWhenItCatchesUp() async throws {
        let rig = try await Rig()
        rig.channel.isWritable = false
        let sent = Task { await rig.session.send(.ping(.init(t: 1))) }
        try await Task.sleep(for: .milliseconds(50))
        rig.channel.isWritable = true
        rig.channel.pipeline.fireChannelWritabilityChanged()
        await sent.value
        #expect(rig.channel.isActive)
        #expect(try await rig.outbound().count == 1)
    }

    @Test func aDisplayThatNeverCatchesUpIsClosed() async throws {
        let rig = try await Rig()
        rig.channel.isWritable = false
        let sent = Task { await rig.session.send(.ping(.init(t: 1))) }
        try await Task.sleep(for: .milliseconds(50))
        await rig.channel.testingEventLoop.advanceTime(by: DeviceSession.slowReaderTimeout)
        await sent.value
        #expect(!rig.channel.isActive)
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
