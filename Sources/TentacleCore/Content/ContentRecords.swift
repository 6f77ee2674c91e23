public import Foundation

/// A layout as stored: its JSON document belongs to the renderer; the core knows its id and size.
public struct LayoutRecord: Codable, Hashable, Sendable {
    public var id: String
    public var name: String
    public var width: Int
    public var height: Int
    /// The renderer's layout document, exactly as validated.
    public var document: String
    public var createdBy: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, name: String, width: Int, height: Int, document: String, createdBy: String, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.width = width
        self.height = height
        self.document = document
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// An uploaded image, addressed by the SHA-256 of its bytes.
public struct AssetRecord: Codable, Hashable, Sendable {
    public var sha256: String
    public var width: Int
    public var height: Int
    public var byteCount: Int
    public var uploadedBy: String
    public var uploadedAt: Date

    public init(sha256: String, width: Int, height: Int, byteCount: Int, uploadedBy: String, uploadedAt: Date) {
        self.sha256 = sha256
        self.width = width
        self.height = height
        self.byteCount = byteCount
        self.uploadedBy = uploadedBy
        self.uploadedAt = uploadedAt
    }
}
