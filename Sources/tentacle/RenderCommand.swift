import ArgumentParser
import Foundation
import TentacleBench
import TentacleRender

/// `tentacle render LAYOUT`: a layout at one instant to a PNG, or live in the terminal.
struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a layout JSON file to a PNG or to the terminal, exactly as a panel shows it.",
        discussion: """
            Examples:
              tentacle render layout.json --at 2026-01-01T08:00:00+08:00 --data pm25=37 -o out.png --scale 8 --led-look
              tentacle render layout.json --terminal --fps 25
            """)

    @Argument(help: "Layout JSON file.")
    var layout: String

    @Option(help: "The instant to show: ISO 8601 with an offset, e.g. 2026-01-01T08:00:00+08:00 (default: now).")
    var at: String?

    @Option(help: "Live values as name=value pairs, comma-separated; repeatable (e.g. --data pm25=37,no2=12).")
    var data: [String] = []

    @Option(name: [.short, .long], help: "PNG file to write; - for standard output.")
    var output: String?

    @Option(help: "Enlarge every pixel this many times (1...32).")
    var scale: Int = 1

    @Flag(name: .customLong("led-look"), help: "Draw enlarged pixels as round LED dots with gaps (scale 3 and up).")
    var ledLook = false

    @Flag(help: "Show the frame in the terminal with 24-bit colour half blocks.")
    var terminal = false

    @Option(help: "With --terminal: redraw this many frames a second until Ctrl-C (1...60).")
    var fps: Double?

    @Option(help: "Output brightness in percent (0...100).")
    var brightness: Int = 100

    @Option(help: "Output gamma: a power such as 2.2, cie1931, or none. Previews default to none; panels use 2.2.")
    var gamma: String = "none"

    @Option(help: "Folder of image assets, each named <sha256>.png.")
    var assets: String?

    func validate() throws {
        guard output != nil || terminal else { throw ValidationError("give -o FILE or --terminal") }
        guard LEDLook.scaleRange.contains(scale) else {
            throw ValidationError("--scale must be \(LEDLook.scaleRange.lowerBound)...\(LEDLook.scaleRange.upperBound)")
        }
        if let fps {
            guard terminal else { throw ValidationError("--fps animates the terminal preview; add --terminal") }
            guard (1...60).contains(fps) else { throw ValidationError("--fps must be 1...60") }
        }
    }

    func run() async throws {
        let json: Data
        do {
            json = try Data(contentsOf: URL(fileURLWithPath: layout))
        } catch {
            throw ValidationError("cannot read layout file \(layout): \(error.localizedDescription)")
        }
        let renderer = Renderer(assets: assets.map { DirectoryAssets(folder: URL(fileURLWithPath: $0)) } ?? DirectoryAssets(folder: nil))
        let layout = try RenderCommandSupport.layout(json: json, renderer: renderer)
        let values = try RenderCommandSupport.parseData(data)
        let start = try at.map(RenderCommandSupport.parseTime) ?? Date()
        let stage = try RenderCommandSupport.outputStage(brightness: brightness, gamma: RenderCommandSupport.parseGamma(gamma))

        if let output {
            let frame = try RenderCommandSupport.frame(layout, at: start, data: values, renderer: renderer, output: stage, scale: scale, ledLook: ledLook)
            let png = Data(PNG.encode(frame))
            if output == "-" {
                FileHandle.standardOutput.write(png)
            } else {
                try png.write(to: URL(fileURLWithPath: output))
            }
        }
        guard terminal else { return }
        // The terminal shows one character cell per two pixels; enlarging would only crop it.
        let show = { (time: Date) throws(RenderArgumentError) -> String in
            ANSITerminal.render(try RenderCommandSupport.frame(layout, at: time, data: values, renderer: renderer, output: stage))
        }
        let screen = FileHandle.standardOutput
        guard let fps else {
            screen.write(Data(try show(start).utf8))
            return
        }
        // Clear once, then redraw in place from the top-left; time runs on from --at (or now) at wall-clock speed.
        screen.write(Data("\u{1B}[2J".utf8))
        let clock = ContinuousClock()
        let began = clock.now
        while !Task.isCancelled {
            let elapsed = began.duration(to: clock.now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            screen.write(Data(("\u{1B}[H" + (try show(start.addingTimeInterval(seconds)))).utf8))
            try await Task.sleep(for: .seconds(1 / fps))
        }
    }
}

/// Image assets from a folder, each stored as `<sha256>.png`; no folder means no assets.
struct DirectoryAssets: AssetSource {
    let folder: URL?

    func png(sha256: String) -> [UInt8]? {
        // Only hex names, so a layout cannot reach outside the folder.
        guard let folder, !sha256.isEmpty, sha256.allSatisfy(\.isHexDigit) else { return nil }
        return (try? Data(contentsOf: folder.appendingPathComponent("\(sha256.lowercased()).png"))).map { [UInt8]($0) }
    }
}

extension RenderCommand {
    /// Cold start: milliseconds from spawning this executable to render a CJK notice to /dev/null
    /// until it exits, against spawning it for `--version` (process start alone); medians of `runs`.
    ///
    /// The whole process time bounds "start to first frame" from above: it also covers writing the PNG.
    static func coldStartMilliseconds(runs: Int = 11) throws -> (render: Double, processStart: Double) {
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        let layoutFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("tentacle-cold-start-\(ProcessInfo.processInfo.processIdentifier).json")
        try RenderBenchmark.cjkNotice.json().write(to: layoutFile)
        defer { try? FileManager.default.removeItem(at: layoutFile) }
        let render = ["render", layoutFile.path, "--at", "2026-01-01T08:00:00+08:00", "-o", "/dev/null"]
        let renderTimes = try (0..<runs).map { _ in try milliseconds(executable, render) }
        let startTimes = try (0..<runs).map { _ in try milliseconds(executable, ["--version"]) }
        return (median(renderTimes), median(startTimes))
    }

    private static func milliseconds(_ executable: URL, _ arguments: [String]) throws -> Double {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let clock = ContinuousClock()
        let began = clock.now
        try process.run()
        process.waitUntilExit()
        let elapsed = began.duration(to: clock.now)
        guard process.terminationStatus == 0 else {
            throw ChildProcessFailed(description: "\(executable.path) \(arguments.joined(separator: " ")) exited with status \(process.terminationStatus)")
        }
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) * 1e-15
    }

    private struct ChildProcessFailed: Error, CustomStringConvertible {
        let description: String
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}
