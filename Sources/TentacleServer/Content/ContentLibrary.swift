import Foundation
import TentacleCore
import TentacleRender
import TentacleStore

/// Server-side glue between stored content and the renderer: decoding layouts, gathering
/// their assets, resolving what a display shows and rendering it.
struct ContentLibrary: Sendable {
    let store: any Storage

    /// The SHA-256 hashes of every image a layout draws.
    static func assetHashes(of layout: Layout) -> Set<String> {
        var hashes = Set<String>()
        for region in layout.regions {
            for item in region.playlist {
                if case .image(let image) = item.widget { hashes.insert(image.asset.lowercased()) }
            }
        }
        return hashes
    }

    /// Decodes a stored layout document; stored documents were validated, so failure means corruption.
    static func decode(_ record: LayoutRecord) throws -> Layout {
        do {
            return try Layout(json: Data(record.document.utf8))
        } catch {
            throw APIError(.internalError, "stored layout '\(record.id)' cannot be read: \(error)")
        }
    }

    /// The images `hashes` names, as the renderer reads them; missing ones are simply absent.
    func assets(_ hashes: Set<String>) async throws -> InMemoryAssets {
        var bytes: [String: [UInt8]] = [:]
        for sha in hashes {
            if let b = try await store.assetBytes(sha256: sha) { bytes[sha] = b }
        }
        return InMemoryAssets(bytes)
    }

    /// Validates a layout document against the fonts and the stored assets.
    func validatedLayout(_ document: Data) async throws -> Layout {
        let layout: Layout
        do {
            layout = try Layout(json: document)
        } catch {
            // A document that is not an object at all fails at the empty path, which is the field itself.
            let field = error.path.map { $0.isEmpty ? "layout" : "layout.\($0)" } ?? "layout"
            throw APIError(.badRequest, error.description, field: field)
        }
        try JSONBody.rejectUnknownFields(Layout.self, in: document, prefix: "layout")
        let assets = try await assets(Self.assetHashes(of: layout))
        let issues = layout.validate(assets: assets)
        if !issues.isEmpty {
            throw ValidationError(issues.map { issue in
                let place = issue.region.map { "layout.regions[\($0)]." } ?? "layout."
                return FieldIssue(field: place + issue.field, message: issue.message)
            })
        }
        return layout
    }

    /// What `display` shows at `time`, from the live campaigns and default layouts.
    func resolution(of display: Display, at time: Date, alerts: [AlertCandidate] = [], explain: Bool = true) async throws -> Resolution {
        let campaigns = try await store.liveCampaigns()
        let defaults = try await store.defaultLayouts()
        return resolve(display: display, campaigns: campaigns, alerts: alerts, defaults: defaults, at: time, explainUntargeted: explain)
    }

    /// The frame the display's panel shows at `time`: the resolved layout rendered by TentacleRender.
    /// A layout of another size is drawn from the panel's top-left corner, cropped or padded with black,
    /// which is what the player does too.
    func frame(for resolution: Resolution, display: Display, data: [String: Double], alertNotices: [String: String] = [:]) async throws -> Frame {
        let layoutId: String
        switch resolution.playing {
        case .campaign(let playing): layoutId = playing.layoutId
        case .defaultLayout(let id, _): layoutId = id
        case .alert(let id):
            guard let text = alertNotices[id], case .alert(let notice)? = try? ServerMessage.decode(Array(text.utf8)) else {
                return Frame(width: display.width, height: display.height)
            }
            let layout = Layout.alertBanner(
                severity: AlertBannerWidget.Severity(rawValue: notice.severity.rawValue) ?? .unknown,
                texts: notice.texts.map { AlertBannerWidget.Text(language: $0.language, headline: $0.headline, text: $0.instruction ?? "") },
                secondsPerLanguage: notice.rotateSeconds, width: display.width, height: display.height)
            return Renderer().render(layout, at: resolution.at, data: data)
        case .nothing: return Frame(width: display.width, height: display.height)
        }
        guard let record = try await store.layout(id: layoutId) else {
            throw APIError(.conflict, "layout '\(layoutId)' chosen for this display no longer exists")
        }
        let layout = try Self.decode(record)
        let renderer = Renderer(assets: try await assets(Self.assetHashes(of: layout)))
        let frame = renderer.render(layout, at: resolution.at, data: data)
        guard frame.width != display.width || frame.height != display.height else { return frame }
        var panel = Frame(width: display.width, height: display.height)
        panel.blit(frame, x: 0, y: 0)
        return panel
    }

    /// The latest value of every metric the display itself reported, by metric name.
    func latestValues(of display: Display) async throws -> [String: Double] {
        let latest = try await store.latest(LatestQuery(sources: [display.id]))
        return Dictionary(latest.map { ($0.reading.metric, $0.reading.value) }) { first, _ in first }
    }
}
