public import Foundation

/// `{"v":1,"type":"...", ...payload fields}` on the wire: the payload's fields sit beside `v` and `type`.
private enum EnvelopeKeys: String, CodingKey {
    case v, type
}

/// How each message type's payload is read, by `type`.
protocol ChannelPayloads: Sendable {
    static var payloads: [String: @Sendable (any Decoder) throws -> Self] { get }
    /// The message of `type` with the fields before the envelope's, when it is one written directly.
    static func direct(type: String, _ fields: [(key: String, value: FastJSON.Value)]) -> Self?
    /// The message's own fields in key order (all sorting before `type`), when it is written directly.
    var directFields: [(String, FastJSON.Value)]? { get }
    var type: String { get }
}

extension ChannelPayloads {
    /// A message exactly as `writtenDirectly` writes it, read without the decoder; anything else
    /// (other spacing, order or fields) is left to the decoder and its checks.
    static func directlyDecoded(_ bytes: some Collection<UInt8>) -> Self? {
        guard let fields = FastJSON.fields(bytes), fields.count >= 2,
            fields[fields.count - 1].key == "v", fields[fields.count - 1].value == .int(Int64(Channel.version)),
            fields[fields.count - 2].key == "type", case .string(let type) = fields[fields.count - 2].value
        else { return nil }
        return direct(type: type, Array(fields.dropLast(2)))
    }

    /// The message written without the encoder, byte for byte as the encoder (keys sorted) writes it.
    var writtenDirectly: [UInt8]? {
        guard let fields = directFields else { return nil }
        return FastJSON.object(fields + [("type", .string(type)), ("v", .int(Int64(Channel.version)))])
    }
}

/// One message read in a single pass over the JSON: envelope first, then the payload from the same object.
private struct Envelope<Message: ChannelPayloads>: Decodable {
    let message: Message

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: EnvelopeKeys.self)
        guard let v = try? c.decode(Int.self, forKey: .v) else {
            throw ChannelError(.invalidField, "every message needs a whole-number protocol version 'v'", field: "v")
        }
        guard let type = try? c.decode(String.self, forKey: .type) else {
            throw ChannelError(.invalidField, "every message needs a string 'type'", field: "type")
        }
        guard v == Channel.version else {
            throw ChannelError(.unsupportedVersion, "protocol version \(v) is not supported; this server speaks \(Channel.version)", field: "v")
        }
        guard let payload = Message.payloads[type] else {
            let expected = Message.payloads.keys.sorted().joined(separator: ", ")
            throw ChannelError(.unknownType, "unknown message type '\(type.prefix(40))'; expected one of \(expected)", field: "type")
        }
        do {
            message = try payload(decoder)
        } catch let error as DecodingError {
            throw ChannelError(.invalidField, "'\(type)' message: \(Channel.describe(error))", field: Channel.field(of: error))
        }
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
    static func decode<Message: ChannelPayloads>(_ bytes: some Collection<UInt8>, decoder: JSONDecoder) throws(ChannelError) -> Message {
        do {
            return try decoder.decode(Envelope<Message>.self, from: Data(bytes)).message
        } catch let error as ChannelError {
            throw error
        } catch {
            throw ChannelError(.notJSON, "message is not a JSON object")
        }
    }

    static func encode(type: String, _ payload: some Encodable, with encoder: JSONEncoder) -> [UInt8] {
        // Every payload is plain values with string forms for non-finite floats; encoding cannot fail.
        (try? Array(encoder.encode(Enveloped(type: type, payload: payload)))) ?? []
    }

    static func field(of error: DecodingError) -> String? {
        let path: [any CodingKey]
        switch error {
        case .keyNotFound(let key, let ctx): path = ctx.codingPath + [key]
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx), .dataCorrupted(let ctx): path = ctx.codingPath
        @unknown default: return nil
        }
        guard !path.isEmpty else { return nil }
        return path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case .typeMismatch(let type, _): "a field has the wrong type (expected \(type))"
        case .valueNotFound(let type, _): "a field is null (expected \(type))"
        case .dataCorrupted(let ctx): ctx.debugDescription
        @unknown default: "unreadable"
        }
    }
}

extension AgentMessage: ChannelPayloads {
    static let payloads: [String: @Sendable (any Decoder) throws -> AgentMessage] = [
        "hello": { .hello(try Hello(from: $0)) },
        "pong": { .pong(try Pong(from: $0)) },
        "readings": { .readings(try ReadingsBatch(from: $0)) },
        "health": { .health(try HealthReport(from: $0)) },
        "playLog": { .playLog(try PlayLog(from: $0)) },
        "ack": { .ack(try AlertAck(from: $0)) },
        "screenshot": { .screenshot(try Screenshot(from: $0)) },
        "fetch": { .fetch(try Fetch(from: $0)) },
        "result": { .result(try CommandResult(from: $0)) },
    ]

    public static func decode(_ bytes: some Collection<UInt8>, decoder: JSONDecoder = Channel.decoder()) throws(ChannelError) -> AgentMessage {
        if let message = directlyDecoded(bytes) { return message }
        return try Channel.decode(bytes, decoder: decoder)
    }

    /// Pongs and acknowledgements, sent by every display, are written and read without the
    /// coder when they have exactly the form written here.
    static func direct(type: String, _ f: [(key: String, value: FastJSON.Value)]) -> AgentMessage? {
        switch (type, f.count) {
        case ("pong", 1):
            guard f[0].key == "t", case .int(let t) = f[0].value else { return nil }
            return .pong(.init(t: t))
        case ("ack", 2):
            guard f[0].key == "alertId", case .string(let id) = f[0].value, f[1].key == "shownAt", case .int(let at) = f[1].value else { return nil }
            return .ack(.init(alertId: id, shownAt: at))
        default:
            return nil
        }
    }

    var directFields: [(String, FastJSON.Value)]? {
        switch self {
        case .pong(let p): [("t", .int(p.t))]
        case .ack(let p) where FastJSON.isPlain(p.alertId): [("alertId", .string(p.alertId)), ("shownAt", .int(p.shownAt))]
        default: nil
        }
    }

    /// The message as JSON; see `direct(type:_:)` for the messages written without the encoder.
    public func encoded() -> [UInt8] {
        directlyEncoded ?? encoded(with: Channel.encoder())
    }

    public var directlyEncoded: [UInt8]? { writtenDirectly }

    public func encoded(with encoder: JSONEncoder) -> [UInt8] {
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

extension ServerMessage: ChannelPayloads {
    static let payloads: [String: @Sendable (any Decoder) throws -> ServerMessage] = [
        "welcome": { .welcome(try Welcome(from: $0)) },
        "schedule": { .schedule(try ScheduleUpdate(from: $0)) },
        "asset": { .asset(try Asset(from: $0)) },
        "command": { .command(try Command(from: $0)) },
        "ping": { .ping(try Ping(from: $0)) },
        "received": { .received(try Received(from: $0)) },
        "alert": { .alert(try AlertNotice(from: $0)) },
        "alertCancel": { .alertCancel(try AlertCancel(from: $0)) },
        "error": { .error(try ErrorNotice(from: $0)) },
    ]

    public static func decode(_ bytes: some Collection<UInt8>, decoder: JSONDecoder = Channel.decoder()) throws(ChannelError) -> ServerMessage {
        if let message = directlyDecoded(bytes) { return message }
        return try Channel.decode(bytes, decoder: decoder)
    }

    /// Pings and plain `received` answers, sent to every display, are written and read without
    /// the coder when they have exactly the form written here.
    static func direct(type: String, _ f: [(key: String, value: FastJSON.Value)]) -> ServerMessage? {
        switch (type, f.count) {
        case ("ping", 1):
            guard f[0].key == "t", case .int(let t) = f[0].value else { return nil }
            return .ping(.init(t: t))
        case ("received", 2):
            guard f[0].key == "duplicate", case .bool(let duplicate) = f[0].value, f[1].key == "seq", case .int(let seq) = f[1].value
            else { return nil }
            return .received(.init(seq: seq, duplicate: duplicate))
        default:
            return nil
        }
    }

    var directFields: [(String, FastJSON.Value)]? {
        switch self {
        case .ping(let p): [("t", .int(p.t))]
        case .received(let p) where p.refused == nil && p.reason == nil: [("duplicate", .bool(p.duplicate)), ("seq", .int(p.seq))]
        default: nil
        }
    }

    /// The message as JSON; see `direct(type:_:)` for the messages written without the encoder.
    public func encoded() -> [UInt8] {
        directlyEncoded ?? encoded(with: Channel.encoder())
    }

    public var directlyEncoded: [UInt8]? { writtenDirectly }

    public func encoded(with encoder: JSONEncoder) -> [UInt8] {
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

/// A flat JSON object of plain values, for the few small messages sent so often that the
/// encoder's own work shows; keys are given in sorted order, as the encoder sorts them.
enum FastJSON {
    enum Value: Equatable {
        case int(Int64)
        case bool(Bool)
        /// Only strings for which `isPlain` holds: nothing in them needs escaping.
        case string(String)
    }

    /// Printable ASCII without quote or backslash.
    static func isPlain(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
    }

    /// The fields of a flat object written as `object` writes it: no spaces, keys and strings
    /// without escapes, whole numbers without leading zeros, `true`/`false`. Nil for anything
    /// else, which then goes to the full decoder.
    static func fields(_ bytes: some Collection<UInt8>) -> [(key: String, value: Value)]? {
        let bytes = Array(bytes)
        guard bytes.count >= 2, bytes.count <= 512, bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { return nil }
        var fields: [(key: String, value: Value)] = []
        var i = 1
        func string() -> String? {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
            let start = i + 1
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                guard bytes[end] >= 0x20, bytes[end] < 0x7F, bytes[end] != UInt8(ascii: "\\") else { return nil }
                end += 1
            }
            guard end < bytes.count else { return nil }
            i = end + 1
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
        while i < bytes.count - 1 {
            if !fields.isEmpty {
                guard bytes[i] == UInt8(ascii: ",") else { return nil }
                i += 1
            }
            guard let key = string(), i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            guard i < bytes.count else { return nil }
            let value: Value
            switch bytes[i] {
            case UInt8(ascii: "\""):
                guard let text = string() else { return nil }
                value = .string(text)
            case UInt8(ascii: "t"), UInt8(ascii: "f"):
                let word = bytes[i] == UInt8(ascii: "t") ? Array("true".utf8) : Array("false".utf8)
                guard i + word.count <= bytes.count, Array(bytes[i..<(i + word.count)]) == word else { return nil }
                i += word.count
                value = .bool(word.count == 4)
            default:
                let start = i
                if bytes[i] == UInt8(ascii: "-") { i += 1 }
                let digits = i
                while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
                let count = i - digits
                guard count > 0, count <= 18, !(count > 1 && bytes[digits] == UInt8(ascii: "0")),
                    !(bytes[start] == UInt8(ascii: "-") && count == 1 && bytes[digits] == UInt8(ascii: "0")),
                    let n = Int64(String(decoding: bytes[start..<i], as: UTF8.self))
                else { return nil }
                value = .int(n)
            }
            fields.append((key, value))
        }
        return i == bytes.count - 1 ? fields : nil
    }

    static func object(_ fields: [(String, Value)]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(64)
        for (i, (key, value)) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            out += key.utf8
            out += #"":"#.utf8
            switch value {
            case .int(let n): out += String(n).utf8
            case .bool(let b): out += (b ? "true" : "false").utf8
            case .string(let text):
                out.append(UInt8(ascii: "\""))
                out += text.utf8
                out.append(UInt8(ascii: "\""))
            }
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
