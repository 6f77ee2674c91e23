public import Foundation
public import TentacleCore
import TentacleRender
import TentacleServer
public import TentacleStore

/// Fills an empty store with the fictional demo city and a few demo users.
public enum DemoSeed {
    /// The password of every demo user; the demo listens on loopback only by default.
    public static let password = "tentacle-demo"

    /// Demo users beside `admin`: one per role, and a publisher scoped to one district.
    public static let users: [(username: String, role: Role, districts: [String])] = [
        ("operator", .operator, []),
        ("publisher", .publisher, []),
        ("publisher-north", .publisher, ["north"]),
        ("approver", .approver, []),
        ("alerter", .alerter, []),
        ("viewer", .viewer, []),
    ]

    /// Seeds the city unless the store already has districts; returns whether it seeded.
    @discardableResult
    public static func seedIfEmpty(store: any Storage, bcryptCost: UInt8, clock: @Sendable () -> Date = { Date() }) async throws -> Bool {
        guard try await store.districts().isEmpty else { return false }
        let city = DemoCity.make()
        let system = { (action: String, type: String, id: String, summary: String) in
            AuditEvent(actor: "system", action: action, objectType: type, objectId: id, summary: summary)
        }
        for d in city.districts {
            try await store.createDistrict(d, audit: system("district.create", "district", d.code, "demo city district '\(d.name)'"))
        }
        for g in city.groups {
            try await store.createGroup(g, audit: system("group.create", "group", g.code, "demo city group '\(g.name)'"))
        }
        let now = clock()
        let rows = city.displays.enumerated().map { i, input in
            (row: i + 1, display: Display(creating: input, id: input.id ?? Identifier.generate(prefix: "dsp"), at: now))
        }
        try await store.importDisplays(rows, audit: system("display.import", "display", "*", "demo city: \(rows.count) displays"))
        let hash = try await PasswordHasher(cost: bcryptCost).hash(password)
        var ids: [String: String] = [:]
        for u in users where try await store.credentials(username: u.username) == nil {
            let user = User(id: Identifier.generate(prefix: "usr"), username: u.username, role: u.role, districts: u.districts, createdAt: now)
            try await store.createUser(user, passwordHash: hash, audit: system("user.create", "user", user.id, "demo user \(u.username)"))
            ids[u.username] = user.id
        }
        try await seedContent(store: store, publisher: ids["publisher"] ?? "", approver: ids["approver"] ?? "", now: now)
        return true
    }

    /// How many displays and districts `store` holds, to say what a seeded demo has.
    public static func census(store: any Storage) async throws -> (displays: Int, districts: Int) {
        (try await store.displayCountsByStatus().values.reduce(0, +), try await store.districts().count)
    }

    /// Starter layouts, defaults per group, a live morning campaign and a festival campaign
    /// waiting for approval, so every screen shows something and the approver has work.
    static func seedContent(store: any Storage, publisher: String, approver: String, now: Date) async throws {
        let system = { (action: String, type: String, id: String, summary: String) in
            AuditEvent(actor: "system", action: action, objectType: type, objectId: id, summary: summary)
        }
        var documents = Dictionary(uniqueKeysWithValues: LayoutTemplates.all.map { ($0.id, $0.document) })
        if let bus = documents["bus-stop-192x96"] {
            documents["commute-192x96"] = try retitled(bus, "Morning service: a bus every 4 minutes · 早高峰 每4分钟一班")
        }
        if let pole = documents["pole-128x64"] {
            documents["harbor-festival-128x64"] = try retitled(pole, "Harbor Lantern Festival tonight 19:00 · 港口灯会 今晚七点")
        }
        for (id, document) in documents.sorted(by: { $0.key < $1.key }) {
            let layout = try Layout(json: Data(document.utf8))
            let record = LayoutRecord(
                id: id, name: id, width: layout.width, height: layout.height, document: document,
                createdBy: "system", createdAt: now, updatedAt: now)
            try await store.createLayout(record, audit: system("layout.create", "layout", id, "demo layout"))
        }
        try await store.setDefaultLayouts(
            DefaultLayouts(byGroup: [
                "light-poles": "light-pole-64x32", "bus-stops": "bus-stop-192x96",
                "roadside-boards": "roadside-384x192", "metro-entrances": "pole-128x64",
            ]),
            audit: system("defaults.update", "default-layouts", "*", "demo defaults per group"))
        let commute = Campaign(
            id: "morning-commute", name: "Morning commute", priority: 10,
            schedule: Schedule(daysOfWeek: [1, 2, 3, 4, 5], windows: [TimeWindow(start: TimeOfDay(hour: 7, minute: 0)!, end: TimeOfDay(hour: 9, minute: 30)!)]),
            target: Target(groups: ["bus-stops"]), playlist: [PlaylistEntry(layoutId: "commute-192x96", durationSeconds: 60)])
        try await store.createCampaign(
            CampaignRevision(
                campaignId: commute.id, revision: 1, campaign: commute, author: publisher, createdAt: now, state: .approved,
                approvedBy: approver, approvedAt: now, rejectedBy: nil, rejectedReason: nil),
            audit: system("campaign.create", "campaign", commute.id, "demo campaign, approved"))
        let festival = Campaign(
            id: "harbor-festival", name: "Harbor Lantern Festival", priority: 20,
            schedule: Schedule(windows: [TimeWindow(start: TimeOfDay(hour: 16, minute: 0)!, end: TimeOfDay(hour: 23, minute: 0)!)]),
            target: Target(districts: ["harbor"]), playlist: [PlaylistEntry(layoutId: "harbor-festival-128x64", durationSeconds: 30)])
        try await store.createCampaign(
            CampaignRevision(
                campaignId: festival.id, revision: 1, campaign: festival, author: publisher, createdAt: now, state: .pending,
                approvedBy: nil, approvedAt: nil, rejectedBy: nil, rejectedReason: nil),
            audit: system("campaign.create", "campaign", festival.id, "demo campaign, waiting for approval"))
    }

    /// The template with its first region's marquee or text replaced.
    private static func retitled(_ document: String, _ text: String) throws -> String {
        guard var root = try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any],
              var regions = root["regions"] as? [[String: Any]], var playlist = regions.first?["playlist"] as? [[String: Any]],
              var widget = playlist.first?["widget"] as? [String: Any]
        else { return document }
        widget["text"] = text
        playlist[0]["widget"] = widget
        regions[0]["playlist"] = playlist
        root["regions"] = regions
        return String(decoding: try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys]), as: UTF8.self)
    }
}
