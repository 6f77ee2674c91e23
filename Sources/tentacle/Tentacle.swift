import ArgumentParser
import TentacleCore

/// The `tentacle` command: parses arguments and hands over to the modules.
@main
struct TentacleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tentacle",
        abstract: "Run a city's LED displays: publish to every screen, sense through every pole, see the whole city.",
        version: Tentacle.version,
        subcommands: [ServeCommand.self, DemoCommand.self, AgentCommand.self, SimulateCommand.self, RenderCommand.self, AlertCommand.self, BenchCommand.self, BenchPeerCommand.self]
    )
}
