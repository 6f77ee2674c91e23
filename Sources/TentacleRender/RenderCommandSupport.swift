public import Foundation

/// A command-line argument for rendering that could not be used; names the argument and why.
public struct RenderArgumentError: Error, CustomStringConvertible {
    private enum Code {
        case data
        case time
        case scale
        case brightness
        case gamma
    }

    private let code: Code
    public let description: String

    private init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    static func data(_ argument: String, _ why: String) -> Self { .init(.data, "--data \"\(argument)\": \(why)") }
    static func time(_ argument: String) -> Self {
        .init(.time, "--at \"\(argument)\": not an ISO 8601 time with an offset, e.g. 2026-01-01T08:00:00+08:00 or 2026-01-01T00:00:00Z")
    }
    static func scale(_ value: Int) -> Self {
        .init(.scale, "--scale \(value): must be \(LEDLook.scaleRange.lowerBound)...\(LEDLook.scaleRange.upperBound)")
    }
    static func brightness(_ value: Int) -> Self {
        .init(.brightness, "--brightness \(value): must be \(OutputStage.brightnessRange.lowerBound)...\(OutputStage.brightnessRange.upperBound) (percent)")
    }
    static func gamma(_ argument: String) -> Self {
        .init(.gamma, "--gamma \"\(argument)\": write a number from 1 to 4 (e.g. 2.2), \"cie1931\" or \"none\"")
    }
}

/// The pieces of `tentacle render` that are plain functions: argument parsing and layout → image.
public enum RenderCommandSupport {
    /// Metric values from `--data` arguments, each a comma-separated list of name=value pairs
    /// ("pm25=37,no2=12"); a later pair wins over an earlier one for the same name.
    public static func parseData(_ arguments: [String]) throws(RenderArgumentError) -> [String: Double] {
        var data: [String: Double] = [:]
        for argument in arguments {
            for pair in argument.split(separator: ",", omittingEmptySubsequences: false) {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw .data(argument, "\"\(pair)\" is not name=value") }
                let name = parts[0].trimmingCharacters(in: .whitespaces)
                let text = parts[1].trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else { throw .data(argument, "\"\(pair)\" has no metric name") }
                guard let value = Double(text), value.isFinite else {
                    throw .data(argument, "\"\(text)\" is not a number (metric \"\(name)\")")
                }
                data[name] = value
            }
        }
        return data
    }

    /// An ISO 8601 date and time with an explicit offset ("Z" or ±hh:mm), seconds optionally fractional.
    public static func parseTime(_ text: String) throws(RenderArgumentError) -> Date {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: text) { return date }
        throw .time(text)
    }

    /// `--gamma`: a power ("2.2"), "cie1931" or "none".
    public static func parseGamma(_ text: String) throws(RenderArgumentError) -> OutputStage.Gamma {
        switch text.lowercased() {
        case "none", "1", "1.0": return .none
        case "cie1931", "cie": return .cie1931
        default:
            guard let power = Double(text), (1...4).contains(power) else { throw .gamma(text) }
            return .power(power)
        }
    }

    /// `--brightness` in percent, checked.
    public static func outputStage(brightness: Int, gamma: OutputStage.Gamma) throws(RenderArgumentError) -> OutputStage {
        guard OutputStage.brightnessRange.contains(brightness) else { throw .brightness(brightness) }
        return OutputStage(brightness: brightness, gamma: gamma)
    }

    /// Reads and validates layout JSON: a decoding error names the JSON path, a validation error every issue.
    public static func layout(json: Data, renderer: Renderer) throws(LayoutError) -> Layout {
        try Layout(json: json).validated(fonts: renderer.fonts, assets: renderer.assets)
    }

    /// The frame a panel shows: the layout at `time` through the output stage (brightness, gamma),
    /// then enlarged by `scale`, as round LED dots when `ledLook`.
    public static func frame(
        _ layout: Layout, at time: Date, data: [String: Double], renderer: Renderer,
        output: OutputStage, scale: Int = 1, ledLook: Bool = false
    ) throws(RenderArgumentError) -> Frame {
        guard LEDLook.scaleRange.contains(scale) else { throw .scale(scale) }
        let frame = output.apply(to: renderer.render(layout, at: time, data: data))
        return scale == 1 && !ledLook ? frame : LEDLook.upscale(frame, scale: scale, ledLook: ledLook)
    }

    /// A layout file's contents rendered to PNG bytes; see `frame` for the options.
    public static func png(
        layoutJSON: Data, at time: Date, data: [String: Double], renderer: Renderer,
        output: OutputStage, scale: Int = 1, ledLook: Bool = false
    ) throws -> [UInt8] {
        let layout = try layout(json: layoutJSON, renderer: renderer)
        return PNG.encode(try frame(layout, at: time, data: data, renderer: renderer, output: output, scale: scale, ledLook: ledLook))
    }
}
