import ArgumentParser
import Foundation
import Hummingbird
import TentacleServer

/// `tentacle serve`: the HTTP API on the embedded SQLite store.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the Tentacle server.")

    @OptionGroup var server: ServerOptions

    @Option(help: "Folder for the database and other server data; created on first start.")
    var data: String = "./tentacle-data"

    func run() async throws {
        let config = server.configuration(dataDirectory: data)
        let logger = bootstrapLogging(level: config.logLevel)
        do {
            let (store, database) = try await openDatabase(config, logger: logger)
            if let admin = try await ensureAdmin(store: store, configuration: config) {
                announceAdmin(admin)
            }
            let app = buildApplication(store: store, configuration: config, logger: logger, onServerRunning: { url in
                say("Tentacle \(url) (database \(database))")
            })
            try await app.runService()
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}

/// Prints the first admin's credentials; a generated password is shown this once only.
func announceAdmin(_ admin: InitialAdmin) {
    if let password = admin.generatedPassword {
        say("Created user '\(admin.username)' with password: \(password)")
        say("This password is shown once; keep it.")
    } else {
        say("Created user '\(admin.username)' with the password you supplied.")
    }
}
