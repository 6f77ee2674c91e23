import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TentacleCAP
import TentacleCore
import TentacleSimulation

/// `tentacle alert`: work with CAP 1.2 alerts.
struct AlertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alert", abstract: "Work with CAP 1.2 emergency alerts.",
        subcommands: [Post.self, Check.self, Fuzz.self])

    /// Posts a CAP file to a server's alerts API and prints what the server did with it.
    struct Post: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "post", abstract: "Post a CAP 1.2 alert to a Tentacle server; every display in its area shows it at once.")

        @Argument(help: "CAP 1.2 XML file.")
        var file: String

        @Option(help: "The server's base URL.")
        var server: String = "http://127.0.0.1:8080"

        @Option(help: "API token of an alerter or admin (or set TENTACLE_API_TOKEN).")
        var token: String?

        @Option(help: "Username to sign in with instead of a token.")
        var user: String?

        @Option(help: "Password for --user (or set TENTACLE_PASSWORD).")
        var password: String?

        func validate() throws {
            guard token != nil || user != nil || ProcessInfo.processInfo.environment["TENTACLE_API_TOKEN"] != nil else {
                throw ValidationError("give --token (or TENTACLE_API_TOKEN) or --user to sign in")
            }
        }

        func run() async throws {
            let xml: Data
            do {
                xml = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw ValidationError("cannot read '\(file)': \(error.localizedDescription)")
            }
            let api = try await ProvisioningClient.signIn(
                server: server, apiToken: token ?? (user == nil ? ProcessInfo.processInfo.environment["TENTACLE_API_TOKEN"] : nil), user: user,
                password: password ?? ProcessInfo.processInfo.environment["TENTACLE_PASSWORD"])
            let (data, response) = try await ProvisioningClient.call(
                api.server + "/v1/alerts", method: "POST", headers: api.headers.merging(["Content-Type": "application/cap+xml"]) { $1 }, body: xml)
            let text = String(decoding: data, as: UTF8.self)
            guard response.statusCode == 201 else { throw ValidationError("the server refused the alert (\(response.statusCode)): \(text)") }
            say(text)
        }
    }

    /// Parses a CAP file as the server would and prints what it understood, or why it refuses it.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check", abstract: "Parse a CAP 1.2 file and print its alert, or the first problem found.")

        @Argument(help: "CAP 1.2 XML file.")
        var file: String

        @Option(help: "Largest document accepted, in bytes, as the server's --max-alert-bytes.")
        var maxAlertBytes: Int = CAPLimits.intake().maxBytes

        func run() async throws {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw ValidationError("cannot read '\(file)': \(error.localizedDescription)")
            }
            let alert: CAPAlert
            do {
                alert = try CAP.parse(data, limits: CAPLimits.intake(maxBytes: maxAlertBytes))
            } catch {
                throw ValidationError("\(file): \(error.description)")
            }
            say("\(alert.identifier) from \(alert.sender): \(alert.status.rawValue) \(alert.msgType.rawValue), sent \(alert.sent)")
            for repair in alert.repairs { say("  repaired \(repair)") }
            for reference in alert.references { say("  references \(reference.identifier) (\(reference.sender))") }
            for info in alert.infos {
                let expires = info.expires.map { ", expires \($0)" } ?? ""
                say("  [\(info.language)] \(info.severity.rawValue): \(info.event)\(expires)")
                if let headline = info.headline { say("    \(headline)") }
                for area in info.areas {
                    let points = area.polygons.reduce(0) { $0 + $1.points.count }
                    say("    area '\(area.areaDesc)': \(area.polygons.count) polygons (\(points) points), \(area.circles.count) circles, \(area.geocodes.count) geocodes")
                }
            }
        }
    }

    /// Feeds mutated CAP documents to the parser; any crash or hang is a bug.
    struct Fuzz: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fuzz",
            abstract: "Parse mutated CAP documents and warning-feed indexes (byte flips, truncation, element shuffles, huge attributes, entity tricks) and report the outcomes.")

        @Option(help: "How many mutated documents to parse (1...10000000).")
        var count: Int = 100_000

        @Option(help: "Seed for the mutations; the same seed replays the same documents.")
        var seed: UInt64 = 1

        @Option(help: "How many mutated warning-feed documents (Atom and RSS indexes) to read after the alerts (0...10000000).")
        var feeds: Int = 25_000

        @Argument(help: "CAP files to mutate (default: a built-in sample alert).")
        var files: [String] = []

        func validate() throws {
            guard (1...10_000_000).contains(count) else { throw ValidationError("--count must be 1...10000000") }
            guard (0...10_000_000).contains(feeds) else { throw ValidationError("--feeds must be 0...10000000") }
        }

        func run() async throws {
            var seeds: [[UInt8]] = []
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read '\(file)'") }
                seeds.append([UInt8](data))
            }
            let start = ContinuousClock.now
            let report = CAPFuzzer.run(count: count, seeds: seeds, seed: seed)
            say("CAP alerts:")
            say(report.description)
            say("took \(ContinuousClock.now - start)")
            guard feeds > 0 else { return }
            let feedStart = ContinuousClock.now
            let feedReport = CAPFuzzer.runFeeds(count: feeds, seed: seed)
            say("Warning feeds (Atom, RSS):")
            say(feedReport.description)
            say("took \(ContinuousClock.now - feedStart)")
        }
    }
}
