import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TentacleAgent
import TentacleCore
import TentacleDemo
import TentacleServer
import TentacleSimulation
import UnixSignals

/// `tentacle demo`: the server with a seeded fictional city, ready to explore.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Run the server with a seeded demo city (\(DemoCity.name)).")

    @OptionGroup var server: ServerOptions

    @Option(help: "Folder for the demo's database; kept between runs, delete it to start over.")
    var data: String = "./tentacle-demo"

    @Flag(help: "Run the server only, without the simulated displays.")
    var noDisplays = false

    @Option(help: "Frames each simulated display draws per second (0: decide what plays without drawing).")
    var displayFps: Double = 1

    func validate() throws {
        guard (0...30).contains(displayFps) else { throw ValidationError("--display-fps must be 0 to 30") }
    }

    func run() async throws {
        var config = server.configuration(dataDirectory: data)
        if config.initialAdminPassword == nil { config.initialAdminPassword = DemoSeed.password }
        let logger = bootstrapLogging(level: config.logLevel)
        do {
            let (store, _) = try await openDatabase(config, logger: logger)
            if let admin = try await ensureAdmin(store: store, configuration: config) {
                announceAdmin(admin)
            }
            if try await DemoSeed.seedIfEmpty(store: store, bcryptCost: config.bcryptCost) {
                let seeded = try await DemoSeed.census(store: store)
                say("Seeded \(DemoCity.name): \(seeded.displays) displays in \(seeded.districts) districts.")
            }
            let devices = noDisplays ? [] : try await DemoDevices.provision(store: store, folder: config.dataDirectory)
                .map { SimulatedDevice(id: $0.id, token: $0.token) }
            let password = config.initialAdminPassword ?? DemoSeed.password
            let tokensFile = (config.dataDirectory as NSString).appendingPathComponent(DemoDevices.fileName)
            let (urls, found) = AsyncStream.makeStream(of: String.self)
            let app = buildApplication(store: store, configuration: config, logger: logger, onServerRunning: { url in
                say("""

                    Tentacle demo is running: open \(url)/
                      sign in as admin / \(password)
                      other demo users (password \(DemoSeed.password)): \(DemoSeed.users.map(\.username).joined(separator: ", "))
                      API description: \(url)/openapi.yaml
                      \(devices.isEmpty ? "no simulated displays" : "\(devices.count) simulated displays are connecting (tokens in \(tokensFile))")
                    Stop with Ctrl-C.

                    """)
                found.yield(url)
                found.finish()
            })
            var quiet = logger
            quiet.logLevel = .warning
            let displays = DemoDisplays(urls: urls, devices: devices, fps: displayFps, logger: quiet)
            let group = ServiceGroup(configuration: .init(services: [app, displays], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}

/// The demo city's displays, simulated once the server is listening.
struct DemoDisplays: Service {
    let urls: AsyncStream<String>
    let devices: [SimulatedDevice]
    let fps: Double
    let logger: Logger

    func run() async throws {
        guard !devices.isEmpty else { return try await gracefulShutdown() }
        var iterator = urls.makeAsyncIterator()
        guard let url = await iterator.next() else { return }
        let simulator = Simulator(
            server: url, devices: devices, fps: fps, readingsInterval: .seconds(60), healthInterval: .seconds(60),
            rampUp: .seconds(2), logger: logger)
        try await simulator.run()
    }
}
