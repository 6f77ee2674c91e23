public import Foundation

/// A display's canvas split into regions, each playing a list of widgets; read from versioned JSON.
public struct Layout: Hashable, Sendable {
    /// The JSON format version this build reads and writes.
    public static let currentVersion = 1
    /// Canvas sizes a layout may ask for: the frame buffer's limits.
    public static let widthRange = 1...Frame.maxWidth
    public static let heightRange = 1...Frame.maxHeight
    /// Every integer a layout document may hold, whatever the field: far beyond any real canvas, yet
    /// small enough that sums and products of a few fields never overflow. Validation narrows each field further.
    public static let integerRange = -1_000_000...1_000_000

    public var version: Int
    public var width: Int
    public var height: Int
    public var background: RGB
    public var regions: [Region]

    public init(width: Int, height: Int, background: RGB = .black, regions: [Region]) {
        version = Layout.currentVersion
        self.width = width
        self.height = height
        self.background = background
        self.regions = regions
    }

    /// Decodes layout JSON; a malformed document throws an error naming the JSON path at fault.
    public init(json: Data) throws(LayoutError) {
        do {
            self = try JSONDecoder().decode(Layout.self, from: json)
        } catch let error as DecodingError {
            throw LayoutError(decoding: error)
        } catch {
            throw LayoutError.malformed(path: "", message: "\(error)")
        }
    }

    /// Pretty-printed JSON with sorted keys, so saved layouts diff cleanly.
    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Every field is a plain value type, so encoding cannot fail.
        return (try? encoder.encode(self)) ?? Data()
    }
}

/// A rectangle of the canvas with its own background and playlist, drawn in `z` order.
public struct Region: Hashable, Sendable {
    public var id: String
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int
    /// Higher draws later (on top); equal values draw in array order.
    public var z: Int
    /// Filled before the widget draws; nil leaves what lower regions drew, for overlays.
    public var background: RGB?
    public var playlist: [PlaylistItem]

    public init(id: String, x: Int, y: Int, width: Int, height: Int, z: Int = 0, background: RGB? = nil, playlist: [PlaylistItem]) {
        self.id = id
        self.x = x
        self.y = y
        self.width = width
        self.height = height
        self.z = z
        self.background = background
        self.playlist = playlist
    }

    public var rect: Rect { Rect(x: x, y: y, width: width, height: height) }

    /// The item showing at `time` (seconds since the epoch): the playlist loops forever from the
    /// epoch, so every renderer agrees without sharing state. Nil only for an empty playlist.
    public func currentItem(at time: Double) -> PlaylistItem? {
        currentIndex(at: time).map { playlist[$0] }
    }

    func currentIndex(at time: Double) -> Int? {
        guard !playlist.isEmpty else { return nil }
        guard playlist.count > 1 else { return 0 }
        func length(_ item: PlaylistItem) -> Double { item.duration.isFinite && item.duration > 0 ? item.duration : 0 }
        let cycle = playlist.reduce(0) { $0 + length($1) }
        guard cycle > 0, cycle.isFinite, time.isFinite else { return 0 }
        var position = time.truncatingRemainder(dividingBy: cycle)
        if position < 0 { position += cycle }
        for (index, item) in playlist.enumerated() {
            if position < length(item) { return index }
            position -= length(item)
        }
        // Rounding can leave a sliver past the last item; it belongs to the last one that shows.
        return playlist.lastIndex { length($0) > 0 } ?? 0
    }
}

/// One entry of a region's playlist: a widget shown for `duration` seconds.
public struct PlaylistItem: Hashable, Sendable, Codable {
    public var duration: Double
    public var widget: Widget

    public init(duration: Double, widget: Widget) {
        self.duration = duration
        self.widget = widget
    }
}

extension Layout: Codable {
    private enum CodingKeys: String, CodingKey {
        case version, width, height, background, regions
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decode(Int.self, forKey: .version)
        guard version == Layout.currentVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .version, in: c,
                debugDescription: "unsupported layout version \(version); this build reads version \(Layout.currentVersion)")
        }
        width = try c.decodeBounded(forKey: .width)
        height = try c.decodeBounded(forKey: .height)
        background = try c.decodeColorIfPresent(forKey: .background) ?? .black
        regions = try c.decode([Region].self, forKey: .regions)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encode(background.hex, forKey: .background)
        try c.encode(regions, forKey: .regions)
    }
}

extension Region: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, x, y, width, height, z, background, playlist
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        x = try c.decodeBounded(forKey: .x)
        y = try c.decodeBounded(forKey: .y)
        width = try c.decodeBounded(forKey: .width)
        height = try c.decodeBounded(forKey: .height)
        z = try c.decodeBoundedIfPresent(forKey: .z) ?? 0
        background = try c.decodeColorIfPresent(forKey: .background)
        playlist = try c.decode([PlaylistItem].self, forKey: .playlist)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(x, forKey: .x)
        try c.encode(y, forKey: .y)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encode(z, forKey: .z)
        try c.encodeIfPresent(background?.hex, forKey: .background)
        try c.encode(playlist, forKey: .playlist)
    }
}

extension KeyedDecodingContainer {
    /// An integer within `Layout.integerRange`, so no later arithmetic on it can trap.
    func decodeBounded(forKey key: Key) throws -> Int {
        try Self.bounded(decode(Int.self, forKey: key), key, in: self)
    }

    func decodeBoundedIfPresent(forKey key: Key) throws -> Int? {
        try decodeIfPresent(Int.self, forKey: key).map { try Self.bounded($0, key, in: self) }
    }

    private static func bounded(_ value: Int, _ key: Key, in container: Self) throws -> Int {
        guard Layout.integerRange.contains(value) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container,
                debugDescription: "\(value) is outside \(Layout.integerRange.lowerBound)...\(Layout.integerRange.upperBound)")
        }
        return value
    }
}
