import Foundation
import Synchronization

/// Bundled fonts, loaded lazily and thread-safe; the fallback chain ends in Unifont.
public final class FontLibrary: Sendable {
    /// The font every chain falls back to for glyphs the chosen font lacks.
    public static let fallbackName = "unifont"

    /// The fonts shipped in Fonts/: X11 misc-fixed 5x8, 6x13, 9x18 and GNU Unifont.
    public static let shared = FontLibrary(fonts: Dictionary(uniqueKeysWithValues: ["5x8", "6x13", "9x18", "unifont"].map { name in
        (name, { @Sendable in try BitmapFont(bundled: name) })
    }))

    private let loaders: [String: @Sendable () throws -> BitmapFont]
    /// A loader's result, including failure (nil), so a broken font file is read once, not on every frame.
    private let loaded = Mutex<[String: BitmapFont?]>([:])

    public init(fonts: [String: @Sendable () throws -> BitmapFont]) {
        loaders = fonts
    }

    public var names: [String] { loaders.keys.sorted() }

    /// The font called `name`, loaded on first use; nil when unknown or unreadable.
    public func font(named name: String) -> BitmapFont? {
        loaded.withLock { loaded in
            if let font = loaded[name] { return font }
            guard let load = loaders[name] else { return nil }
            let font = try? load()
            loaded[name] = .some(font)
            return font
        }
    }
}

extension BitmapFont {
    /// Opens a font file shipped in the module's Fonts/ resources.
    convenience init(bundled name: String) throws {
        guard let url = Bundle.module.url(forResource: name, withExtension: "tfnt", subdirectory: "Fonts") else {
            throw FontError.missingResource("\(name).tfnt")
        }
        let packed = try PackedGlyphs(data: Data(contentsOf: url, options: .alwaysMapped))
        self.init(name: name, ascent: packed.ascent, descent: packed.descent, packed: packed)
    }
}
