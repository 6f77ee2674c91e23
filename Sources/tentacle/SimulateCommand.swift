import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import ServiceLifecycle
import TentacleAgent
import TentacleSimulation
import UnixSignals

/// `tentacle simulate`: many displays in one process against a running server.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate displays: N agents in one process, with plausible light, temperature and air-quality sensors.",
        discussion: """
            Device tokens come from --tokens (lines 'display_id,token'), or are issued through the API with an \
            operator's --api-token or --user/--password. Issuing a token revokes the display's earlier ones, so \
            use that on test cities; --save-tokens keeps them for the next run.
            """)

    @Option(help: "The server's base URL.")
    var server: String = "http://127.0.0.1:8080"

    @Option(help: "How many displays to simulate (default: every display in the tokens file, or 100).")
    var displays: Int?

    @Option(help: "File of 'display_id,token' lines.")
    var tokens: String?

    @Option(help: "API token of an operator or admin, to issue device tokens (or set TENTACLE_API_TOKEN).")
    var apiToken: String?

    @Option(help: "Username to sign in with, to issue device tokens.")
    var user: String?

    @Option(help: "Password for --user (or set TENTACLE_PASSWORD).")
    var password: String?

    @Option(help: "Write the issued device tokens to this file (mode 0600).")
    var saveTokens: String?

    @Option(help: "Frames each display draws per second (0: decide what plays without drawing).")
    var fps: Double = 1

    @Option(help: "Seconds between each display's simulated sensor readings (0: none).")
    var readingsSeconds: Int = 60

    @Option(help: "Seconds between health reports.")
    var healthSeconds: Int = 60

    @Option(help: "Spread the first connections over this many seconds.")
    var rampUpSeconds: Double = 2

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "warning"

    func validate() throws {
        if let displays, !(1...100_000).contains(displays) { throw ValidationError("--displays must be 1 to 100000") }
        guard (0...60).contains(fps) else { throw ValidationError("--fps must be 0 to 60") }
        guard (0...86_400).contains(readingsSeconds) else { throw ValidationError("--readings-seconds must be 0 to 86400") }
        guard (5...3600).contains(healthSeconds) else { throw ValidationError("--health-seconds must be 5 to 3600") }
        guard (0...3600).contains(rampUpSeconds) else { throw ValidationError("--ramp-up-seconds must be 0 to 3600") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level '\(logLevel)' is not a log level") }
        do {
            _ = try AgentConfiguration(server: server, token: "").channelURL()
        } catch {
            throw ValidationError("--server: \(error)")
        }
        let sources = [tokens != nil, apiToken != nil || ProcessInfo.processInfo.environment["TENTACLE_API_TOKEN"] != nil, user != nil]
        guard sources.filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one source of device tokens: --tokens FILE, --api-token T or --user NAME")
        }
    }

    func run() async throws {
        let logger = bootstrapLogging(level: Logger.Level(rawValue: logLevel) ?? .warning)
        var devices: [SimulatedDevice]
        if let tokens {
            let text: String
            do {
                text = try String(contentsOfFile: tokens, encoding: .utf8)
            } catch {
                throw ValidationError("--tokens '\(tokens)' cannot be read: \(error.localizedDescription)")
            }
            do {
                devices = try SimulatedDevice.parse(tokensFile: text)
            } catch {
                throw ValidationError("--tokens: \(error)")
            }
            if let displays { devices = Array(devices.prefix(displays)) }
        } else {
            let api = try await ProvisioningClient.signIn(
                server: server, apiToken: apiToken ?? ProcessInfo.processInfo.environment["TENTACLE_API_TOKEN"], user: user,
                password: password ?? ProcessInfo.processInfo.environment["TENTACLE_PASSWORD"])
            devices = try await api.issueTokens(count: displays ?? 100)
            if let saveTokens {
                let text = "display_id,token\n" + devices.map { "\($0.id),\($0.token)\n" }.joined()
                guard FileManager.default.createFile(atPath: saveTokens, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw ValidationError("--save-tokens '\(saveTokens)' cannot be written; the tokens just issued are lost, run again with a writable path")
                }
            }
        }
        guard !devices.isEmpty else { throw ValidationError("no displays to simulate") }
        say("Simulating \(devices.count) displays against \(server). Stop with Ctrl-C.")
        let simulator = Simulator(
            server: server, devices: devices, fps: fps, readingsInterval: readingsSeconds > 0 ? .seconds(readingsSeconds) : nil,
            healthInterval: .seconds(healthSeconds), rampUp: .milliseconds(Int(rampUpSeconds * 1000)), logger: logger)
        let group = ServiceGroup(configuration: .init(services: [simulator], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Just enough of the HTTP API to issue device tokens for the simulator.
struct ProvisioningClient {
    let server: String
    let headers: [String: String]

    static func signIn(server: String, apiToken: String?, user: String?, password: String?) async throws -> ProvisioningClient {
        let base = server.hasSuffix("/") ? String(server.dropLast()) : server
        if let apiToken { return ProvisioningClient(server: base, headers: ["Authorization": "Bearer \(apiToken)"]) }
        guard let user, let password else { throw ValidationError("--user needs --password or TENTACLE_PASSWORD") }
        let body = try JSONSerialization.data(withJSONObject: ["username": user, "password": password])
        let (data, response) = try await call(base + "/v1/auth/login", method: "POST", headers: ["Content-Type": "application/json"], body: body)
        guard response.statusCode == 200,
            let cookie = (response.value(forHTTPHeaderField: "Set-Cookie") ?? "").split(separator: ";").first
        else {
            throw ValidationError("sign-in as '\(user)' failed (\(response.statusCode)): \(String(decoding: data, as: UTF8.self).prefix(200))")
        }
        return ProvisioningClient(server: base, headers: ["Cookie": String(cookie)])
    }

    func issueTokens(count: Int) async throws -> [SimulatedDevice] {
        var ids: [String] = []
        var cursor: String?
        repeat {
            let path = "/v1/displays?limit=1000" + (cursor.map { "&cursor=\($0)" } ?? "")
            let (data, response) = try await Self.call(server + path, method: "GET", headers: headers)
            guard response.statusCode == 200, let page = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let items = page["items"] as? [[String: Any]]
            else {
                throw ValidationError("listing displays failed (\(response.statusCode)): \(String(decoding: data, as: UTF8.self).prefix(200))")
            }
            ids += items.compactMap { $0["id"] as? String }
            cursor = page["nextCursor"] as? String
        } while cursor != nil && ids.count < count
        var devices: [SimulatedDevice] = []
        for id in ids.prefix(count) {
            let (data, response) = try await Self.call(server + "/v1/displays/\(id)/credentials", method: "POST", headers: headers)
            guard response.statusCode == 201, let body = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let token = body["token"] as? String
            else {
                throw ValidationError("issuing a token for '\(id)' failed (\(response.statusCode)): \(String(decoding: data, as: UTF8.self).prefix(200))")
            }
            devices.append(SimulatedDevice(id: id, token: token))
        }
        return devices
    }

    static func call(_ url: String, method: String, headers: [String: String], body: Data? = nil) async throws -> (Data, HTTPURLResponse) {
        guard let url = URL(string: url) else { throw ValidationError("'\(url)' is not a URL") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        request.httpBody = body
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            guard let http = response as? HTTPURLResponse else { throw ValidationError("no HTTP answer from \(url)") }
            return (data, http)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("cannot reach \(url): \(error.localizedDescription)")
        }
    }
}
