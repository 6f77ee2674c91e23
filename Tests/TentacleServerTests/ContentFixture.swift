import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TentacleCore
import TentacleRender
@testable import TentacleServer
import TentacleStore
import Testing

/// Content for the content API tests: template layouts, small PNGs, campaign bodies and the
/// shapes of the API's answers.
enum Content {
    /// The document of a shipped starter template, e.g. `pole-128x64`.
    static func template(_ id: String) -> String {
        guard let template = LayoutTemplates.all.first(where: { $0.id == id }) else { fatalError("no template '\(id)'") }
        return template.document
    }

    /// A small PNG whose pixels depend on `seed`, so different seeds give different files.
    static func png(seed: Int, width: Int = 4, height: Int = 3) -> [UInt8] {
        var frame = Frame(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                frame.setPixel(x: x, y: y, RGB(UInt8(truncatingIfNeeded: seed), UInt8(truncatingIfNeeded: x * 40), UInt8(truncatingIfNeeded: y * 60 + seed / 256)))
            }
        }
        return PNG.encode(frame)
    }

    /// A one-region layout showing the image `sha256` over the whole canvas.
    static func imageLayout(sha256: String, width: Int = 128, height: Int = 64) -> String {
        """
        {"version": 1, "width": \(width), "height": \(height), "regions": [
          {"id": "picture", "x": 0, "y": 0, "width": \(width), "height": \(height),
           "playlist": [{"duration": 10, "widget": {"type": "image", "asset": "\(sha256)", "fit": "fill"}}]}]}
        """
    }

    /// The body of `POST /v1/layouts`.
    static func layoutBody(_ id: String, document: String, name: String? = nil) -> String {
        #"{"id": "\#(id)", "name": "\#(name ?? "Layout \(id)")", "layout": \#(document)}"#
    }

    /// The body of `POST /v1/campaigns`; an empty schedule is on all the time.
    static func campaign(
        _ id: String, target: String = #"{"districts": ["north"]}"#, playlist: [(String, Int)] = [("lay-pole", 10)], priority: Int = 100,
        schedule: String = "{}", name: String? = nil
    ) -> String {
        let entries = playlist.map { #"{"layoutId": "\#($0.0)", "durationSeconds": \#($0.1)}"# }.joined(separator: ", ")
        return """
            {"id": "\(id)", "name": "\(name ?? "Campaign \(id)")", "priority": \(priority), "schedule": \(schedule),
             "target": \(target), "playlist": [\(entries)]}
            """
    }

    /// Lowercase hex SHA-256, computed here rather than by the server's own helper.
    static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}

/// A campaign as the API shows it.
struct CampaignView: Decodable {
    var id: String
    var live: CampaignRevision?
    var pending: CampaignRevision?
    var latest: CampaignRevision
    var history: [CampaignRevision]?
}

/// `GET /v1/displays/{id}/now`.
struct NowView: Decodable {
    struct Playing: Decodable {
        var kind: String
        var campaignId: String?
        var revision: Int?
        var layoutId: String?
        var playlistIndex: Int?
        var secondsIntoItem: Double?
        var defaultFrom: String?
    }

    struct Candidate: Decodable, Equatable {
        var campaignId: String
        var revision: Int
        var outcome: String
        var detail: String?
    }

    var displayId: String
    var at: Date
    var playing: Playing
    var candidates: [Candidate]
}

/// `GET /v1/campaigns/{id}/coverage`.
struct CoverageView: Decodable {
    var campaignId: String
    var revision: Int?
    var now: [String]
    var next24h: [String]
}

extension API {
    /// Creates layout `id` through the API, from a starter template unless a document is given.
    @discardableResult
    func createLayout(_ id: String, template: String = "pole-128x64", document: String? = nil, as caller: Caller = .role(.publisher)) async throws -> TestResponse {
        let response = try await send(.post, "/v1/layouts", as: caller, json: Content.layoutBody(id, document: document ?? Content.template(template)))
        #expect(response.status == .created, "layout \(id): \(response.text.prefix(300))")
        return response
    }

    /// Uploads a PNG and returns its hash.
    @discardableResult
    func upload(_ png: [UInt8], as caller: Caller = .role(.publisher)) async throws -> String {
        let response = try await send(.post, "/v1/assets", as: caller, bytes: png, contentType: "image/png")
        #expect(response.status == .created || response.status == .ok, "\(response.text.prefix(300))")
        return try response.decode(AssetRecord.self).sha256
    }

    /// Creates a campaign as a publisher; an approver then puts revision 1 on air.
    @discardableResult
    func publish(_ campaign: String) async throws -> CampaignView {
        let created = try await send(.post, "/v1/campaigns", as: .role(.publisher), json: campaign)
        #expect(created.status == .created, "\(created.text.prefix(300))")
        let id = try created.decode(CampaignView.self).id
        return try await approve(id, revision: 1)
    }

    /// An approver approves `revision` of campaign `id`.
    @discardableResult
    func approve(_ id: String, revision: Int, as caller: Caller = .role(.approver)) async throws -> CampaignView {
        let response = try await send(.post, "/v1/campaigns/\(id)/revisions/\(revision)/approve", as: caller)
        #expect(response.status == .ok, "approve \(id)#\(revision): \(response.text.prefix(300))")
        return try response.decode(CampaignView.self)
    }

    /// A publisher saves a new revision of campaign `id`.
    @discardableResult
    func edit(_ id: String, _ campaign: String, as caller: Caller = .role(.publisher)) async throws -> CampaignView {
        let response = try await send(.put, "/v1/campaigns/\(id)", as: caller, json: campaign)
        #expect(response.status == .ok, "edit \(id): \(response.text.prefix(300))")
        return try response.decode(CampaignView.self)
    }

    /// What a display shows at `at` (an ISO 8601 time), or at the server's clock without it.
    func now(_ display: String, at: String? = nil, as caller: Caller = .role(.viewer)) async throws -> NowView {
        let response = try await send(.get, "/v1/displays/\(display)/now" + (at.map { "?at=\($0)" } ?? ""), as: caller)
        #expect(response.status == .ok, "now \(display): \(response.text.prefix(300))")
        return try response.decode(NowView.self)
    }

    func coverage(_ campaign: String, at: String? = nil) async throws -> CoverageView {
        let response = try await send(.get, "/v1/campaigns/\(campaign)/coverage" + (at.map { "?at=\($0)" } ?? ""), as: .role(.viewer))
        #expect(response.status == .ok, "coverage \(campaign): \(response.text.prefix(300))")
        return try response.decode(CoverageView.self)
    }

    /// The PNG response of `uri` decoded to a frame.
    func frame(_ uri: String) async throws -> Frame {
        let response = try await send(.get, uri, as: .role(.viewer))
        #expect(response.status == .ok, "\(uri): \(response.text.prefix(300))")
        #expect(response.headers[.contentType] == "image/png")
        return try PNG.decode(Array(response.body.readableBytesView))
    }
}

extension Fixture {
    /// Stores a starter-template layout directly, for tests about something else.
    func addLayout(_ id: String, template: String = "pole-128x64") async throws {
        let document = Content.template(template)
        let layout = try Layout(json: Data(document.utf8))
        let record = LayoutRecord(
            id: id, name: id, width: layout.width, height: layout.height, document: document, createdBy: "fixture",
            createdAt: Self.start, updatedAt: Self.start)
        try await store.createLayout(record, audit: Self.event("layout.create", "layout", id))
    }

    /// Stores layout `lay-<id>` and revision 1 of a campaign showing it on `north`, pending, authored by the publisher.
    func addCampaign(_ id: String) async throws {
        let layout = "lay-\(id)"
        try await addLayout(layout)
        let campaign = Campaign(
            id: id, name: id, priority: 100, schedule: Schedule(), target: Target(districts: ["north"]),
            playlist: [PlaylistEntry(layoutId: layout, durationSeconds: 10)])
        let revision = CampaignRevision(campaignId: id, revision: 1, campaign: campaign, author: "usr-publisher", createdAt: Self.start)
        try await store.createCampaign(revision, audit: Self.event("campaign.create", "campaign", id))
    }
}
