/// Bounds on what the parser accepts, so that a hostile document costs little to refuse.
public struct CAPLimits: Hashable, Sendable {
    /// The largest document, in bytes.
    public var maxBytes: Int
    /// The deepest element nesting, counting `alert` as 1 (CAP itself needs 5; signatures a few more).
    public var maxDepth: Int
    /// The most elements, foreign ones (such as a signature) included.
    public var maxElements: Int
    /// The longest text of one element, or value of one attribute, in UTF-8 bytes.
    public var maxTextBytes: Int

    public init(maxBytes: Int = 1 << 20, maxDepth: Int = 32, maxElements: Int = 10_000, maxTextBytes: Int = 512 * 1024) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxElements = maxElements
        self.maxTextBytes = maxTextBytes
    }

    /// 1 MiB, depth 32, 10,000 elements, 512 KiB of text per element.
    public static let `default` = CAPLimits()

    /// What alert intake accepts: real weather warnings with tens of thousands of polygon points
    /// reach 1.6 MB, so documents up to `maxBytes` (8 MiB unless configured), 50,000 elements, and
    /// one element's text as long as the document.
    public static func intake(maxBytes: Int = 8 << 20) -> CAPLimits {
        CAPLimits(maxBytes: maxBytes, maxElements: 50_000, maxTextBytes: maxBytes)
    }
}
