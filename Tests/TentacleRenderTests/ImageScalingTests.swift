import Testing
@testable import TentacleRender

@Suite("Image scaling")
struct ImageScalingTests {
    /// A 4×2 image: left half red and green stripes, right half blue.
    static let image: Frame = {
        var frame = Frame(width: 4, height: 2)
        frame.setPixel(x: 0, y: 0, .red)
        frame.setPixel(x: 1, y: 0, .red)
        frame.setPixel(x: 0, y: 1, .green)
        frame.setPixel(x: 1, y: 1, .green)
        frame.fill(Rect(x: 2, y: 0, width: 2, height: 2), .blue)
        return frame
    }()

    @Test func boxAveragesTheAreaEachPixelCovers() {
        let half = Self.image.scaled(toWidth: 2, height: 1, filter: .box, fit: .stretch)
        #expect(half.pixel(x: 0, y: 0) == RGB(128, 128, 0))
        #expect(half.pixel(x: 1, y: 0) == .blue)
    }

    @Test func nearestKeepsOnlySourceColours() {
        let big = Self.image.scaled(toWidth: 12, height: 6, filter: .nearest, fit: .stretch)
        let colours = Set((0..<6).flatMap { y in (0..<12).map { big.pixel(x: $0, y: y) } })
        #expect(colours == [.red, .green, .blue])
        #expect(big.pixel(x: 5, y: 2) == .red && big.pixel(x: 6, y: 3) == .blue && big.pixel(x: 0, y: 5) == .green)
    }

    @Test func fitLetterboxesWithTheBackground() {
        let boxed = Self.image.scaled(toWidth: 8, height: 8, filter: .nearest, fit: .fit, background: .amber)
        #expect(boxed.pixel(x: 0, y: 1) == .amber)
        #expect(boxed.pixel(x: 0, y: 2) == .red)
        #expect(boxed.pixel(x: 7, y: 5) == .blue)
        #expect(boxed.pixel(x: 7, y: 6) == .amber)
    }

    @Test func fillCropsTheOverflow() {
        let cropped = Self.image.scaled(toWidth: 2, height: 2, filter: .nearest, fit: .fill)
        // The centre 2×2 of the source: one red/green column, one blue column.
        #expect(cropped.pixel(x: 0, y: 0) == .red && cropped.pixel(x: 0, y: 1) == .green)
        #expect(cropped.pixel(x: 1, y: 0) == .blue)
    }

    @Test func extremeAspectRatiosStayInTheTargetSize() {
        let line = Frame(width: 3840, height: 1, background: .white)
        for fit in ImageFit.allCases {
            for filter in ImageFilter.allCases {
                let out = line.scaled(toWidth: 16, height: 16, filter: filter, fit: fit)
                #expect(out.width == 16 && out.height == 16)
            }
        }
    }

    @Test func drawClipsToTheGivenRect() {
        var frame = Frame(width: 6, height: 6)
        frame.draw(Frame(width: 4, height: 4, background: .red), x: -1, y: 3, clip: Rect(x: 0, y: 0, width: 2, height: 5))
        #expect(frame.pixel(x: 0, y: 3) == .red && frame.pixel(x: 1, y: 4) == .red)
        #expect(frame.pixel(x: 2, y: 3) == .black && frame.pixel(x: 0, y: 5) == .black && frame.pixel(x: 0, y: 2) == .black)
    }
}
