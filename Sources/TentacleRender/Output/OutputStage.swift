import Foundation

/// Output stage applied when frames leave the renderer, never baked into frames.
public struct OutputStage: Sendable, Hashable {
    /// How a frame value maps to LED drive level before brightness scales it.
    public enum Gamma: Sendable, Hashable {
        /// Values pass through unchanged.
        case none
        /// value^exponent; 2.2 matches how panels are usually calibrated.
        case power(Double)
        /// The value read as CIE 1931 lightness L* and turned into luminance, even to the eye at low levels.
        case cie1931
    }

    public static let brightnessRange = 0...100

    /// Percent of full drive, clamped to 0...100.
    public var brightness: Int {
        didSet { table = OutputStage.table(brightness: brightness, gamma: gamma) }
    }
    public var gamma: Gamma {
        didSet { table = OutputStage.table(brightness: brightness, gamma: gamma) }
    }
    /// Output value for each input value, the same for red, green and blue.
    public private(set) var table: [UInt8]

    public init(brightness: Int = 100, gamma: Gamma = .power(2.2)) {
        self.brightness = brightness
        self.gamma = gamma
        table = OutputStage.table(brightness: brightness, gamma: gamma)
    }

    public func apply(to frame: Frame) -> Frame {
        var out = frame
        table.withUnsafeBufferPointer { table in
            out.bytes.withUnsafeMutableBufferPointer { bytes in
                for i in bytes.indices { bytes[i] = table[Int(bytes[i])] }
            }
        }
        return out
    }

    private static func table(brightness: Int, gamma: Gamma) -> [UInt8] {
        let scale = Double(min(max(brightness, brightnessRange.lowerBound), brightnessRange.upperBound)) / 100
        return (0...255).map { value in
            let x = Double(value) / 255
            let level: Double = switch gamma {
            case .none:
                x
            case .power(let exponent) where exponent.isFinite && exponent > 0:
                pow(x, exponent)
            case .power:
                x
            case .cie1931:
                x <= 0.08 ? x * 100 / 903.3 : pow((x * 100 + 16) / 116, 3)
            }
            return UInt8((level * scale * 255).rounded())
        }
    }
}
