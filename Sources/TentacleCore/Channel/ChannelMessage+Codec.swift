public import Foundation

/// `{"v":1,"type":"...", ...payload fields}` on the wire: the payload's fields sit beside `v` and `type`.
private enum EnvelopeKeys: String, CodingKey {
    case v, type
}

private struct Envelope: Decodable {
    let v: Int
    let type: String

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: EnvelopeKeys.self)
        guard let v = try? c.decode(Int.self, forKey: .v) else {
            throw ChannelError(.invalidField, "every message needs a whole-number protocol version 'v'", field: "v")
        }
        guard let type = try? c.decode(String.self, forKey: .type) else {
            throw ChannelError(.invalidField, "every message needs a string 'type'", field: "type")
        }
        self.v = v
        self.type = type
    }
}

/// A payload followed by the envelope fields, encoded as one flat object.
private struct Enveloped<Payload: Encodable>: Encodable {
    let type: String
    let payload: Payload

    func encode(to encoder: any Encoder) throws {
        try payload.encode(to: encoder)
        var c = encoder.container(keyedBy: EnvelopeKeys.self)
        try c.encode(Channel.version, forKey: .v)
        try c.encode(type, forKey: .type)
    }
}

extension Channel {
    /// Reads one message, checking the version and type first so errors say what is wrong.
    static func decode<Message>(
        _ bytes: some Collection<UInt8>, payloads: [String: @Sendable (JSONDecoder, Data) throws -> Message], decoder: JSONDecoder
    ) throws(ChannelError) -> Message {
        let data = Data(bytes)
        let envelope: Envelope
        do {
            envelope = try decoder.decode(Envelope.self, from: data)
        } catch let error as ChannelError {
            throw error
        } catch {
            throw ChannelError(.notJSON, "message is not a JSON object")
        }
        guard envelope.v == Channel.version else {
            throw ChannelError(.unsupportedVersion, "protocol version \(envelope.v) is not supported; this server speaks \(Channel.version)", field: "v")
        }
        guard let payload = payloads[envelope.type] else {
            throw ChannelError(.unknownType, "unknown message type '\(envelope.type.prefix(40))'; expected one of \(payloads.keys.sorted().joined(separator: ", "))", field: "type")
        }
        do {
            return try payload(decoder, data)
        } catch let error as DecodingError {
            throw ChannelError(.invalidField, "'\(envelope.type)' message: \(Self.describe(error))", field: Self.field(of: error))
        } catch {
            throw ChannelError(.invalidField, "'\(envelope.type)' message: \(error)")
        }
    }

    static func encode(type: String, _ payload: some Encodable, with encoder: JSONEncoder) -> [UInt8] {
        // Every payload is plain values with string forms for non-finite floats; encoding cannot fail.
        (try? Array(encoder.encode(Enveloped(type: type, payload: payload)))) ?? []
    }

    private static func field(of error: DecodingError) -> String? {
        let path: [any CodingKey]
        switch error {
        case .keyNotFound(let key, let ctx): path = ctx.codingPath + [key]
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx), .dataCorrupted(let ctx): path = ctx.codingPath
        @unknown default: return nil
        }
        guard !path.isEmpty else { return nil }
        return path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case .typeMismatch(let type, _): "a field has the wrong type (expected \(type))"
        case .valueNotFound(let type, _): "a field is null (expected \(type))"
        case .dataCorrupted(let ctx): ctx.debugDescription
        @unknown default: "unreadable"
        }
    }
}

extension AgentMessage {
    private static let payloads: [String: @Sendable (JSONDecoder, Data) throws -> AgentMessage] = [
        "hello": { .hello(try $0.decode(Hello.self, from: $1)) },
        "pong": { .pong(try $0.decode(Pong.self, from: $1)) },
        "readings": { .readings(try $0.decode(ReadingsBatch.self, from: $1)) },
        "health": { .health(try $0.decode(HealthReport.self, from: $1)) },
        "playLog": { .playLog(try $0.decode(PlayLog.self, from: $1)) },
        "ack": { .ack(try $0.decode(AlertAck.self, from: $1)) },
        "screenshot": { .screenshot(try $0.decode(Screenshot.self, from: $1)) },
        "fetch": { .fetch(try $0.decode(Fetch.self, from: $1)) },
        "result": { .result(try $0.decode(CommandResult.self, from: $1)) },
    ]

    public static func decode(_ bytes: some Collection<UInt8>, decoder: JSONDecoder = Channel.decoder()) throws(ChannelError) -> AgentMessage {
        try Channel.decode(bytes, payloads: payloads, decoder: decoder)
    }

    public func encoded(with encoder: JSONEncoder = Channel.encoder()) -> [UInt8] {
        switch self {
        case .hello(let p): Channel.encode(type: type, p, with: encoder)
        case .pong(let p): Channel.encode(type: type, p, with: encoder)
        case .readings(let p): Channel.encode(type: type, p, with: encoder)
        case .health(let p): Channel.encode(type: type, p, with: encoder)
        case .playLog(let p): Channel.encode(type: type, p, with: encoder)
        case .ack(let p): Channel.encode(type: type, p, with: encoder)
        case .screenshot(let p): Channel.encode(type: type, p, with: encoder)
        case .fetch(let p): Channel.encode(type: type, p, with: encoder)
        case .result(let p): Channel.encode(type: type, p, with: encoder)
        }
    }
}

extension ServerMessage {
    private static let payloads: [String: @Sendable (JSONDecoder, Data) throws -> ServerMessage] = [
        "welcome": { .welcome(try $0.decode(Welcome.self, from: $1)) },
        "schedule": { .schedule(try $0.decode(ScheduleUpdate.self, from: $1)) },
        "asset": { .asset(try $0.decode(Asset.self, from: $1)) },
        "command": { .command(try $0.decode(Command.self, from: $1)) },
        "ping": { .ping(try $0.decode(Ping.self, from: $1)) },
        "received": { .received(try $0.decode(Received.self, from: $1)) },
        "alert": { .alert(try $0.decode(AlertNotice.self, from: $1)) },
        "alertCancel": { .alertCancel(try $0.decode(AlertCancel.self, from: $1)) },
        "error": { .error(try $0.decode(ErrorNotice.self, from: $1)) },
    ]

    public static func decode(_ bytes: some Collection<UInt8>, decoder: JSONDecoder = Channel.decoder()) throws(ChannelError) -> ServerMessage {
        try Channel.decode(bytes, payloads: payloads, decoder: decoder)
    }

    public func encoded(with encoder: JSONEncoder = Channel.encoder()) -> [UInt8] {
        switch self {
        case .welcome(let p): Channel.encode(type: type, p, with: encoder)
        case .schedule(let p): Channel.encode(type: type, p, with: encoder)
        case .asset(let p): Channel.encode(type: type, p, with: encoder)
        case .command(let p): Channel.encode(type: type, p, with: encoder)
        case .ping(let p): Channel.encode(type: type, p, with: encoder)
        case .received(let p): Channel.encode(type: type, p, with: encoder)
        case .alert(let p): Channel.encode(type: type, p, with: encoder)
        case .alertCancel(let p): Channel.encode(type: type, p, with: encoder)
        case .error(let p): Channel.encode(type: type, p, with: encoder)
        }
    }
}
