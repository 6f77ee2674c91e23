import Foundation
import Testing
@testable import TentacleRender

/// Pixel mappings checked pixel by pixel: every pixel is painted with its own coordinates, so
/// the slots read back as the order the LEDs sit on the data line.
@Suite struct PixelMappingTests {
    typealias Position = PixelMapping.PanelPosition

    /// A frame whose pixel (x, y) is RGB(x, y, 200).
    private func coordinateFrame(_ width: Int, _ height: Int) -> Frame {
        var frame = Frame(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width { frame.setPixel(x: x, y: y, RGB(UInt8(x), UInt8(y), 200)) }
        }
        return frame
    }

    /// The (x, y) of every pixel in wire order, read back from an RGB mapping's slots.
    private func wireOrder(_ mapping: PixelMapping) throws -> [[Int]] {
        let slots = try mapping.universes(for: coordinateFrame(mapping.width, mapping.height)).flatMap(\.slots)
        #expect(slots.count == mapping.width * mapping.height * 3)
        return stride(from: 0, to: slots.count, by: 3).map { i in
            #expect(slots[i + 2] == 200)
            return [Int(slots[i]), Int(slots[i + 1])]
        }
    }

    @Test func rowMajorRunsEveryRowLeftToRight() throws {
        let mapping = try PixelMapping(width: 4, height: 3)
        #expect(try wireOrder(mapping) == [
            [0, 0], [1, 0], [2, 0], [3, 0],
            [0, 1], [1, 1], [2, 1], [3, 1],
            [0, 2], [1, 2], [2, 2], [3, 2],
        ])
    }

    @Test func serpentineTurnsBackEveryOtherRow() throws {
        let mapping = try PixelMapping(width: 4, height: 3, wiring: .serpentine)
        #expect(try wireOrder(mapping) == [
            [0, 0], [1, 0], [2, 0], [3, 0],
            [3, 1], [2, 1], [1, 1], [0, 1],
            [0, 2], [1, 2], [2, 2], [3, 2],
        ])
    }

    @Test func chainedPanelsAreSentWholeInRowMajorOrder() throws {
        let mapping = try PixelMapping(width: 4, height: 4, panelWidth: 2, panelHeight: 2)
        #expect(mapping.panelColumns == 2 && mapping.panelRows == 2)
        #expect(try wireOrder(mapping) == [
            [0, 0], [1, 0], [0, 1], [1, 1],
            [2, 0], [3, 0], [2, 1], [3, 1],
            [0, 2], [1, 2], [0, 3], [1, 3],
            [2, 2], [3, 2], [2, 3], [3, 3],
        ])
    }

    @Test func chainedSerpentinePanelsInSerpentineOrder() throws {
        let order = PixelMapping.panelOrder(columns: 2, rows: 2, wiring: .serpentine)
        #expect(order == [Position(column: 0, row: 0), Position(column: 1, row: 0), Position(column: 1, row: 1), Position(column: 0, row: 1)])
        let mapping = try PixelMapping(width: 6, height: 4, panelWidth: 3, panelHeight: 2, panelOrder: order, wiring: .serpentine)
        #expect(try wireOrder(mapping) == [
            [0, 0], [1, 0], [2, 0], [2, 1], [1, 1], [0, 1],
            [3, 0], [4, 0], [5, 0], [5, 1], [4, 1], [3, 1],
            [3, 2], [4, 2], [5, 2], [5, 3], [4, 3], [3, 3],
            [0, 2], [1, 2], [2, 2], [2, 3], [1, 3], [0, 3],
        ])
    }

    @Test func panelsFollowAGivenOrder() throws {
        let order = [Position(column: 1, row: 1), Position(column: 0, row: 0), Position(column: 0, row: 1), Position(column: 1, row: 0)]
        let mapping = try PixelMapping(width: 2, height: 4, panelWidth: 1, panelHeight: 2, panelOrder: order)
        #expect(try wireOrder(mapping) == [
            [1, 2], [1, 3],
            [0, 0], [0, 1],
            [0, 2], [0, 3],
            [1, 0], [1, 1],
        ])
    }

    @Test(arguments: PixelMapping.Wiring.allCases)
    func aDisplayOfNinePanelsMatchesItsWiringDiagram(wiring: PixelMapping.Wiring) throws {
        // 192×96 from 3×3 panels of 64×32, cabled bottom row first, right to left, then upwards.
        let order = (0..<3).reversed().flatMap { row in (0..<3).reversed().map { Position(column: $0, row: row) } }
        let mapping = try PixelMapping(
            width: 192, height: 96, panelWidth: 64, panelHeight: 32, panelOrder: order, wiring: wiring)
        #expect(mapping.universeCount == 109)  // 18,432 pixels / 170, rounded up
        let expected = (0..<(192 * 96)).map { index -> [Int] in
            let panel = order[index / 2048]
            let row = index % 2048 / 64
            let step = index % 64
            let column = wiring == .serpentine && row % 2 == 1 ? 63 - step : step
            return [panel.column * 64 + column, panel.row * 32 + row]
        }
        #expect(try wireOrder(mapping) == expected)
    }

    @Test func universesHold170PixelsAndNeverSplitOne() throws {
        let mapping = try PixelMapping(width: 200, height: 2, startUniverse: 7)
        let universes = try mapping.universes(for: coordinateFrame(200, 2))
        #expect(universes.map(\.universe) == [7, 8, 9])
        #expect(universes.map(\.slots.count) == [510, 510, 180])
        #expect(mapping.lastUniverse == 9)
        #expect(Array(universes[1].slots.prefix(3)) == [170, 0, 200])
        #expect(Array(universes[1].slots.suffix(3)) == [139, 1, 200])
    }

    @Test func panelsMayStartFreshUniverses() throws {
        let mapping = try PixelMapping(
            width: 6, height: 1, panelWidth: 3, panelHeight: 1, startUniverse: 0, pixelsPerUniverse: 2, panelStartsUniverse: true)
        #expect(mapping.universeCount == 4)
        let universes = try mapping.universes(for: coordinateFrame(6, 1))
        #expect(universes == [
            UniverseData(universe: 0, slots: [0, 0, 200, 1, 0, 200]),
            UniverseData(universe: 1, slots: [2, 0, 200]),
            UniverseData(universe: 2, slots: [3, 0, 200, 4, 0, 200]),
            UniverseData(universe: 3, slots: [5, 0, 200]),
        ])
        let continuous = try PixelMapping(width: 6, height: 1, panelWidth: 3, panelHeight: 1, pixelsPerUniverse: 2)
        #expect(try continuous.universes(for: coordinateFrame(6, 1)).map(\.slots.count) == [6, 6, 6])
    }

    @Test(arguments: [(PixelMapping.ColorOrder.rgb, [10, 20, 30]), (.rbg, [10, 30, 20]), (.grb, [20, 10, 30]),
                      (.gbr, [20, 30, 10]), (.brg, [30, 10, 20]), (.bgr, [30, 20, 10])])
    func colourOrders(order: PixelMapping.ColorOrder, slots: [UInt8]) throws {
        var frame = Frame(width: 2, height: 1)
        frame.setPixel(x: 0, y: 0, RGB(10, 20, 30))
        frame.setPixel(x: 1, y: 0, RGB(1, 2, 3))
        let mapping = try PixelMapping(width: 2, height: 1, colorOrder: order)
        let rest = order.rawValue.map { ["r": UInt8(1), "g": 2, "b": 3][String($0)]! }
        #expect(try mapping.universes(for: frame) == [UniverseData(universe: 1, slots: slots + rest)])
    }

    @Test func badConfigurationsNameTheirField() {
        let p = Position.init(column:row:)
        #expect(outputErrorField { try PixelMapping(width: 0, height: 1) } == "width")
        #expect(outputErrorField { try PixelMapping(width: 1, height: Frame.maxHeight + 1) } == "height")
        #expect(outputErrorField { try PixelMapping(width: 192, height: 96, panelWidth: 50, panelHeight: 32) } == "panelWidth")
        #expect(outputErrorField { try PixelMapping(width: 192, height: 96, panelWidth: 64, panelHeight: 40) } == "panelHeight")
        #expect(outputErrorField { try PixelMapping(width: 192, height: 96, panelWidth: 256) } == "panelWidth")
        #expect(outputErrorField { try PixelMapping(width: 4, height: 2, panelWidth: 2, panelOrder: [p(0, 0)]) } == "panelOrder")
        #expect(outputErrorField { try PixelMapping(width: 4, height: 2, panelWidth: 2, panelOrder: [p(0, 0), p(2, 0)]) } == "panelOrder[1].column")
        #expect(outputErrorField { try PixelMapping(width: 4, height: 2, panelWidth: 2, panelOrder: [p(0, 0), p(1, -1)]) } == "panelOrder[1].row")
        #expect(outputErrorField { try PixelMapping(width: 4, height: 2, panelWidth: 2, panelOrder: [p(1, 0), p(1, 0)]) } == "panelOrder[1]")
        #expect(outputErrorField { try PixelMapping(width: 4, height: 2, pixelsPerUniverse: 171) } == "pixelsPerUniverse")
        #expect(outputErrorField { try PixelMapping(width: 4, height: 2, pixelsPerUniverse: 0) } == "pixelsPerUniverse")
        #expect(outputErrorField { try PixelMapping(width: 4, height: 2, startUniverse: -1) } == "startUniverse")
        // 340 pixels need two universes, so 63998 is the last start that fits.
        #expect(outputErrorField { try PixelMapping(width: 340, height: 1, startUniverse: 63999) } == "startUniverse")
        #expect(outputErrorField { try PixelMapping(width: 340, height: 1, startUniverse: 63998) } == nil)
    }

    @Test func errorsSayWhatIsWrong() {
        #expect(throws: OutputError.invalid("panelOrder", "lists 1 panels but the display has 2 (2×1)")) {
            try PixelMapping(width: 4, height: 2, panelWidth: 2, panelOrder: [Position(column: 0, row: 0)])
        }
        let error = OutputError.invalid("startUniverse", "63999 leaves no room for 2 universes below 63999; the highest start is 63998")
        #expect(throws: error) { try PixelMapping(width: 340, height: 1, startUniverse: 63999) }
    }

    @Test func aFrameOfAnotherSizeIsRefused() throws {
        let mapping = try PixelMapping(width: 4, height: 3)
        #expect(throws: OutputError.invalid("frame", "is 3×4 but the mapping is for 4×3")) {
            try mapping.universes(for: Frame(width: 3, height: 4))
        }
    }

    @Test func decodesFromJSONWithDefaultsAndTheSameChecks() throws {
        let json = #"{"width": 192, "height": 96, "panelWidth": 64, "panelHeight": 32, "wiring": "serpentine", "colorOrder": "grb"}"#
        let mapping = try JSONDecoder().decode(PixelMapping.self, from: Data(json.utf8))
        #expect(mapping == (try PixelMapping(width: 192, height: 96, panelWidth: 64, panelHeight: 32, wiring: .serpentine, colorOrder: .grb)))
        #expect(mapping.startUniverse == 1 && mapping.pixelsPerUniverse == 170 && !mapping.panelStartsUniverse)
        #expect(try JSONDecoder().decode(PixelMapping.self, from: JSONEncoder().encode(mapping)) == mapping)
        #expect(throws: OutputError.self) {
            try JSONDecoder().decode(PixelMapping.self, from: Data(#"{"width": 192, "height": 96, "panelWidth": 50}"#.utf8))
        }
    }
}
