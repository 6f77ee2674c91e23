import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TentacleAgent
import TentacleCore
import TentacleSimulation
import UnixSignals
import TentacleRender

/// `tentacle agent`: the player on a display's computer.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Play a display: connect to the server, cache its schedule, drive the panel, report back.",
        discussion: "Outputs (--sink, repeatable): null, terminal[?fps=N], png:FOLDER[?every=N], sacn[://HOST][?universe=N...], "
            + "artnet://HOST[?net=N&subnet=N&universe=N]; docs/output.md lists every option.")

    @Option(help: "The server's base URL, e.g. http://tentacle.example:8080; repeat it for the other nodes of the city, tried in turn when one cannot be reached.")
    var server: [String] = []

    @Option(help: "The display's device token (or set TENTACLE_DEVICE_TOKEN).")
    var token: String?

    @Option(name: .customLong("sink"), help: "Where frames go; repeat for several outputs (default: null).")
    var sinks: [String] = []

    @Option(help: "Frames per second (1-120).")
    var fps: Double = 25

    @Option(help: "Cache folder: schedule, images and unsent reports survive restarts and outages here.")
    var cache: String = "./tentacle-agent"

    @Option(help: "Brightness: auto (follow the light sensor, or the sun without one) or a level 0-100.")
    var brightness: String = "auto"

    @Option(help: "Lux to brightness curve for auto, as lux:percent pairs, e.g. 0:10,100:30,10000:85.")
    var curve: String?

    @Option(help: "Output gamma: a power such as 2.2, cie1931, or none.")
    var gamma: String = "2.2"

    @Flag(help: "Simulate a light sensor and panel temperature (for trying the agent without hardware).")
    var simulateSensors = false

    @Option(help: "Seconds between health reports.")
    var healthSeconds: Int = 60

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard (1...120).contains(fps) else { throw ValidationError("--fps must be between 1 and 120, not \(fps)") }
        guard (5...3600).contains(healthSeconds) else { throw ValidationError("--health-seconds must be 5 to 3600") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level '\(logLevel)' is not a log level") }
        _ = try agentConfiguration()
        _ = try sinkConfigurations()
    }

    func agentConfiguration() throws -> AgentConfiguration {
        guard let token = token ?? ProcessInfo.processInfo.environment["TENTACLE_DEVICE_TOKEN"], !token.isEmpty else {
            throw ValidationError("give the device token with --token or TENTACLE_DEVICE_TOKEN")
        }
        guard let first = server.first else { throw ValidationError("give the server's URL with --server") }
        var config = AgentConfiguration(server: first, token: token)
        config.fallbackServers = Array(server.dropFirst())
        do {
            _ = try config.channelURLs()
        } catch {
            throw ValidationError("--server: \(error)")
        }
        config.fps = fps
        config.cacheDirectory = URL(filePath: cache)
        if simulateSensors { config.sensors = SimulatedSensors(seed: config.seed) }
        config.healthInterval = .seconds(healthSeconds)
        switch brightness {
        case "auto": config.brightness = .auto
        default:
            guard let level = Int(brightness), (0...100).contains(level) else {
                throw ValidationError("--brightness must be auto or a level 0 to 100, not '\(brightness)'")
            }
            config.brightness = .fixed(level)
        }
        if let curve {
            do {
                config.autoBrightness = AutoBrightness(curve: try BrightnessCurve(parsing: curve))
            } catch {
                throw ValidationError("--curve: \(error)")
            }
        }
        do {
            config.gamma = try RenderCommandSupport.parseGamma(gamma)
        } catch {
            throw ValidationError(error.description)
        }
        return config
    }

    func sinkConfigurations() throws -> [SinkConfiguration] {
        do {
            return try (sinks.isEmpty ? ["null"] : sinks).map { try SinkConfiguration(parsing: $0) }
        } catch {
            throw ValidationError("--sink: \(error)")
        }
    }

    func run() async throws {
        let logger = bootstrapLogging(level: Logger.Level(rawValue: logLevel) ?? .info)
        let config = try agentConfiguration()
        let outputs = try sinkConfigurations()
        let cache: AgentCache
        do {
            cache = try AgentCache(directory: config.cacheDirectory)
        } catch {
            throw ValidationError("--cache '\(self.cache)' cannot be used: \(error.localizedDescription)")
        }
        for name in cache.damaged { logger.warning("ignoring unreadable cache file \(name)") }
        if let display = cache.display {
            say("Display \(display.id) (\(display.width)x\(display.height)); cached schedule \(cache.schedule?.version.prefix(12) ?? "none")")
        }
        let agent = Agent(
            configuration: config, logger: logger, cache: cache,
            sinks: { width, height in try outputs.map { try $0.makeSink(for: width, height: height) } })
        let group = ServiceGroup(configuration: .init(services: [agent], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
