import NIOCore
import NIOWebSocket
import Synchronization
import TentacleCore

/// The end of a display channel's NIO pipeline: whole WebSocket messages in, jobs for the
/// channel workers out. It decodes on the event loop and never waits; control frames (ping,
/// close) are answered here.
///
/// It is also the channel's backpressure: it holds the socket's reads while the display's queue
/// is full or while the display does not read what it is sent, and closes a display that leaves
/// the server's writes unread for `slowReaderTimeout`.
final class DeviceFrameHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let session: DeviceSession
    private let hub: ChannelHub
    private let workers: ChannelWorkers
    private var stalled: Scheduled<Void>?

    init(session: DeviceSession, hub: ChannelHub, workers: ChannelWorkers) {
        self.session = session
        self.hub = hub
        self.workers = workers
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            var payload = frame.unmaskedData
            let bytes = payload.readBytes(length: payload.readableBytes) ?? []
            workers.submit(DeviceChannel.parse(bytes, session: session))
        case .binary:
            workers.submit(.refused(session, TentacleCore.ChannelError(.notJSON, "binary messages are not part of the protocol; send JSON text")))
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            let answered = session.state.withLock { s in
                defer { s.closing = true }
                return s.closing
            }
            if answered {
                context.close(promise: nil)
                return
            }
            // Echo the agent's code, then close: the server closes the TCP connection first.
            var body = frame.unmaskedData
            let code = body.readWebSocketErrorCode() ?? .normalClosure
            var reply = ByteBuffer()
            reply.write(webSocketErrorCode: code)
            let loopBound = context.loopBound
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: reply))).whenComplete { _ in
                loopBound.value.close(promise: nil)
            }
        default:
            break
        }
    }

    /// Reads go on only while the display keeps up; `handledMessage` and writability coming back ask again.
    func read(context: ChannelHandlerContext) {
        guard !session.holdsReads else { return }
        context.read()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stalled?.cancel()
        stalled = nil
        hub.close(session)
        workers.submit(.closed(session))
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            stalled?.cancel()
            stalled = nil
            read(context: context)
        } else if stalled == nil {
            let channel = context.channel
            stalled = context.eventLoop.scheduleTask(in: DeviceSession.slowReaderTimeout) { channel.close(promise: nil) }
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            session.close(.goingAway, reason: "the server is shutting down")
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Frame errors were already answered with a close frame by NIO's protocol error handler;
        // a message over the size limit is answered here.
        if error is NIOWebSocketFrameAggregator.Error {
            session.close(.messageTooLarge, reason: "messages are limited to \(DeviceChannel.maxMessageBytes >> 20) MiB")
        } else {
            context.close(promise: nil)
        }
    }
}
