/// What a display listing asks for: filters, a page size and where the last page ended.
public struct DisplayQuery: Hashable, Sendable {
    public var district: String?
    public var group: String?
    public var tag: String?
    public var status: DisplayStatus?
    public var bbox: BoundingBox?
    /// The id of the last display of the previous page; results start after it.
    public var after: String?
    public var limit: Int
    public var scope: DistrictScope

    public static let defaultLimit = 100
    public static let maxLimit = 1000

    public init(
        district: String? = nil, group: String? = nil, tag: String? = nil, status: DisplayStatus? = nil,
        bbox: BoundingBox? = nil, after: String? = nil, limit: Int = DisplayQuery.defaultLimit, scope: DistrictScope = .all
    ) {
        self.district = district
        self.group = group
        self.tag = tag
        self.status = status
        self.bbox = bbox
        self.after = after
        self.limit = limit
        self.scope = scope
    }
}

/// One page of a listing; `nextCursor` is nil on the last page.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

extension Page: Encodable where Item: Encodable {}
