import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TentacleCore
import TentacleStore

/// What operators do to and learn from a display through its channel: remote commands, the
/// latest screenshot and proof of play.
struct DisplayCommandController {
    let env: ServerEnvironment
    let displays: DisplayController

    struct CommandInput: Decodable {
        var command: String
        var level: Int?
        var auto: Bool?
        var seconds: Int?
    }

    struct PlayList: Encodable {
        var displayId: String
        var from: Date
        var to: Date
        var plays: [Play]
    }

    struct Play: Encodable {
        var kind: String
        var layoutId: String?
        var campaignId: String?
        var revision: Int?
        var alertId: String?
        var start: Date
        var end: Date
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("displays/:id/commands", use: send)
        group.get("displays/:id/commands") { _, context in
            let display = try await displays.visibleDisplay(context)
            return try JSONBody.response(["items": env.channel.commands(of: display.id)])
        }
        group.get("displays/:id/screenshot.png") { _, context in
            let display = try await displays.visibleDisplay(context)
            guard let shot = try await env.store.screenshot(displayId: display.id) else {
                throw APIError(.notFound, "display '\(display.id)' has sent no screenshot yet; send it a screenshot command")
            }
            var headers: HTTPFields = [.contentType: "image/png", .cacheControl: "no-store"]
            headers[HTTPField.Name("X-Taken-At")!] = ISO8601DateFormatter().string(from: shot.takenAt)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: shot.png)))
        }
        group.get("displays/:id/plays", use: plays)
    }

    @Sendable func send(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.writeDisplays)
        let display = try await displays.visibleDisplay(context)
        let input = try await JSONBody.decode(
            CommandInput.self, from: request, allowedFields: ["command", "level", "auto", "seconds"], limit: env.configuration.maxBodyBytes)
        let command = try Self.validate(input)
        // The channel is here, or (with several nodes) on the node the registry says the display is online through.
        let session = env.channel.session(display.id)
        guard session != nil || (env.channel.relay.isShared && display.status != .offline) else {
            throw APIError(.conflict, "display '\(display.id)' is not connected; commands reach displays that are online")
        }
        let record = CommandRecord(
            id: command.id, command: command.command.rawValue, level: command.level, auto: command.auto, seconds: command.seconds,
            issuedBy: p.username, issuedAt: env.clock(), state: "sent")
        env.channel.recordCommand(record, for: display.id)
        if let session {
            session.send(.command(command))
        } else {
            env.channel.relay.send(.command(display: display.id, command, record))
        }
        try await env.store.recordEvent(
            env.audit(p, "display.command", "display", display.id, "sent \(Self.describe(command))"))
        return try JSONBody.response(record, status: .accepted)
    }

    static func validate(_ input: CommandInput) throws -> ServerMessage.Command {
        guard let name = ServerMessage.Command.Name(rawValue: input.command) else {
            let allowed = ServerMessage.Command.Name.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError(field: "command", "must be one of \(allowed)")
        }
        let id = Identifier.generate(prefix: "cmd")
        switch name {
        case .brightness:
            switch (input.level, input.auto) {
            case (let level?, nil), (let level?, false?):
                guard (0...100).contains(level) else { throw ValidationError(field: "level", "must be 0 to 100, not \(level)") }
                return .init(id: id, command: name, level: level, auto: false)
            case (nil, true?):
                return .init(id: id, command: name, auto: true)
            case (_?, true?):
                throw ValidationError(field: "auto", "give either a level or auto: true, not both")
            default:
                throw ValidationError(field: "level", "brightness needs a level 0 to 100 or auto: true")
            }
        case .identify:
            if input.level != nil || input.auto != nil { throw ValidationError(field: "level", "identify takes only seconds") }
            let seconds = input.seconds ?? 10
            guard (1...300).contains(seconds) else { throw ValidationError(field: "seconds", "must be 1 to 300, not \(seconds)") }
            return .init(id: id, command: name, seconds: seconds)
        case .screenshot, .reload:
            if input.level != nil || input.auto != nil || input.seconds != nil {
                throw ValidationError(field: "command", "\(name.rawValue) takes no level, auto or seconds")
            }
            return .init(id: id, command: name)
        }
    }

    static func describe(_ c: ServerMessage.Command) -> String {
        switch c.command {
        case .brightness: c.auto == true ? "brightness auto" : "brightness \(c.level ?? 0)"
        case .identify: "identify for \(c.seconds ?? 10) s"
        case .screenshot, .reload: c.command.rawValue
        }
    }

    @Sendable func plays(_ request: Request, context: AppRequestContext) async throws -> Response {
        let display = try await displays.visibleDisplay(context)
        let q = QueryParameters(request: request)
        let to = try q.date("to") ?? env.clock()
        let from = try q.date("from") ?? to.addingTimeInterval(-86_400)
        guard from < to else { throw APIError.badRequest("from must be before to", field: "from") }
        let limit = try q.int("limit", in: 1...10_000) ?? 1000
        let rows = try await env.store.plays(
            displayId: display.id, from: Reading.milliseconds(from), to: Reading.milliseconds(to), limit: limit)
        func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }
        let plays = rows.map {
            Play(kind: $0.kind, layoutId: $0.layoutId, campaignId: $0.campaignId, revision: $0.revision, alertId: $0.alertId,
                 start: date($0.start), end: date($0.end))
        }
        return try JSONBody.response(PlayList(displayId: display.id, from: from, to: to, plays: plays))
    }
}
