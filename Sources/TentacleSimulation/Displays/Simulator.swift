import Foundation
public import Logging
public import ServiceLifecycle
public import TentacleAgent

/// A display the simulator plays: its id and device token.
public struct SimulatedDevice: Hashable, Sendable {
    public var id: String
    public var token: String

    public init(id: String, token: String) {
        self.id = id
        self.token = token
    }

    /// Reads `display_id,token` lines (a header line and `#` comments allowed); errors name the line.
    public static func parse(tokensFile text: String) throws(AgentError) -> [SimulatedDevice] {
        var devices: [SimulatedDevice] = []
        var seen = Set<String>()
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") || (index == 0 && line.lowercased().hasPrefix("display")) { continue }
            let parts = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw AgentError("tokens file line \(index + 1): expected 'display_id,token'")
            }
            guard seen.insert(parts[0]).inserted else { throw AgentError("tokens file line \(index + 1): display '\(parts[0].prefix(80))' appears twice") }
            devices.append(SimulatedDevice(id: parts[0], token: parts[1]))
        }
        return devices
    }
}

/// Many displays in one process, each a real `Agent` with its own channel, for the demo city,
/// load tests and trying Tentacle without hardware. Caches stay in memory, frames are drawn at
/// `fps` (0 only decides what plays) into no output, sensors are simulated, and the agents share
/// the process's fonts and event loops, decode identical server messages and draw identical
/// alert frames once for all, and wake their frame loops from one shared timer.
public struct Simulator: Service {
    public var server: String
    public var devices: [SimulatedDevice]
    public var fps: Double
    /// How often each display reports simulated city readings; nil for none.
    public var readingsInterval: Duration?
    public var healthInterval: Duration
    public var logger: Logger
    public var events: @Sendable (_ display: String, _ event: AgentEvent) -> Void
    /// Spreads the first connections over this long, as displays powering up across a city would.
    public var rampUp: Duration

    public init(
        server: String, devices: [SimulatedDevice], fps: Double = 1, readingsInterval: Duration? = .seconds(60),
        healthInterval: Duration = .seconds(60), rampUp: Duration = .zero, logger: Logger,
        events: @escaping @Sendable (_ display: String, _ event: AgentEvent) -> Void = { _, _ in }
    ) {
        self.server = server
        self.devices = devices
        self.fps = fps
        self.readingsInterval = readingsInterval
        self.healthInterval = healthInterval
        self.rampUp = rampUp
        self.logger = logger
        self.events = events
    }

    /// The agents, made without starting them.
    public func makeAgents() throws -> [Agent] {
        let frames = SharedFrames(), messages = SharedMessages(), pacer = SharedPacer()
        return try devices.enumerated().map { index, device in
            let seed = UInt64(index + 1)
            var configuration = AgentConfiguration(server: server, token: device.token)
            configuration.fps = fps
            configuration.sensors = SimulatedSensors(seed: seed)
            configuration.readingsInterval = readingsInterval
            configuration.healthInterval = healthInterval
            configuration.seed = seed
            configuration.maximumBackoff = .seconds(5)
            var agentLogger = logger
            agentLogger[metadataKey: "display"] = "\(device.id)"
            let id = device.id
            let events = self.events
            return Agent(
                configuration: configuration, logger: agentLogger, cache: try AgentCache(directory: nil), events: { events(id, $0) },
                sharedFrames: frames, sharedMessages: messages, pacer: pacer)
        }
    }

    /// Runs `agents` until the returned task is cancelled, starting a hundred every 20 ms, as a
    /// city's displays would come up (and as a listening server takes them without a backlog).
    public static func start(_ agents: [Agent]) -> Task<Void, Never> {
        Task {
            await withDiscardingTaskGroup { group in
                for (i, agent) in agents.enumerated() {
                    group.addTask { try? await agent.run() }
                    if i % 100 == 99 { try? await Task.sleep(for: .milliseconds(20)) }
                }
            }
        }
    }

    public func run() async throws {
        _ = try AgentConfiguration(server: server, token: "").channelURL()
        let agents = try makeAgents()
        let step = devices.isEmpty ? Duration.zero : rampUp / devices.count
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for agent in agents {
                    group.addTask { try? await agent.run() }
                    if step > .zero { try? await Task.sleep(for: step) }
                }
            }
        }
    }
}
