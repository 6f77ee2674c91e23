import ArgumentParser
import Foundation
import TentacleCAP
import TentacleCore

/// `tentacle alert`: work with CAP 1.2 alerts.
struct AlertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alert", abstract: "Work with CAP 1.2 emergency alerts.",
        subcommands: [Check.self, Fuzz.self])

    /// Parses a CAP file as the server would and prints what it understood, or why it refuses it.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check", abstract: "Parse a CAP 1.2 file and print its alert, or the first problem found.")

        @Argument(help: "CAP 1.2 XML file.")
        var file: String

        func run() async throws {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw ValidationError("cannot read '\(file)': \(error.localizedDescription)")
            }
            let alert: CAPAlert
            do {
                alert = try CAP.parse(data)
            } catch {
                throw ValidationError("\(file): \(error.description)")
            }
            say("\(alert.identifier) from \(alert.sender): \(alert.status.rawValue) \(alert.msgType.rawValue), sent \(alert.sent)")
            for reference in alert.references { say("  references \(reference.identifier) (\(reference.sender))") }
            for info in alert.infos {
                let expires = info.expires.map { ", expires \($0)" } ?? ""
                say("  [\(info.language)] \(info.severity.rawValue): \(info.event)\(expires)")
                if let headline = info.headline { say("    \(headline)") }
                for area in info.areas {
                    say("    area '\(area.areaDesc)': \(area.polygons.count) polygons, \(area.circles.count) circles, \(area.geocodes.count) geocodes")
                }
            }
        }
    }

    /// Feeds mutated CAP documents to the parser; any crash or hang is a bug.
    struct Fuzz: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fuzz",
            abstract: "Parse mutated CAP documents (byte flips, truncation, element shuffles, huge attributes, entity tricks) and report the outcomes.")

        @Option(help: "How many mutated documents to parse (1...10000000).")
        var count: Int = 100_000

        @Option(help: "Seed for the mutations; the same seed replays the same documents.")
        var seed: UInt64 = 1

        @Argument(help: "CAP files to mutate (default: a built-in sample alert).")
        var files: [String] = []

        func validate() throws {
            guard (1...10_000_000).contains(count) else { throw ValidationError("--count must be 1...10000000") }
        }

        func run() async throws {
            var seeds: [[UInt8]] = []
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read '\(file)'") }
                seeds.append([UInt8](data))
            }
            let start = ContinuousClock.now
            let report = CAPFuzzer.run(count: count, seeds: seeds, seed: seed)
            let elapsed = ContinuousClock.now - start
            say(report.description)
            say("took \(elapsed)")
        }
    }
}
