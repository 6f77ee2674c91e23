import ArgumentParser
import Foundation
import Hummingbird
import TentacleCore
import TentacleServer
import TentacleStore

/// `tentacle demo`: the server with a seeded fictional city, ready to explore.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Run the server with a seeded demo city (\(DemoCity.name)).")

    @OptionGroup var server: ServerOptions

    @Option(help: "Folder for the demo's database; kept between runs, delete it to start over.")
    var data: String = "./tentacle-demo"

    func run() async throws {
        var config = server.configuration(dataDirectory: data)
        if config.initialAdminPassword == nil { config.initialAdminPassword = DemoSeed.password }
        let logger = bootstrapLogging(level: config.logLevel)
        do {
            let store = try openStore(config)
            if let admin = try await ensureAdmin(store: store, configuration: config) {
                announceAdmin(admin)
            }
            if try await DemoSeed.seedIfEmpty(store: store, bcryptCost: config.bcryptCost) {
                let count = try await store.displayCountsByStatus().values.reduce(0, +)
                say("Seeded \(DemoCity.name): \(count) displays in \(try await store.districts().count) districts.")
            }
            let password = config.initialAdminPassword ?? DemoSeed.password
            let app = buildApplication(store: store, configuration: config, logger: logger, onServerRunning: { url in
                say("""

                    Tentacle demo is running: open \(url)/
                      sign in as admin / \(password)
                      other demo users (password \(DemoSeed.password)): \(DemoSeed.users.map(\.username).joined(separator: ", "))
                      API description: \(url)/openapi.yaml
                    Stop with Ctrl-C.

                    """)
            })
            try await app.runService()
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}
