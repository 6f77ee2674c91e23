@testable import TentacleRender

enum TestFrames {
    /// A frame in which every byte differs from its neighbours and none is zero, so a slot in the
    /// wrong place or a universe left out shows.
    static func pattern(width: Int, height: Int, seed: Int = 0) -> Frame {
        let bytes = (0..<(width * height * 3)).map { UInt8(truncatingIfNeeded: ($0 &* 7 &+ $0 / 251 &+ seed) % 255 + 1) }
        return Frame(width: width, height: height, bytes: bytes)!
    }
}
