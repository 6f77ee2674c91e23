import Foundation

/// One measured figure of `tentacle bench`, with the baseline measured in the same run.
public struct BenchmarkFigure: Hashable, Sendable {
    public var bench: String
    public var figure: String
    public var value: Double
    public var unit: String
    public var baseline: String?
    public var baselineValue: Double?
    /// Whether a higher value is better (rates) or worse (latencies); only used for reading the table.
    public var higherIsBetter: Bool

    public init(bench: String, figure: String, value: Double, unit: String, baseline: String? = nil, baselineValue: Double? = nil, higherIsBetter: Bool = true) {
        self.bench = bench
        self.figure = figure
        self.value = value
        self.unit = unit
        self.baseline = baseline
        self.baselineValue = baselineValue
        self.higherIsBetter = higherIsBetter
    }

    /// value / baseline value, when there is a baseline.
    public var ratio: Double? {
        guard let b = baselineValue, b != 0 else { return nil }
        return value / b
    }

    /// The one-line JSON form DESIGN.md sets for `--json`.
    public var jsonLine: String {
        var parts = [
            "\"bench\":\(quote(bench))", "\"figure\":\(quote(figure))", "\"value\":\(number(value))", "\"unit\":\(quote(unit))",
        ]
        if let baseline, let baselineValue {
            parts.append("\"baseline\":\(quote(baseline))")
            parts.append("\"baseline_value\":\(number(baselineValue))")
            if let ratio { parts.append("\"ratio\":\(number(ratio))") }
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// A fixed-width table of figures for people.
    public static func table(_ figures: [BenchmarkFigure]) -> String {
        var lines = [pad("figure", 34) + pad("value", 16) + pad("baseline", 34) + pad("baseline value", 16) + "ratio"]
        for f in figures {
            lines.append(
                pad(f.figure, 34) + pad(format(f.value) + " " + f.unit, 16) + pad(f.baseline ?? "-", 34)
                    + pad(f.baselineValue.map(format) ?? "-", 16) + (f.ratio.map { String(format: "%.3f", $0) } ?? "-"))
        }
        return lines.joined(separator: "\n")
    }

    private static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count)
    }

    private static func format(_ v: Double) -> String {
        v >= 100 ? String(format: "%.0f", v) : String(format: "%.3f", v)
    }

    private func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private func number(_ v: Double) -> String {
        v.isFinite ? String(format: v == v.rounded() && abs(v) < 1e15 ? "%.0f" : "%.4f", v) : "null"
    }
}
