import Foundation
import TentacleBench

/// `tentacle bench render`: scene and page frame rates against memset fills, and the cold start
/// to a first CJK frame against bare process start.
func renderBenchFigures(seconds: Double) throws -> [BenchmarkFigure] {
    var figures = RenderBenchmark.run(seconds: seconds).map { figure in
        BenchmarkFigure(
            bench: "render", figure: figure.name, value: figure.value, unit: figure.unit,
            baseline: figure.baselineName, baselineValue: figure.baselineValue)
    }
    let cold = try RenderCommand.coldStartMilliseconds()
    figures.append(BenchmarkFigure(
        bench: "render", figure: "cold_start_cjk_ms", value: cold.render, unit: "ms",
        baseline: "process_start_ms", baselineValue: cold.processStart, higherIsBetter: false))
    return figures
}
