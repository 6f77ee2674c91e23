import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TentacleCore
import TentacleStore

/// City rules at work: every stored reading goes through the `RuleEngine` (incrementally, as it
/// is committed), and what the engine decides is recorded, shown and announced: a raised rule
/// with a layout shows it as a temporary campaign on the displays near its sources, a cleared
/// rule ends it, and a rule with a webhook owes a delivery for each change.
///
/// Only approved rules act. The sources holding a rule raised are stored with it, so a restarted
/// server keeps showing the warning and clears it when the readings say so.
actor RuleService: Service {
    /// How long after a window's end readings for it may still arrive before it is judged.
    static let lateness: Int64 = 5_000

    private let store: any Storage
    private let directory: DisplayDirectory
    private let schedules: SchedulePublisher
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private let inbox: AsyncStream<[Reading]>
    private let input: AsyncStream<[Reading]>.Continuation
    /// Whether any rule is approved; without one, readings are not even handed over.
    private let working = Atomic<Bool>(false)

    private var engine = RuleEngine()
    private var rules: [String: CityRule] = [:]
    private var places: [String: SourcePlace] = [:]
    private var placesReadAt: Date?
    private var loaded = false

    init(store: any Storage, directory: DisplayDirectory, schedules: SchedulePublisher, clock: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.directory = directory
        self.schedules = schedules
        self.clock = clock
        self.logger = logger
        (inbox, input) = AsyncStream.makeStream(of: [Reading].self, bufferingPolicy: .bufferingOldest(100_000))
    }

    /// Readings that were just committed. Never waits: the engine takes them in order on its own task.
    nonisolated func observe(_ batches: [ReadingBatch]) {
        guard working.load(ordering: .relaxed) else { return }
        let readings = batches.flatMap(\.readings)
        guard !readings.isEmpty else { return }
        if case .dropped = input.yield(readings) {
            logger.warning("rules fell behind; readings were stored but not judged", metadata: ["readings": "\(readings.count)"])
        }
    }

    /// Reads the rules again after one was created, changed, approved or deleted. A rule whose
    /// condition changed, or that is no longer approved, starts over and ends what it showed; on
    /// the first read after a start, stored raised sources hold their rules raised again.
    func reload() async throws {
        let stored = try await store.rules()
        let approved = stored.filter { $0.state == .approved }
        let before = rules
        rules = Dictionary(approved.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        engine.setRules(approved.map(\.condition))
        working.store(!approved.isEmpty, ordering: .relaxed)
        for old in before.values.sorted(by: { $0.id < $1.id }) where rules[old.id]?.condition != old.condition {
            await endCampaign(of: old)
            guard stored.contains(where: { $0.id == old.id }) else { continue }
            rules[old.id]?.raisedSources = []
            try await store.recordRuleEvent(
                RuleEventRecord(rule: old.id, kind: "reset", time: Reading.milliseconds(clock()), source: "", sources: [], silent: false), webhook: nil)
        }
        if !loaded {
            for rule in approved where !rule.raisedSources.isEmpty {
                engine.restore(rule: rule.id, raised: Set(rule.raisedSources), at: Reading.milliseconds(clock()))
            }
        }
        loaded = true
    }

    func run() async throws {
        try await reload()
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await readings in self.inbox { await self.take(readings) }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(500))
                    await self.tick()
                }
            }
            try? await gracefulShutdown()
            input.finish()
            group.cancelAll()
        }
    }

    // MARK: - Inside

    func take(_ readings: [Reading]) async {
        await learnPlaces(of: readings.map(\.source))
        var events: [RuleEvent] = []
        for reading in readings { events += engine.ingest(reading) }
        await act(on: events)
    }

    func tick() async {
        await act(on: engine.advance(to: Reading.milliseconds(clock()) - Self.lateness))
    }

    /// Looks up where sources are (displays, then registered sensors); the registry is read again
    /// at most every 10 s, and only when a source is not known yet or a minute has passed.
    private func learnPlaces(of sources: [String]) async {
        let now = clock()
        let stale = placesReadAt.map { now.timeIntervalSince($0) > 60 } ?? true
        let unknown = sources.contains { places[$0] == nil }
        guard stale || (unknown && (placesReadAt.map { now.timeIntervalSince($0) > 10 } ?? true)) else { return }
        placesReadAt = now
        do {
            var fresh: [String: SourcePlace] = [:]
            for display in try await directory.displays(scope: .all) {
                fresh[display.id] = SourcePlace(district: display.district, lat: display.lat, lon: display.lon)
            }
            for sensor in try await store.sensors(scope: .all) where fresh[sensor.id] == nil {
                fresh[sensor.id] = SourcePlace(district: sensor.district, lat: sensor.lat, lon: sensor.lon)
            }
            for (source, place) in fresh where places[source] != place { engine.setPlace(place, of: source) }
            for source in places.keys where fresh[source] == nil { engine.setPlace(nil, of: source) }
            places = fresh
        } catch {
            logger.failure("rules cannot read where sources are", error)
        }
    }

    private func act(on events: [RuleEvent]) async {
        for event in events {
            guard var rule = rules[event.rule] else { continue }
            do {
                let delivery = rule.actions.webhook.map { url in
                    WebhookDelivery(
                        rule: rule.id, url: url, payload: Self.payload(event, rule: rule), createdAt: Reading.milliseconds(clock()),
                        nextAttemptAt: Reading.milliseconds(clock()))
                }
                try await store.recordRuleEvent(RuleEventRecord(event), webhook: delivery)
                rule.raisedSources = event.sources
                if event.kind == .raised { rule.raisedAt = event.time }
                rules[rule.id] = rule
                logger.info("rule \(event.kind.rawValue)", metadata: ["rule": "\(rule.id)", "sources": "\(event.sources)"])
                if event.kind == .cleared { await endCampaign(of: rule) } else { try await showCampaign(of: rule, sources: event.sources) }
            } catch {
                logger.failure("a rule's event could not be recorded or shown", error, metadata: ["rule": "\(rule.id)"])
            }
        }
    }

    /// The displays a raised rule reaches: within the radius of a source holding it, or its area.
    func target(of rule: CityRule, sources: [String]) async throws -> Target {
        guard let radius = rule.actions.radiusMeters else {
            switch rule.condition.area {
            case .districts(let codes): return Target(districts: codes)
            case .circle(let circle): return Target(circle: circle)
            }
        }
        let holders = sources.compactMap { places[$0] }
        let ids = try await directory.displays(scope: .all).filter { display in
            holders.contains { GeoCircle.distanceMeters(lat1: $0.lat, lon1: $0.lon, lat2: display.lat, lon2: display.lon) <= radius }
        }.map(\.id).sorted()
        return Target(displayIds: Array(ids.prefix(Target.maxCodes)))
    }

    private func showCampaign(of rule: CityRule, sources: [String]) async throws {
        guard let layout = rule.actions.layoutId else { return }
        let now = clock()
        let campaign = Campaign(
            id: rule.campaignId, name: "Rule: \(rule.name)", priority: rule.actions.priority, schedule: Schedule(),
            target: try await target(of: rule, sources: sources), playlist: [PlaylistEntry(layoutId: layout, durationSeconds: 10)])
        let history = try await store.campaignHistory(id: campaign.id)
        let revision = CampaignRevision(
            campaignId: campaign.id, revision: history.count + 1, campaign: campaign, author: rule.createdBy, createdAt: now,
            state: .approved, approvedBy: rule.approvedBy, approvedAt: now, rejectedBy: nil, rejectedReason: nil)
        let audit = AuditEvent(
            actor: "rule:\(rule.id)", action: "rule.show", objectType: "campaign", objectId: campaign.id,
            summary: "rule '\(rule.name)' raised by \(sources.joined(separator: ", ")): showing layout '\(layout)' on \(campaign.target.displayIds.count) displays")
        if history.isEmpty {
            try await store.createCampaign(revision, audit: audit)
        } else {
            try await store.addRevision(revision, audit: audit)
        }
        schedules.nudge()
    }

    private func endCampaign(of rule: CityRule) async {
        do {
            guard try await !store.campaignHistory(id: rule.campaignId).isEmpty else { return }
            try await store.deleteCampaign(
                id: rule.campaignId,
                audit: AuditEvent(actor: "rule:\(rule.id)", action: "rule.end", objectType: "campaign", objectId: rule.campaignId, summary: "rule '\(rule.name)' cleared"))
            schedules.nudge()
        } catch {
            logger.failure("a cleared rule's campaign could not be ended", error, metadata: ["rule": "\(rule.id)"])
        }
    }

    /// The JSON a webhook receives.
    static func payload(_ event: RuleEvent, rule: CityRule) -> String {
        struct Body: Encodable {
            var rule: String
            var name: String
            var event: String
            var time: String
            var source: String
            var sources: [String]
            var silent: Bool
            var metric: String
            var threshold: Double
        }
        let body = Body(
            rule: rule.id, name: rule.name, event: event.kind.rawValue, time: ReadingTime.format(event.time) ?? String(event.time), source: event.source,
            sources: event.sources, silent: event.silent, metric: rule.condition.metric, threshold: rule.condition.threshold)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(body)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
