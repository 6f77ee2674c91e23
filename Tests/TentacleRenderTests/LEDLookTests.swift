import Testing
@testable import TentacleRender

@Suite struct LEDLookTests {
    private let frame: Frame = {
        var frame = Frame(width: 4, height: 2)
        frame.setPixel(x: 1, y: 0, .red)
        frame.setPixel(x: 3, y: 1, .green)
        return frame
    }()

    @Test func plainUpscaleMakesSolidBlocks() {
        let big = LEDLook.upscale(frame, scale: 5, ledLook: false)
        #expect(big.width == 20 && big.height == 10)
        for y in 0..<10 {
            for x in 0..<20 {
                #expect(big.pixel(x: x, y: y) == frame.pixel(x: x / 5, y: y / 5))
            }
        }
    }

    @Test func ledLookDrawsDotsWithAGap() {
        let big = LEDLook.upscale(frame, scale: 10, ledLook: true)
        #expect(big.width == 40 && big.height == 20)
        // Red pixel (1, 0): its cell is x 10..<20, y 0..<10; the dot fills a 8×8 disc at the cell's top-left.
        #expect(big.pixel(x: 14, y: 4) == .red)
        #expect(big.pixel(x: 19, y: 4) == .black)
        #expect(big.pixel(x: 14, y: 9) == .black)
        #expect(big.pixel(x: 10, y: 0) == .black)
        #expect(big.pixel(x: 34, y: 14) == .green)
    }

    @Test func scaleIsClamped() {
        #expect(LEDLook.upscale(frame, scale: 0, ledLook: true) == frame)
        #expect(LEDLook.upscale(frame, scale: 99, ledLook: false).width == 4 * 32)
        let wall = Frame(width: 1920, height: 1080)
        #expect(LEDLook.upscale(wall, scale: 8, ledLook: true).width == 3840)
    }

    @Test func smallScalesStaySolid() {
        let big = LEDLook.upscale(frame, scale: 2, ledLook: true)
        #expect(big == LEDLook.upscale(frame, scale: 2, ledLook: false))
    }
}
