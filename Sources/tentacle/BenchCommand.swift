import ArgumentParser
import Foundation
import TentacleBench
import TentacleStore

/// `tentacle bench NAME`: measures one thing on this machine, against a baseline run alongside.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a benchmark and print its figures with ratios against a baseline measured in the same run.",
        discussion: "Benchmarks: alert, channel, ingest, ngsi, registry, render, resolve, rules. Build with -c release for meaningful figures.")

    @Argument(help: "Benchmark to run: alert, channel, ingest, ngsi, registry, render, resolve or rules.")
    var name: String

    @Option(help: "Seconds to measure each figure for (0.1...600).")
    var seconds: Double = 3

    @Option(help: "Readings in the ingest stream (ingest, rules), 10,000...10,000,000; all are generated in memory first.")
    var count: Int = 1_000_000

    @Option(help: "Subscription notifications to deliver (ngsi), 100...100,000.")
    var notifications: Int = 5000

    @Option(help: "Concurrent loopback clients (ingest, ngsi, registry), 1...64.")
    var clients: Int = 4

    @Option(help: "Simulated displays (alert, channel), 10...20,000; alert also measures 1,000.")
    var displays: Int = 5000

    @Option(help: "Measured rounds of push, alert and broadcast (alert, channel), 1...100.")
    var rounds: Int = 5

    @Option(help: "ingest: measure the PostgreSQL store at postgres://user:password@host:port/database against a plain COPY on the same server; alert: the database the --nodes share (the user must be allowed to create databases; each run gets its own, dropped afterwards).")
    var database: String?

    @Option(help: "alert only: spread the displays over this many serve nodes on the --database, 2...8, posting to the first.")
    var nodes: Int?

    @Flag(help: "Print one JSON object per figure, one per line.")
    var json = false

    func validate() throws {
        guard (0.1...600).contains(seconds) else { throw ValidationError("--seconds must be 0.1...600") }
        guard (10_000...10_000_000).contains(count) else { throw ValidationError("--count must be 10000...10000000") }
        guard (100...100_000).contains(notifications) else { throw ValidationError("--notifications must be 100...100000") }
        guard (1...64).contains(clients) else { throw ValidationError("--clients must be 1...64") }
        guard (10...20_000).contains(displays) else { throw ValidationError("--displays must be 10...20000") }
        guard (1...100).contains(rounds) else { throw ValidationError("--rounds must be 1...100") }
        if let nodes {
            guard name == "alert" else { throw ValidationError("--nodes applies to the alert benchmark only") }
            guard (2...8).contains(nodes) else { throw ValidationError("--nodes must be 2...8") }
            guard database != nil else { throw ValidationError("--nodes needs --database postgres://…, the database the nodes share") }
        }
        if let database {
            guard name == "ingest" || name == "alert" else { throw ValidationError("--database applies to the ingest and alert benchmarks only") }
            guard name == "ingest" || nodes != nil else { throw ValidationError("alert takes --database with --nodes") }
            do {
                _ = try PostgresLocation(url: database)
            } catch {
                throw ValidationError(error.message)
            }
        }
        guard Self.names.contains(name) else {
            throw ValidationError("unknown benchmark '\(name)'; choose one of: \(Self.names.joined(separator: ", "))")
        }
    }

    static let names = ["alert", "channel", "ingest", "ngsi", "registry", "render", "resolve", "rules"]

    func run() async throws {
        let figures: [BenchmarkFigure]
        switch name {
        case "alert":
            if let nodes, let database {
                figures = try await AlertBenchmark.run(displays: displays, rounds: rounds, nodes: nodes, database: database)
            } else {
                figures = try await AlertBenchmark.run(displays: displays, rounds: rounds)
            }
        case "channel":
            figures = try await ChannelBenchmark.run(.init(displays: displays, rounds: rounds))
        case "ingest":
            if let database {
                figures = try await PostgresIngestBenchmark.run(database: database, options: .init(seconds: seconds, count: count, clients: clients))
            } else {
                figures = try await IngestBenchmark.run(.init(seconds: seconds, count: count, clients: clients))
            }
        case "render":
            figures = try renderBenchFigures(seconds: seconds)
        case "resolve":
            figures = ResolveBenchmark.run(seconds: seconds)
        case "rules":
            figures = try await RuleBenchmark.run(seconds: seconds, count: count)
        case "ngsi":
            figures = try await NGSIBenchmark.run(seconds: seconds, clients: clients, notifications: notifications)
        default:
            figures = try await RegistryBenchmark.run(.init(seconds: seconds, clients: clients))
        }
        if json {
            for f in figures { say(f.jsonLine) }
        } else {
            say(BenchmarkFigure.table(figures))
        }
    }
}
