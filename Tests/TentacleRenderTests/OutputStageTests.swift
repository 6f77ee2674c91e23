import Testing
@testable import TentacleRender

@Suite struct OutputStageTests {
    private static let gammas: [OutputStage.Gamma] = [.none, .power(2.2), .power(1.8), .cie1931]

    @Test func defaultsToFullBrightnessAndGamma22() {
        let stage = OutputStage()
        #expect(stage.brightness == 100 && stage.gamma == .power(2.2))
        #expect(stage.table[0] == 0 && stage.table[255] == 255)
        #expect(stage.table[128] == 56)  // 255 * (128/255)^2.2 rounded
    }

    @Test(arguments: gammas)
    func brightnessZeroIsBlack(gamma: OutputStage.Gamma) {
        #expect(OutputStage(brightness: 0, gamma: gamma).table.allSatisfy { $0 == 0 })
    }

    @Test func fullBrightnessWithoutGammaIsIdentity() {
        let stage = OutputStage(brightness: 100, gamma: .none)
        #expect(stage.table == (0...255).map { UInt8($0) })
        let frame = Frame(width: 3, height: 2, bytes: (0..<18).map { UInt8($0 * 14) })!
        #expect(stage.apply(to: frame) == frame)
    }

    @Test(arguments: gammas)
    func tablesAreMonotonic(gamma: OutputStage.Gamma) {
        for brightness in [1, 37, 50, 100] {
            let table = OutputStage(brightness: brightness, gamma: gamma).table
            #expect(zip(table, table.dropFirst()).allSatisfy { $0 <= $1 })
            #expect(table[255] == UInt8((Double(brightness) / 100 * 255).rounded()))
        }
    }

    @Test func cieLightnessIsLinearAtTheBottom() {
        let table = OutputStage(gamma: .cie1931).table
        #expect(table[255] == 255)
        #expect(table[20] == 2)  // L* 7.8 → Y = 7.8 / 903.3
        #expect(table[128] == 47)  // L* 50.2 → Y = ((50.2 + 16) / 116)^3
    }

    @Test func brightnessIsClampedAndTablesFollowChanges() {
        var stage = OutputStage(brightness: 250, gamma: .none)
        #expect(stage.table[200] == 200)
        stage.brightness = 50
        #expect(stage.table[200] == 100)
        stage.gamma = .power(2)
        #expect(stage.table[255] == 128)
        #expect(OutputStage(brightness: -5).table[255] == 0)
        #expect(OutputStage(gamma: .power(-1)).table == OutputStage(gamma: .none).table)
    }

    @Test func applyMapsEveryChannel() {
        let stage = OutputStage(brightness: 50, gamma: .none)
        let frame = Frame(width: 1, height: 1, background: RGB(200, 100, 10))
        #expect(stage.apply(to: frame).pixel(x: 0, y: 0) == RGB(100, 50, 5))
        #expect(frame.pixel(x: 0, y: 0) == RGB(200, 100, 10))
    }
}
