import TentacleBench
import Testing

@Suite struct ResolveBenchmarkTests {
    @Test func benchmarkReportsItsFigures() {
        let figures = ResolveBenchmark.run(displays: 200, campaigns: 50, seconds: 0.02)
        #expect(figures.map(\.figure) == ["indexed_displays_per_s", "indexed_ms_for_all", "targeted_campaigns_per_display", "index_build_ms"])
        #expect(figures[0].baseline == "naive_displays_per_s")
        #expect(figures.allSatisfy { $0.value > 0 })
    }
}
