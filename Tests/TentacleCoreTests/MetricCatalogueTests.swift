import Testing
import TentacleCore

@Suite struct MetricCatalogueTests {
    @Test func builtInSetHasEveryMetricWithItsRange() {
        let c = MetricCatalogue.builtIn
        #expect(c.metrics.count == 14)
        #expect(c["pm25"]?.range == 0...1000)
        #expect(c["pm25"]?.unit == "µg/m³")
        #expect(c["pm10"]?.range == 0...2000)
        #expect(c["no2"]?.range == 0...2000)
        #expect(c["o3"]?.range == 0...1000)
        #expect(c["noise_dba"]?.range == 0...150)
        #expect(c["temp_c"]?.range == -60...70)
        #expect(c["humidity_pct"]?.range == 0...100)
        #expect(c["pressure_hpa"]?.range == 800...1100)
        #expect(c["wind_ms"]?.range == 0...100)
        #expect(c["lux"]?.range == 0...200_000)
        #expect(c["panel_temp_c"]?.range == -40...120)
        #expect(c["supply_v"]?.range == 0...60)
        #expect(c["fps"]?.range == 0...240)
        #expect(c.metrics.allSatisfy { $0.issues().isEmpty })
        #expect(!c.contains("co2"))
    }

    @Test func adminAddsAMetric() throws {
        let co2 = Metric(name: "co2_ppm", unit: "ppm", range: 0...10_000, description: "Carbon dioxide")
        let c = try MetricCatalogue.builtIn.adding(co2)
        #expect(c["co2_ppm"] == co2)
        #expect(c.metrics.count == 15)
    }

    @Test(arguments: ["", "PM25", "2pm", "pm-25", "pm.25", "_x", String(repeating: "a", count: 33)])
    func badNamesAreRejected(_ name: String) {
        let m = Metric(name: name, unit: "x", range: 0...1, description: "")
        #expect(m.issues().map(\.field) == ["name"])
    }

    @Test func goodNames() {
        for name in ["a", "pm25", "co2_ppm", String(repeating: "a", count: 32)] {
            #expect(Metric.isValidName(name))
        }
    }

    @Test func rangeMustRunLowToHighAndBeFinite() {
        #expect(Metric(name: "x", unit: "", range: 1...1, description: "").issues().map(\.field) == ["range"])
        #expect(Metric(name: "x", unit: "", range: 0...Double.infinity, description: "").issues().map(\.field) == ["range"])
        #expect(Metric(name: "x", unit: "", range: -1...1, description: "").issues().isEmpty)
    }

    @Test func unitLengthAndControlCharacters() {
        #expect(Metric(name: "x", unit: String(repeating: "u", count: 17), range: 0...1, description: "").issues().map(\.field) == ["unit"])
        #expect(Metric(name: "x", unit: "a\nb", range: 0...1, description: "").issues().map(\.field) == ["unit"])
    }

    @Test func existingNamesCannotBeRedefined() {
        let pm25 = Metric(name: "pm25", unit: "mg", range: 0...5, description: "")
        #expect(throws: ValidationError.self) { try MetricCatalogue.builtIn.adding(pm25) }
    }

    @Test func catalogueRejectsDuplicatesByRow() {
        let m = Metric(name: "x", unit: "", range: 0...1, description: "")
        #expect(throws: ValidationError([FieldIssue(field: "name", message: "metric 'x' is listed twice", row: 2)])) {
            try MetricCatalogue([m, m])
        }
    }
}
