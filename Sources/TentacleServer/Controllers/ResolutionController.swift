import Foundation
import Hummingbird
import TentacleCore
import TentacleRender
import TentacleStore

/// What a display shows at an instant and why, its pixel-exact preview, its offline schedule
/// snapshot, and the default layouts behind it all.
struct ResolutionController {
    let env: ServerEnvironment
    let displays: DisplayController
    var library: ContentLibrary { ContentLibrary(store: env.store) }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("displays/:id/now") { request, context in
            let p = try context.user(.readContent)
            let display = try await displays.visibleDisplay(context)
            let at = try QueryParameters(request: request).date("at") ?? env.clock()
            let alerts = env.alerts.candidates(for: display.id).map(\.candidate)
            var resolution = try await library.resolution(of: display, at: at, alerts: alerts)
            if case .only = p.scope {
                // Campaigns that reach this display are on a panel the user may see; the rest of the city's are not theirs to list.
                let visible = Set(try await env.store.liveCampaigns().filter { CampaignWorkflow.visible($0.campaign, to: p) }.map(\.id))
                resolution.candidates.removeAll { $0.outcome == .notTargeted && !visible.contains($0.campaignId) }
            }
            return try JSONBody.response(NowBody(resolution))
        }
        group.get("displays/:id/preview.png") { request, context in
            _ = try context.user(.readContent)
            let display = try await displays.visibleDisplay(context)
            let q = QueryParameters(request: request)
            let alerts = env.alerts.candidates(for: display.id)
            let resolution = try await library.resolution(
                of: display, at: try q.date("at") ?? env.clock(), alerts: alerts.map(\.candidate), explain: false)
            // The display's own latest sensor values feed its live widgets; `data` overrides them for what-ifs.
            let sensed = try await library.latestValues(of: display)
            let data = sensed.merging(try LayoutController.data(q)) { _, override in override }
            let frame = try await library.frame(
                for: resolution, display: display, data: data,
                alertNotices: Dictionary(alerts.map { ($0.candidate.id, $0.notice) }) { first, _ in first })
            return try PreviewImage.response(frame, query: q)
        }
        group.get("displays/:id/snapshot") { request, context in
            _ = try context.user(.readContent)
            let display = try await displays.visibleDisplay(context)
            let from = try QueryParameters(request: request).date("from") ?? env.clock()
            return try JSONBody.response(try await library.snapshot(for: display, from: from))
        }
        group.get("default-layouts") { _, context in
            let p = try context.user(.readContent)
            return try JSONBody.response(try await visible(try await env.store.defaultLayouts(), to: p))
        }
        group.put("default-layouts") { request, context in
            let p = try context.user(.writeContent)
            let requested = try await JSONBody.decode(
                DefaultLayouts.self, from: request, allowedFields: ["byDisplay", "byGroup", "global"], limit: env.configuration.maxBodyBytes)
            let defaults = try await replacing(try await env.store.defaultLayouts(), with: requested, by: p)
            try await env.store.setDefaultLayouts(
                defaults,
                audit: env.audit(
                    p, "defaults.update", "default-layouts", "*",
                    "\(defaults.byDisplay.count) display and \(defaults.byGroup.count) group defaults, global \(defaults.global ?? "none")"))
            return try JSONBody.response(try await visible(defaults, to: p))
        }
    }

    /// The defaults as `p` may see them: a district-scoped user sees display defaults only for their own displays.
    func visible(_ defaults: DefaultLayouts, to p: Principal) async throws -> DefaultLayouts {
        guard case .only = p.scope else { return defaults }
        var shown = defaults
        for id in defaults.byDisplay.keys where try await !inScope(display: id, of: p) { shown.byDisplay[id] = nil }
        return shown
    }

    /// What a PUT by `p` leaves stored. The global default is what every display in the city falls back
    /// to and goes live without review, so only admins change it; group defaults reach displays in any
    /// district, so only users without a district scope change them; a scoped user's display defaults
    /// replace those of their own displays and keep everyone else's, and naming a display outside their
    /// districts answers 404 like any other request for it.
    func replacing(_ current: DefaultLayouts, with requested: DefaultLayouts, by p: Principal) async throws -> DefaultLayouts {
        if requested.global != current.global && p.role != .admin {
            throw APIError(.forbidden, "only admins change the global default, which every display in the city falls back to", field: "global")
        }
        guard case .only = p.scope else { return requested }
        if requested.byGroup != current.byGroup {
            throw APIError(.forbidden, "groups reach displays in every district; only users without a district scope change group defaults", field: "byGroup")
        }
        for id in requested.byDisplay.keys.sorted() where try await !inScope(display: id, of: p) {
            throw APIError(.notFound, "display '\(id)' not found", field: "byDisplay.\(id)")
        }
        var result = requested
        for (id, layout) in current.byDisplay where try await !inScope(display: id, of: p) { result.byDisplay[id] = layout }
        return result
    }

    private func inScope(display id: String, of p: Principal) async throws -> Bool {
        guard let display = try await env.store.display(id: id) else { return false }
        return p.scope.contains(display.district)
    }
}

/// The resolution as the API shows it: flat, named fields instead of enum payloads.
struct NowBody: Encodable {
    struct Playing: Encodable {
        var kind: String
        var campaignId: String?
        var revision: Int?
        var layoutId: String?
        var playlistIndex: Int?
        var secondsIntoItem: Double?
        var alertId: String?
        var defaultFrom: String?
    }

    struct Candidate: Encodable {
        var campaignId: String
        var revision: Int
        var outcome: String
        var detail: String?
    }

    var displayId: String
    var at: Date
    var playing: Playing
    var candidates: [Candidate]

    init(_ r: Resolution) {
        displayId = r.displayId
        at = r.at
        switch r.playing {
        case .alert(let id):
            playing = Playing(kind: "alert", alertId: id)
        case .campaign(let c):
            playing = Playing(
                kind: "campaign", campaignId: c.campaignId, revision: c.revision, layoutId: c.layoutId,
                playlistIndex: c.playlistIndex, secondsIntoItem: c.secondsIntoItem)
        case .defaultLayout(let id, let source):
            playing = Playing(kind: "default", layoutId: id, defaultFrom: source.text)
        case .nothing:
            playing = Playing(kind: "nothing")
        }
        candidates = r.candidates.map { c in
            let (outcome, detail): (String, String?) = switch c.outcome {
            case .won: ("won", nil)
            case .lostToHigherPriority(let by): ("lostToHigherPriority", by)
            case .lostTieBreak(let to): ("lostTieBreak", to)
            case .notTargeted: ("notTargeted", nil)
            case .outsideSchedule(let reason): ("outsideSchedule", reason.rawValue)
            case .preemptedByAlert(let id): ("preemptedByAlert", id)
            }
            return Candidate(campaignId: c.campaignId, revision: c.revision, outcome: outcome, detail: detail)
        }
    }
}

/// Everything a display needs to play the next days offline, versioned by a hash of its content.
struct SnapshotBody: Encodable {
    struct LayoutDocument: Encodable {
        var id: String
        var layout: RawJSON
    }

    /// SHA-256 of the canonical snapshot, the layout documents and the asset hashes.
    var version: String
    var schedule: ScheduleSnapshot
    var layouts: [LayoutDocument]
    var assets: [String]
}

extension ContentLibrary {
    func snapshot(for display: Display, from: Date) async throws -> SnapshotBody {
        let schedule = ScheduleSnapshot.make(
            display: display, campaigns: try await store.liveCampaigns(), defaults: try await store.defaultLayouts(), from: from)
        var layouts: [SnapshotBody.LayoutDocument] = []
        var assets = Set<String>()
        for id in schedule.layoutIds {
            guard let record = try await store.layout(id: id) else { continue }
            layouts.append(.init(id: id, layout: RawJSON(text: record.document)))
            assets.formUnion(Self.assetHashes(of: try Self.decode(record)))
        }
        var canonical = schedule.canonicalJSON()
        for layout in layouts { canonical += Array("\n\(layout.id)\n\(layout.layout.text)".utf8) }
        canonical += Array("\n\(assets.sorted().joined(separator: ","))".utf8)
        return SnapshotBody(version: TextEncoding.sha256Hex(canonical), schedule: schedule, layouts: layouts, assets: assets.sorted())
    }
}
