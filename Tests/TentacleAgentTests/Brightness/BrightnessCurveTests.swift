import Foundation
import Testing
@testable import TentacleAgent

@Suite struct BrightnessCurveTests {
    typealias Point = BrightnessCurve.Point

    @Test func theOutdoorCurvePassesThroughItsPoints() {
        let curve = BrightnessCurve.outdoor
        for (lux, percent) in [(0.0, 10.0), (10, 15), (100, 30), (1_000, 55), (10_000, 85), (50_000, 100)] {
            #expect(abs(curve.percent(lux: lux) - percent) < 1e-9, "at \(lux) lux")
        }
    }

    @Test func betweenPointsItIsLinearInLogLux() throws {
        let curve = try BrightnessCurve([Point(lux: 99, percent: 20), Point(lux: 9_999, percent: 60)])
        // log10(1 + lux): 2 at 99 lux, 4 at 9,999, so 999 lux (3) lies halfway.
        #expect(abs(curve.percent(lux: 999) - 40) < 1e-9)
        #expect(abs(curve.percent(lux: pow(10, 2.5) - 1) - 30) < 1e-9)
    }

    @Test func outsideThePointsItIsClamped() throws {
        let curve = try BrightnessCurve([Point(lux: 5, percent: 20), Point(lux: 500, percent: 70)])
        #expect(curve.percent(lux: 0) == 20)
        #expect(curve.percent(lux: -3) == 20)
        #expect(curve.percent(lux: .nan) == 20)
        #expect(curve.percent(lux: 1e9) == 70)
        #expect(curve.percent(lux: .infinity) == 70)
        #expect(BrightnessCurve.outdoor.percent(lux: 120_000) == 100)
    }

    @Test func onePointIsAConstant() throws {
        let curve = try BrightnessCurve([Point(lux: 100, percent: 42)])
        #expect([0, 100, 1e6].map(curve.percent(lux:)) == [42, 42, 42])
    }

    @Test func theOutdoorCurveRisesWithTheLight() {
        let percents = stride(from: 0.0, through: 6, by: 0.01).map { BrightnessCurve.outdoor.percent(lux: pow(10, $0) - 1) }
        #expect(zip(percents, percents.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func parsesTheCommandLineForm() throws {
        let curve = try BrightnessCurve(parsing: "0:10,100:30,10000:85")
        #expect(curve.points == [Point(lux: 0, percent: 10), Point(lux: 100, percent: 30), Point(lux: 10_000, percent: 85)])
        #expect(try BrightnessCurve(parsing: " 0:10% , 2.5:12.5 ").points == [Point(lux: 0, percent: 10), Point(lux: 2.5, percent: 12.5)])
    }

    static let mistakes: [(text: String, point: Int?, words: String)] = [
        ("", 1, "write LUX:PERCENT"),
        ("abc", 1, "write LUX:PERCENT"),
        ("0:10,", 2, "write LUX:PERCENT"),
        ("0:10,,100:30", 2, "write LUX:PERCENT"),
        ("0:10,100", 2, "write LUX:PERCENT"),
        ("0:10:20", 1, "write LUX:PERCENT"),
        ("x:10", 1, "write LUX:PERCENT"),
        ("10:y", 1, "write LUX:PERCENT"),
        ("-1:10", 1, "lux must be a number from 0 up"),
        ("inf:10", 1, "lux must be a number from 0 up"),
        ("0:101", 1, "percent must be 0...100"),
        ("0:-1", 1, "percent must be 0...100"),
        ("0:nan", 1, "percent must be 0...100"),
        ("0:10,100:30,100:40", 3, "lux must increase"),
        ("0:10,100:30,50:40", 3, "lux must increase"),
    ]

    @Test(arguments: mistakes)
    func mistakesNameThePoint(text: String, point: Int?, words: String) throws {
        let error = try #require(throws: BrightnessCurveError.self) { try BrightnessCurve(parsing: text) }
        #expect(error.point == point)
        #expect(error.reason.hasPrefix(words), "\(error)")
    }

    @Test func messagesQuoteThePoint() throws {
        let error = try #require(throws: BrightnessCurveError.self) { try BrightnessCurve(parsing: "0:10, 100:130") }
        #expect(error.description == "brightness curve point 2 \"100:130\": percent must be 0...100, not 130.0")
        #expect(throws: BrightnessCurveError(point: nil, "needs at least one point")) { try BrightnessCurve([]) }
    }
}
