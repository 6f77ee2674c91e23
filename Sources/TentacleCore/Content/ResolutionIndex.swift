public import Foundation

/// Live campaigns indexed by what they target, for resolving many displays at once.
///
/// Gives exactly the answers of `resolve(display:campaigns:alerts:defaults:at:)`, but looks up the
/// campaigns that can reach a display by its id, district, groups and tags, checks areas against
/// their bounding box before the exact test, and evaluates each schedule once per timezone.
public struct ResolutionIndex: Sendable {
    /// In rank order; everything else refers to campaigns by position here.
    let ranked: [LiveCampaign]
    let schedules: [CompiledSchedule]
    let byDisplay: [String: [Int]]
    let byDistrict: [String: [Int]]
    let byGroup: [String: [Int]]
    let byTag: [String: [Int]]
    let areas: [Area]

    struct Area: Sendable {
        let campaign: Int
        let box: BoundingBox
        let target: Target
    }

    public init(campaigns: [LiveCampaign]) {
        ranked = campaigns.filter { !$0.campaign.playlist.isEmpty }.sorted { $0.ranksBefore($1) }
        schedules = ranked.map { CompiledSchedule($0.campaign.schedule) }
        var byDisplay: [String: [Int]] = [:], byDistrict: [String: [Int]] = [:]
        var byGroup: [String: [Int]] = [:], byTag: [String: [Int]] = [:]
        var areas: [Area] = []
        for (i, live) in ranked.enumerated() {
            let target = live.campaign.target
            for id in Set(target.displayIds) { byDisplay[id, default: []].append(i) }
            for code in Set(target.districts) { byDistrict[code, default: []].append(i) }
            for code in Set(target.groups) { byGroup[code, default: []].append(i) }
            for tag in Set(target.tags) { byTag[tag, default: []].append(i) }
            if let polygon = target.polygon, let box = polygon.boundingBox {
                areas.append(Area(campaign: i, box: box, target: Target(polygon: polygon)))
            }
            if let circle = target.circle {
                areas.append(Area(campaign: i, box: circle.boundingBox, target: Target(circle: circle)))
            }
        }
        self.byDisplay = byDisplay
        self.byDistrict = byDistrict
        self.byGroup = byGroup
        self.byTag = byTag
        self.areas = areas
    }

    /// What `display` shows at `at`; the same as `resolve` given the indexed campaigns.
    public func resolve(
        display: Display, alerts: [AlertCandidate] = [], defaults: DefaultLayouts = DefaultLayouts(), at: Date,
        explainUntargeted: Bool = false
    ) -> Resolution {
        var zone = ZoneState(LocalClock.zone(display.timezone), at: at, count: ranked.count)
        var scratch: [Int] = []
        return resolve(display, zone: &zone, scratch: &scratch, alerts: alerts, defaults: defaults, at: at, explainUntargeted: explainUntargeted)
    }

    /// What each display shows at `at`, in the order given.
    public func resolveAll(
        displays: [Display], alerts: [AlertCandidate] = [], defaults: DefaultLayouts = DefaultLayouts(), at: Date,
        explainUntargeted: Bool = false
    ) -> [Resolution] {
        var slots: [String: Int] = [:]
        var zones: [ZoneState] = []
        var scratch: [Int] = []
        return displays.map { display in
            let slot: Int
            if let known = slots[display.timezone] {
                slot = known
            } else {
                slot = zones.count
                slots[display.timezone] = slot
                zones.append(ZoneState(LocalClock.zone(display.timezone), at: at, count: ranked.count))
            }
            return resolve(display, zone: &zones[slot], scratch: &scratch, alerts: alerts, defaults: defaults, at: at, explainUntargeted: explainUntargeted)
        }
    }

    /// One timezone's view of the schedules at one instant, filled in as displays ask for it.
    struct ZoneState {
        let zone: TimeZone
        let local: Int
        var evaluations: [ScheduleEvaluation?]
        var instants: [Int: Double] = [:]

        init(_ zone: TimeZone, at: Date, count: Int) {
            self.zone = zone
            local = LocalClock.seconds(at, zone)
            evaluations = Array(repeating: nil, count: count)
        }

        mutating func evaluation(_ i: Int, _ schedules: [CompiledSchedule]) -> ScheduleEvaluation {
            if let known = evaluations[i] { return known }
            let fresh = schedules[i].evaluate(local: local)
            evaluations[i] = fresh
            return fresh
        }

        mutating func instant(ofLocal local: Int) -> Double {
            if let known = instants[local] { return known }
            let fresh = LocalClock.instant(ofLocal: local, zone)
            instants[local] = fresh
            return fresh
        }
    }

    private func resolve(
        _ display: Display, zone: inout ZoneState, scratch: inout [Int], alerts: [AlertCandidate], defaults: DefaultLayouts,
        at: Date, explainUntargeted: Bool
    ) -> Resolution {
        scratch.removeAll(keepingCapacity: true)
        if let hits = byDisplay[display.id] { scratch += hits }
        if let hits = byDistrict[display.district] { scratch += hits }
        for group in display.groups { if let hits = byGroup[group] { scratch += hits } }
        for tag in display.tags { if let hits = byTag[tag] { scratch += hits } }
        for area in areas where area.box.contains(lat: display.lat, lon: display.lon) && area.target.matches(display) {
            scratch.append(area.campaign)
        }
        scratch.sort()
        let alert = AlertCandidate.winner(of: alerts, for: display, at: at)
        var considered: [(Int, ScheduleEvaluation?)] = []
        if explainUntargeted {
            considered.reserveCapacity(ranked.count)
            var next = 0
            for i in ranked.indices {
                while next < scratch.count && scratch[next] < i { next += 1 }
                let targeted = next < scratch.count && scratch[next] == i
                considered.append((i, targeted ? zone.evaluation(i, schedules) : nil))
            }
        } else {
            considered.reserveCapacity(scratch.count)
            var previous = -1
            for i in scratch where i != previous {
                previous = i
                considered.append((i, zone.evaluation(i, schedules)))
            }
        }
        return Resolution.assemble(
            display: display, at: at, ranked: ranked, considered: considered, alert: alert, defaults: defaults,
            instantOfLocal: { zone.instant(ofLocal: $0) })
    }
}
