import Foundation
import Testing
@testable import TentacleCore

@Suite struct ChannelMessageTests {
    static let display = Display(
        id: "d-1", name: "Harbor 1", width: 192, height: 96, lat: 31.2, lon: 121.5, district: "harbor", groups: ["bus"], tags: [],
        timezone: "Asia/Shanghai", createdAt: Date(timeIntervalSince1970: 1_700_000_000), updatedAt: Date(timeIntervalSince1970: 1_700_000_000))

    static let agentMessages: [AgentMessage] = [
        .hello(.init(agent: "tentacle-agent/1", width: 192, height: 96, scheduleVersion: nil, alerts: ["a1"])),
        .hello(.init(agent: "tentacle-agent/1", width: 64, height: 32, scheduleVersion: "abc")),
        .pong(.init(t: 17)),
        .readings(.init(seq: 3, readings: [.init(metric: "lux", time: 1_700_000_000_000, value: 1200.5)])),
        .health(.init(seq: 4, at: 1_700_000_000_000, fps: 24.9, brightness: 60, brightnessMode: "auto", panelTempC: 41.5, lux: nil)),
        .playLog(.init(seq: 5, plays: [.init(kind: "campaign", layoutId: "l1", campaignId: "c1", revision: 2, alertId: nil, start: 1, end: 2)])),
        .ack(.init(alertId: "al-1", shownAt: 99)),
        .screenshot(.init(commandId: "cmd-1", at: 5, png: "iVBORw0KGgo=")),
        .fetch(.init(assets: [String(repeating: "a", count: 64)])),
        .result(.init(commandId: "cmd-2", ok: false, message: "level out of range")),
    ]

    @Test(arguments: agentMessages) func agentMessagesRoundTrip(_ message: AgentMessage) throws {
        let bytes = message.encoded()
        #expect(try AgentMessage.decode(bytes) == message)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["v"] as? Int == Channel.version)
        #expect(object["type"] as? String == message.type)
    }

    @Test func serverMessagesRoundTrip() throws {
        let messages: [ServerMessage] = [
            .welcome(.init(display: Self.display, serverTime: 1_700_000_000_123, heartbeatSeconds: 20)),
            .schedule(.init(version: "v1", campaigns: [], defaultLayout: DefaultLayout(layoutId: "l", source: .global),
                            layouts: [.init(id: "l", document: #"{"version":1}"#)], assets: [])),
            .asset(.init(sha256: "ab", data: nil)),
            .command(.init(id: "c", command: .brightness, level: 40)),
            .command(.init(id: "c", command: .identify, seconds: 10)),
            .ping(.init(t: 1)),
            .received(.init(seq: 9, duplicate: true)),
            .alert(.init(id: "a", severity: .severe, sent: 1, expires: 2, texts: [.init(language: "en", headline: "Flood", instruction: nil)],
                         rotateSeconds: 5, replaces: [])),
            .alertCancel(.init(ids: ["a"])),
            .error(.init(code: "unknownType", message: "no", field: "type")),
        ]
        for message in messages {
            #expect(try ServerMessage.decode(message.encoded()) == message)
        }
    }

    @Test func encodingIsStable() {
        let m = AgentMessage.pong(.init(t: 5))
        #expect(String(decoding: m.encoded(), as: UTF8.self) == #"{"t":5,"type":"pong","v":1}"#)
    }

    static let badMessages: [(String, ChannelError.Code, String?)] = [
        ("", .notJSON, nil),
        ("not json", .notJSON, nil),
        ("[1,2]", .notJSON, nil),
        (#"{"type":"pong","t":1}"#, .invalidField, "v"),
        (#"{"v":"1","type":"pong","t":1}"#, .invalidField, "v"),
        (#"{"v":1,"t":1}"#, .invalidField, "type"),
        (#"{"v":2,"type":"pong","t":1}"#, .unsupportedVersion, "v"),
        (#"{"v":1,"type":"dance"}"#, .unknownType, "type"),
        (#"{"v":1,"type":"pong"}"#, .invalidField, "t"),
        (#"{"v":1,"type":"pong","t":"soon"}"#, .invalidField, "t"),
        (#"{"v":1,"type":"readings","seq":1,"readings":[{"metric":"lux","time":1}]}"#, .invalidField, "readings[0].value"),
        (#"{"v":1,"type":"hello","agent":"x","width":1}"#, .invalidField, "height"),
    ]

    @Test(arguments: badMessages) func badMessagesNameWhatIsWrong(_ text: String, _ code: ChannelError.Code, _ field: String?) {
        #expect {
            _ = try AgentMessage.decode(Array(text.utf8))
        } throws: { error in
            guard let error = error as? ChannelError else { return false }
            return error.code == code && error.field == field && !error.message.isEmpty
        }
    }

    @Test func unknownFieldsAreIgnoredForForwardCompatibility() throws {
        let text = #"{"v":1,"type":"pong","t":3,"newerField":true}"#
        #expect(try AgentMessage.decode(Array(text.utf8)) == .pong(.init(t: 3)))
    }

    @Test func serverRejectsAgentOnlyTypes() {
        #expect(throws: ChannelError.self) { _ = try ServerMessage.decode(AgentMessage.pong(.init(t: 1)).encoded()) }
    }

    @Test func aDisplayIsDegradedBelowItsOwnTargetFrameRateNotAFixedOne() throws {
        func report(fps: Double, target: Double?, panel: Double? = 40) -> AgentMessage.HealthReport {
            .init(seq: 0, at: 0, fps: fps, brightness: 60, brightnessMode: "auto", panelTempC: panel, lux: nil, targetFps: target)
        }
        // The demo city's displays draw 1 frame a second; measured rates wobble around it.
        #expect(!report(fps: 1, target: 1).isDegraded)
        #expect(!report(fps: 0.9, target: 1).isDegraded)
        #expect(report(fps: 0.5, target: 1).isDegraded)
        #expect(!report(fps: 24.9, target: 25).isDegraded)
        #expect(report(fps: 12, target: 25).isDegraded)
        // An agent that only decides draws nothing and is not held to a frame rate.
        #expect(!report(fps: 0, target: 0).isDegraded)
        #expect(report(fps: 30, target: 30, panel: 80).isDegraded)
        // A report from an older agent, without a target, keeps the old floor.
        #expect(report(fps: 4, target: nil).isDegraded)
        #expect(!report(fps: 6, target: nil).isDegraded)
        // targetFps is optional on the wire.
        let old = #"{"v":1,"type":"health","seq":0,"at":0,"fps":6,"brightness":60,"brightnessMode":"auto"}"#
        #expect(try AgentMessage.decode(Array(old.utf8)) == .health(report(fps: 6, target: nil, panel: nil)))
    }
}

/// The messages written without the encoder must be exactly what the encoder writes.
struct DirectEncodingTests {
    static let agentMessages: [AgentMessage] = [
        .pong(.init(t: 0)), .pong(.init(t: -1)), .pong(.init(t: Int64.max)), .pong(.init(t: 1_767_225_600_123)),
        .ack(.init(alertId: "flood-1", shownAt: 1_767_225_600_123)),
        .ack(.init(alertId: "urn:oid:2.49.0.1.276.0.DWD.PVW.1/2026-01-01 x", shownAt: 0)),
        .ack(.init(alertId: "", shownAt: -5)),
    ]
    static let serverMessages: [ServerMessage] = [
        .ping(.init(t: 0)), .ping(.init(t: 1_767_225_600_123)), .ping(.init(t: Int64.min)),
        .received(.init(seq: 0, duplicate: false)), .received(.init(seq: 9_007_199_254_740_993, duplicate: true)),
    ]

    @Test(arguments: agentMessages)
    func agentMessagesMatchTheEncoder(message: AgentMessage) throws {
        let direct = try #require(message.directlyEncoded)
        #expect(String(decoding: direct, as: UTF8.self) == String(decoding: message.encoded(with: Channel.encoder()), as: UTF8.self))
        #expect(try AgentMessage.decode(direct) == message)
    }

    @Test(arguments: serverMessages)
    func serverMessagesMatchTheEncoder(message: ServerMessage) throws {
        let direct = try #require(message.directlyEncoded)
        #expect(String(decoding: direct, as: UTF8.self) == String(decoding: message.encoded(with: Channel.encoder()), as: UTF8.self))
        #expect(try ServerMessage.decode(direct) == message)
    }

    @Test func whatIsWrittenDirectlyIsReadDirectly() throws {
        for message in Self.agentMessages {
            let bytes = message.encoded()
            if case .pong(let p) = message, p.t == Int64.max { continue }  // 19 digits: left to the decoder
            #expect(AgentMessage.directlyDecoded(bytes) == message, "\(String(decoding: bytes, as: UTF8.self))")
        }
        for message in Self.serverMessages {
            let bytes = message.encoded()
            if case .ping(let p) = message, p.t == Int64.min { continue }
            if case .received(let r) = message, r.seq > 999_999_999_999_999_999 { continue }
            #expect(ServerMessage.directlyDecoded(bytes) == message, "\(String(decoding: bytes, as: UTF8.self))")
        }
    }

    @Test func anythingElseIsLeftToTheDecoder() {
        let others = [
            #"{ "t":1,"type":"pong","v":1}"#, #"{"type":"pong","t":1,"v":1}"#, #"{"t":01,"type":"pong","v":1}"#, #"{"t":-0,"type":"pong","v":1}"#,
            #"{"t":1,"type":"pong","v":2}"#, #"{"t":1.5,"type":"pong","v":1}"#, #"{"t":1,"type":"pong","v":1,"x":2}"#,
            #"{"alertId":"a\"b","shownAt":1,"type":"ack","v":1}"#, #"{"alertId":"a","shownAt":"1","type":"ack","v":1}"#,
            #"{"alertId":"a","shownAt":1,"type":"ack","v":1"#, #"{"t":1,"type":"ping","v":1}"#, "{}", "", "{",
        ]
        for text in others {
            #expect(AgentMessage.directlyDecoded(Array(text.utf8)) == nil, "\(text)")
        }
        #expect(ServerMessage.directlyDecoded(Array(#"{"t":1,"type":"pong","v":1}"#.utf8)) == nil)
        #expect(ServerMessage.directlyDecoded(Array(#"{"duplicate":1,"seq":1,"type":"received","v":1}"#.utf8)) == nil)
    }

    /// Mutated messages: whenever the direct reader accepts one, the decoder reads the same message.
    @Test func theDirectReaderNeverDisagreesWithTheDecoder() {
        var random = SplitMix64(seed: 0x7E17AC1E)
        let seeds = (Self.agentMessages.map { $0.encoded() }) + Self.serverMessages.map { $0.encoded() }
        let alphabet = Array(#"{}":,-0123456789tfruealsnypkdvcIh"\ "#.utf8)
        var accepted = 0
        for _ in 0..<5_000 {
            var bytes = seeds.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let i = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[i] = alphabet.randomElement(using: &random)!
                case 1: bytes.remove(at: i)
                default: bytes.insert(alphabet.randomElement(using: &random)!, at: i)
                }
                if bytes.isEmpty { bytes = [UInt8(ascii: "{")] }
            }
            if let direct = AgentMessage.directlyDecoded(bytes) {
                accepted += 1
                let full: AgentMessage? = try? Channel.decode(bytes, decoder: Channel.decoder())
                #expect(full == direct, "\(String(decoding: bytes, as: UTF8.self))")
            }
            if let direct = ServerMessage.directlyDecoded(bytes) {
                accepted += 1
                let full: ServerMessage? = try? Channel.decode(bytes, decoder: Channel.decoder())
                #expect(full == direct, "\(String(decoding: bytes, as: UTF8.self))")
            }
        }
        #expect(accepted > 0)
    }

    @Test func textThatNeedsEscapingAndOptionalFieldsTakeTheEncoder() {
        for id in ["say \"hi\"", "back\\slash", "line\nbreak", "Überschwemmung", "tab\t"] {
            #expect(AgentMessage.ack(.init(alertId: id, shownAt: 1)).directlyEncoded == nil, "\(id)")
        }
        #expect(ServerMessage.received(.init(seq: 1, duplicate: false, refused: 2, reason: "pm25 out of range")).directlyEncoded == nil)
        #expect(AgentMessage.hello(.init(agent: "a", width: 1, height: 1, scheduleVersion: nil)).directlyEncoded == nil)
    }
}


