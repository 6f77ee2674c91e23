import Foundation
import Testing
@testable import TentacleRender

@Suite("render command support")
struct RenderCommandSupportTests {
    @Test func parsesDataPairs() throws {
        #expect(try RenderCommandSupport.parseData(["pm25=37,no2=12", "noise_dba=61.5", "pm25=40"]) == ["pm25": 40, "no2": 12, "noise_dba": 61.5])
        #expect(try RenderCommandSupport.parseData([]) == [:])
    }

    @Test(arguments: [("pm25", "not name=value"), ("pm25=abc", "\"abc\" is not a number"), ("=3", "no metric name"), ("a=1,,b=2", "\"\" is not name=value"), ("x=inf", "not a number")])
    func rejectsBadDataNamingTheArgument(argument: String, phrase: String) {
        do {
            _ = try RenderCommandSupport.parseData([argument])
            Issue.record("accepted \(argument)")
        } catch {
            #expect(error.description.hasPrefix("--data \"\(argument)\""))
            #expect(error.description.contains(phrase), "\(error)")
        }
    }

    @Test func parsesISO8601WithOffset() throws {
        #expect(try RenderCommandSupport.parseTime("2026-01-01T08:00:00+08:00") == Date(timeIntervalSince1970: 1_767_225_600))
        #expect(try RenderCommandSupport.parseTime("2026-01-01T00:00:00Z") == Date(timeIntervalSince1970: 1_767_225_600))
        #expect(try RenderCommandSupport.parseTime("2026-01-01T00:00:00.5Z") == Date(timeIntervalSince1970: 1_767_225_600.5))
    }

    @Test(arguments: ["2026-01-01T08:00:00", "2026-01-01", "tomorrow", ""])
    func rejectsTimesWithoutOffset(text: String) {
        #expect(throws: RenderArgumentError.self) { try RenderCommandSupport.parseTime(text) }
    }

    @Test func parsesGamma() throws {
        #expect(try RenderCommandSupport.parseGamma("2.2") == .power(2.2))
        #expect(try RenderCommandSupport.parseGamma("CIE1931") == .cie1931)
        #expect(try RenderCommandSupport.parseGamma("none") == OutputStage.Gamma.none)
        #expect(throws: RenderArgumentError.self) { try RenderCommandSupport.parseGamma("9") }
        #expect(throws: RenderArgumentError.self) { try RenderCommandSupport.outputStage(brightness: 101, gamma: .none) }
    }

    @Test func rendersALayoutFileToPNG() throws {
        let json = try Data(contentsOf: Resources.exampleLayouts.appendingPathComponent("bus-stop-192x96.json"))
        let time = try RenderCommandSupport.parseTime("2026-01-01T08:00:00+08:00")
        let renderer = Renderer()
        let plain = try RenderCommandSupport.png(layoutJSON: json, at: time, data: ["pm25": 37], renderer: renderer, output: OutputStage(gamma: .none))
        let frame = try PNG.decode(plain)
        #expect(frame == renderer.render(try Layout(json: json), at: time, data: ["pm25": 37]))
        let big = try PNG.decode(RenderCommandSupport.png(layoutJSON: json, at: time, data: [:], renderer: renderer, output: OutputStage(), scale: 4, ledLook: true))
        #expect(big.width == 768 && big.height == 384)
        #expect(throws: RenderArgumentError.self) {
            try RenderCommandSupport.png(layoutJSON: json, at: time, data: [:], renderer: renderer, output: OutputStage(), scale: 0)
        }
    }

    @Test func refusesAnInvalidLayoutListingItsIssues() throws {
        let json = Data(#"{"version":1,"width":64,"height":32,"regions":[{"id":"a","x":0,"y":0,"width":99,"height":32,"playlist":[]}]}"#.utf8)
        do {
            _ = try RenderCommandSupport.layout(json: json, renderer: Renderer())
            Issue.record("accepted an invalid layout")
        } catch {
            #expect(error.issues.map(\.field) == ["x", "playlist"])
        }
    }
}
