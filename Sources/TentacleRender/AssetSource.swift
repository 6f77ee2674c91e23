/// Where the renderer gets image assets: PNG bytes by the lowercase SHA-256 hex of those bytes.
///
/// The server reads them from its store, the agent from its cache; the renderer decodes and
/// caches the scaled result, so a source only needs to hand over bytes.
public protocol AssetSource: Sendable {
    func png(sha256: String) -> [UInt8]?
    /// Whether the asset exists, for validation; sources that can answer without loading should.
    func contains(sha256: String) -> Bool
}

extension AssetSource {
    public func contains(sha256: String) -> Bool { png(sha256: sha256) != nil }
}

/// Assets held in memory, keyed by SHA-256 hex; the empty default serves layouts without images.
public struct InMemoryAssets: AssetSource {
    private let assets: [String: [UInt8]]

    public init(_ assets: [String: [UInt8]] = [:]) {
        self.assets = Dictionary(assets.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    public func png(sha256: String) -> [UInt8]? { assets[sha256.lowercased()] }
}
