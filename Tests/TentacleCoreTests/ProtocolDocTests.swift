import Foundation
import Testing
import TentacleCore

/// Keeps docs/protocol.md true: every ```json block there is a complete channel message that the
/// codec reads, re-encodes to the same value, and every message type has an example.
@Suite struct ProtocolDocTests {
    /// One sample of every case, so the type names come from the enums themselves.
    static let agentSamples: [AgentMessage] = [
        .hello(.init(agent: "a", width: 1, height: 1, scheduleVersion: nil)),
        .pong(.init(t: 0)),
        .readings(.init(seq: 0, readings: [])),
        .health(.init(seq: 0, at: 0, fps: 0, brightness: 0, brightnessMode: "auto", panelTempC: nil, lux: nil)),
        .playLog(.init(seq: 0, plays: [])),
        .ack(.init(alertId: "a", shownAt: 0)),
        .screenshot(.init(commandId: "c", at: 0, png: "")),
        .fetch(.init(assets: [])),
        .result(.init(commandId: "c", ok: true)),
    ]

    static let serverSamples: [ServerMessage] = [
        .welcome(.init(
            display: Display(id: "d", name: "d", width: 1, height: 1, lat: 0, lon: 0, district: "d", timezone: "UTC",
                             createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0)),
            serverTime: 0, heartbeatSeconds: 20)),
        .schedule(.init(version: "", campaigns: [], defaultLayout: nil, layouts: [], assets: [])),
        .asset(.init(sha256: "", data: nil)),
        .command(.init(id: "c", command: .reload)),
        .ping(.init(t: 0)),
        .received(.init(seq: 0, duplicate: false)),
        .alert(.init(id: "a", severity: .unknown, sent: 0, expires: nil, texts: [], rotateSeconds: 1, replaces: [])),
        .alertCancel(.init(ids: [])),
        .error(.init(code: "c", message: "m", field: nil)),
    ]

    /// Exhaustive switches: a new message case stops this file compiling until a sample (and an
    /// example in the doc) is added for it.
    static func index(_ m: AgentMessage) -> Int {
        switch m {
        case .hello: 0
        case .pong: 1
        case .readings: 2
        case .health: 3
        case .playLog: 4
        case .ack: 5
        case .screenshot: 6
        case .fetch: 7
        case .result: 8
        }
    }

    static func index(_ m: ServerMessage) -> Int {
        switch m {
        case .welcome: 0
        case .schedule: 1
        case .asset: 2
        case .command: 3
        case .ping: 4
        case .received: 5
        case .alert: 6
        case .alertCancel: 7
        case .error: 8
        }
    }

    enum Decoded {
        case agent(AgentMessage)
        case server(ServerMessage)

        var type: String {
            switch self {
            case .agent(let m): m.type
            case .server(let m): m.type
            }
        }
    }

    struct Example {
        var line: Int
        var text: String
    }

    static func docURL() -> URL {
        // Tests/TentacleCoreTests/ProtocolDocTests.swift → package root; resolve symlinks first so
        // a side package that links the test directory still finds the main tree's docs.
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/protocol.md")
    }

    /// Every ```json fenced block, with the line it starts on.
    static func examples() throws -> [Example] {
        let text = try String(contentsOf: docURL(), encoding: .utf8)
        var examples: [Example] = []
        var current: [String]?
        var start = 0
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if var body = current {
                if line.hasPrefix("```") {
                    examples.append(Example(line: start, text: body.joined(separator: "\n")))
                    current = nil
                } else {
                    body.append(String(raw))
                    current = body
                }
            } else if line == "```json" {
                current = []
                start = i + 1
            }
        }
        #expect(current == nil, "docs/protocol.md: the ```json block at line \(start) is not closed")
        return examples
    }

    /// Reads an example as exactly one of the two directions.
    static func decode(_ example: Example) -> Decoded? {
        let bytes = Array(example.text.utf8)
        let agent = try? AgentMessage.decode(bytes)
        let server = try? ServerMessage.decode(bytes)
        switch (agent, server) {
        case (let a?, nil): return .agent(a)
        case (nil, let s?): return .server(s)
        case (nil, nil):
            let agentError = Self.describeFailure { _ = try AgentMessage.decode(bytes) }
            let serverError = Self.describeFailure { _ = try ServerMessage.decode(bytes) }
            Issue.record("docs/protocol.md line \(example.line): not a channel message; as agent: \(agentError); as server: \(serverError)")
            return nil
        case (_?, _?):
            Issue.record("docs/protocol.md line \(example.line): reads as both an agent and a server message")
            return nil
        }
    }

    static func describeFailure(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "ok"
        } catch {
            return "\(error)"
        }
    }

    /// Key paths of `example` (nulls skipped) that `encoded` lacks: a misspelt optional field
    /// would otherwise be ignored silently and the example would show a field nobody reads.
    static func unknownKeys(_ example: Any, _ encoded: Any, path: String = "") -> [String] {
        switch (example, encoded) {
        case (let e as [String: Any], let c as [String: Any]):
            return e.keys.sorted().flatMap { key -> [String] in
                let value = e[key]!
                if value is NSNull { return [] }
                let sub = path.isEmpty ? key : "\(path).\(key)"
                guard let other = c[key] else { return [sub] }
                return unknownKeys(value, other, path: sub)
            }
        case (let e as [Any], let c as [Any]):
            guard e.count == c.count else { return ["\(path) (array length)"] }
            return zip(e, c).enumerated().flatMap { i, pair in unknownKeys(pair.0, pair.1, path: "\(path)[\(i)]") }
        default:
            return []
        }
    }

    @Test func everyExampleIsAMessageThatRoundTrips() throws {
        let examples = try Self.examples()
        #expect(!examples.isEmpty, "no ```json blocks found in \(Self.docURL().path)")
        for example in examples {
            guard let decoded = Self.decode(example) else { continue }
            let encoded: [UInt8]
            switch decoded {
            case .agent(let m):
                encoded = m.encoded()
                #expect(try AgentMessage.decode(encoded) == m, "docs/protocol.md line \(example.line): '\(m.type)' changes when re-encoded")
            case .server(let m):
                encoded = m.encoded()
                #expect(try ServerMessage.decode(encoded) == m, "docs/protocol.md line \(example.line): '\(m.type)' changes when re-encoded")
            }
            let original = try JSONSerialization.jsonObject(with: Data(example.text.utf8))
            let again = try JSONSerialization.jsonObject(with: Data(encoded))
            let extra = Self.unknownKeys(original, again)
            #expect(extra.isEmpty, "docs/protocol.md line \(example.line): '\(decoded.type)' has fields the protocol does not define: \(extra)")
        }
    }

    @Test func everyMessageTypeHasAnExample() throws {
        #expect(Set(Self.agentSamples.map(Self.index)) == Set(0..<9), "agentSamples must hold one sample of every AgentMessage case")
        #expect(Set(Self.serverSamples.map(Self.index)) == Set(0..<9), "serverSamples must hold one sample of every ServerMessage case")

        var agentTypes: Set<String> = []
        var serverTypes: Set<String> = []
        for example in try Self.examples() {
            switch Self.decode(example) {
            case .agent(let m)?: agentTypes.insert(m.type)
            case .server(let m)?: serverTypes.insert(m.type)
            case nil: break
            }
        }
        let agentMissing = Set(Self.agentSamples.map(\.type)).subtracting(agentTypes)
        let serverMissing = Set(Self.serverSamples.map(\.type)).subtracting(serverTypes)
        #expect(agentMissing.isEmpty, "docs/protocol.md has no example of agent messages \(agentMissing.sorted())")
        #expect(serverMissing.isEmpty, "docs/protocol.md has no example of server messages \(serverMissing.sorted())")
        #expect(Set(Self.agentSamples.map(\.type)) == [
            "hello", "pong", "readings", "health", "playLog", "ack", "screenshot", "fetch", "result",
        ])
        #expect(Set(Self.serverSamples.map(\.type)) == [
            "welcome", "schedule", "asset", "command", "ping", "received", "alert", "alertCancel", "error",
        ])
    }
}
