import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket
import Synchronization
import TentacleCore

/// The server's connections: HTTP/1.1 for the API, and the display channel's WebSocket upgrade.
///
/// A display's connection is handled by NIO channel handlers alone (`DeviceFrameHandler`), with
/// no Swift task of its own once the upgrade is done: a task keeps the deepest stack it ever
/// reached for as long as it lives, and that would be paid by every idle display in the city.
struct DeviceChannelServer: ServerChildChannel, HTTPChannelHandler {
    enum Upgrade: Sendable {
        /// The connection became a display channel and runs in its channel handlers.
        case device
        case notUpgraded(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        /// An upgrade was asked for and refused: answered with this error, then closed.
        case refused(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, APIError)
    }

    struct Value: ServerChildChannelValue {
        let upgrade: EventLoopFuture<Upgrade>
        let channel: any NIOCore.Channel
    }

    /// What the upgrade request decided, from `shouldUpgrade` to the pipeline setup.
    private final class Attempt: Sendable {
        enum Outcome {
            case accepted(Display)
            case refused(APIError)
        }

        let outcome = Mutex<Outcome?>(nil)
    }

    let responder: HTTPChannelHandler.Responder
    let devices: DeviceChannel
    let http1: HTTP1Channel.Configuration

    init(responder: @escaping HTTPChannelHandler.Responder, devices: DeviceChannel, http1: HTTP1Channel.Configuration = .init()) {
        self.responder = Self.upgradeAware(responder)
        self.devices = devices
        self.http1 = http1
    }

    static func builder(devices: DeviceChannel) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in DeviceChannelServer(responder: responder, devices: devices) }
    }

    func setup(channel: any NIOCore.Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let attempt = Attempt()
            let devices = self.devices
            let upgrader = NIOTypedWebSocketServerUpgrader<Upgrade>(
                maxFrameSize: DeviceChannel.maxFrameBytes,
                enableAutomaticErrorHandling: true,
                shouldUpgrade: { channel, head in
                    let promise = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
                    promise.completeWithTask {
                        switch await devices.authorize(head) {
                        case .success(let display):
                            attempt.outcome.withLock { $0 = .accepted(display) }
                            return HTTPHeaders()
                        case .failure(let error):
                            attempt.outcome.withLock { $0 = .refused(error) }
                            return nil
                        }
                    }
                    return promise.futureResult
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        guard case .accepted(let display) = attempt.outcome.withLock({ $0 }) else {
                            throw NIOCore.ChannelError.inappropriateOperationForState
                        }
                        try devices.attach(display: display, to: channel)
                        return Upgrade.device
                    }
                })
            let http1 = self.http1
            let notUpgrading = NIOTypedHTTPServerUpgradeConfiguration(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        try sync.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try sync.addHandlers(http1.additionalChannelHandlers())
                        try sync.addHandler(HTTPConnectionStateHandler(idleTimeout: http1.idleTimeout.map { .nanoseconds($0.nanoseconds) }, logger: logger))
                        let http = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        if case .refused(let error) = attempt.outcome.withLock({ $0 }) { return Upgrade.refused(http, error) }
                        return Upgrade.notUpgraded(http)
                    }
                })
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration<Upgrade>(upgradeConfiguration: notUpgrading)
            configuration.enablePipelining = false
            configuration.enableErrorHandling = false
            configuration.enableResponseHeaderValidation = false
            configuration.decoderConfiguration.maxHeaderFieldSize = http1.httpDecoder.maxHeaderFieldSize
            configuration.decoderConfiguration.maxHeaderListSize = http1.httpDecoder.maxHeaderListSize
            configuration.decoderConfiguration.maxHeaderFieldCount = http1.httpDecoder.maxHeaderFieldCount
            let upgrade = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            return Value(upgrade: upgrade, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.upgrade.get() {
            case .device:
                // The channel handlers own the connection from here on.
                return
            case .notUpgraded(let http):
                await handleHTTP(asyncChannel: http, logger: logger)
            case .refused(let http, let error):
                try await http.executeThenClose { _, outbound in
                    let (head, body) = error.responseParts()
                    var fields = head.headerFields
                    fields[.connection] = "close"
                    fields[.contentLength] = String(body.readableBytes)
                    try await outbound.write(contentsOf: [.head(HTTPResponse(status: head.status, headerFields: fields)), .body(body), .end(nil)])
                }
            }
        } catch let error as NIOCore.ChannelError where error == .inputClosed {
            logger.trace("connection closed before its first request")
        } catch {
            logger.debug("connection setup failed", metadata: ["error": "\(error)"])
        }
    }

    /// NIO only looks for an upgrade on a connection's first request. A later request on the same
    /// connection that asks for one is sent back to the same address with the connection closed,
    /// so the client retries on a new connection where the upgrade can happen.
    private static func upgradeAware(_ responder: @escaping HTTPChannelHandler.Responder) -> HTTPChannelHandler.Responder {
        struct Redirected: Error {}
        return { request, writer, channel in
            guard request.headers[.upgrade]?.lowercased() == "websocket" else {
                return try await responder(request, writer, channel)
            }
            var location = request.uri.path
            if let query = request.uri.query { location += "?\(query)" }
            try await writer.writeResponse(HTTPResponse(status: .temporaryRedirect, headerFields: [.connection: "close", .location: location]))
            throw Redirected()
        }
    }
}
