public import Foundation

/// What a display shows at an instant, and why each campaign did or did not win.
public struct Resolution: Codable, Hashable, Sendable {
    public var displayId: String
    public var at: Date
    public var playing: Playing
    /// Campaigns considered, in rank order (the winner, if any, comes first among the active ones).
    public var candidates: [Candidate]

    public init(displayId: String, at: Date, playing: Playing, candidates: [Candidate]) {
        self.displayId = displayId
        self.at = at
        self.playing = playing
        self.candidates = candidates
    }
}

/// The content on a display's panel.
public enum Playing: Codable, Hashable, Sendable {
    case alert(id: String)
    case campaign(PlayingCampaign)
    case defaultLayout(layoutId: String, source: DefaultLayoutSource)
    case nothing
}

/// The campaign on air and where its playlist stands.
public struct PlayingCampaign: Codable, Hashable, Sendable {
    public var campaignId: String
    public var revision: Int
    public var layoutId: String
    public var playlistIndex: Int
    public var secondsIntoItem: Double

    public init(campaignId: String, revision: Int, layoutId: String, playlistIndex: Int, secondsIntoItem: Double) {
        self.campaignId = campaignId
        self.revision = revision
        self.layoutId = layoutId
        self.playlistIndex = playlistIndex
        self.secondsIntoItem = secondsIntoItem
    }
}

/// One campaign's part in a resolution.
public struct Candidate: Codable, Hashable, Sendable {
    public var campaignId: String
    public var revision: Int
    public var outcome: CandidateOutcome

    public init(campaignId: String, revision: Int, outcome: CandidateOutcome) {
        self.campaignId = campaignId
        self.revision = revision
        self.outcome = outcome
    }
}

/// Why a campaign is or is not on a display.
public enum CandidateOutcome: Codable, Hashable, Sendable {
    case won
    /// On, but the named campaign has a higher priority.
    case lostToHigherPriority(by: String)
    /// On with the winner's priority; the winner was approved more recently or has the smaller id.
    case lostTieBreak(to: String)
    case notTargeted
    case outsideSchedule(InactiveReason)
    /// On, but the named alert has the panel.
    case preemptedByAlert(String)
}

/// What `display` shows at `at`: an active alert covering it, else the highest-ranked campaign
/// that targets it and is on, else its default layout, else nothing.
///
/// Campaigns rank by priority (higher first), then by approval time (the most recently approved
/// revision first), then by campaign id (smaller first). Campaigns that do not target the display
/// are listed as candidates only when `explainUntargeted` is set, since most of a city's campaigns
/// are elsewhere.
public func resolve(
    display: Display, campaigns: [LiveCampaign], alerts: [AlertCandidate] = [], defaults: DefaultLayouts = DefaultLayouts(),
    at: Date, explainUntargeted: Bool = false
) -> Resolution {
    let zone = LocalClock.zone(display.timezone)
    let local = LocalClock.seconds(at, zone)
    let ranked = campaigns
        .filter { !$0.campaign.playlist.isEmpty && (explainUntargeted || $0.campaign.target.matches(display)) }
        .sorted { $0.ranksBefore($1) }
    let considered = ranked.indices.map { i -> (Int, ScheduleEvaluation?) in
        let targeted = !explainUntargeted || ranked[i].campaign.target.matches(display)
        return (i, targeted ? CompiledSchedule(ranked[i].campaign.schedule).evaluate(local: local) : nil)
    }
    return Resolution.assemble(
        display: display, at: at, ranked: ranked, considered: considered,
        alert: AlertCandidate.winner(of: alerts, for: display, at: at), defaults: defaults,
        instantOfLocal: { LocalClock.instant(ofLocal: $0, zone) })
}

extension LiveCampaign {
    /// The documented campaign order: priority, then latest approval, then smaller id.
    func ranksBefore(_ other: LiveCampaign) -> Bool {
        if campaign.priority != other.campaign.priority { return campaign.priority > other.campaign.priority }
        if approvedAt != other.approvedAt { return approvedAt > other.approvedAt }
        if id != other.id { return id < other.id }
        return revision > other.revision
    }
}

extension Resolution {
    /// The one place outcomes are decided, shared by `resolve` and `ResolutionIndex` so they agree.
    /// `considered` points into `ranked` in rank order; a nil evaluation means the campaign does
    /// not target the display. Indices rather than campaigns keep large values from being copied.
    static func assemble(
        display: Display, at: Date, ranked: [LiveCampaign], considered: [(Int, ScheduleEvaluation?)], alert: AlertCandidate?,
        defaults: DefaultLayouts, instantOfLocal: (Int) -> Double
    ) -> Resolution {
        var candidates: [Candidate] = []
        candidates.reserveCapacity(considered.count)
        var winner: (index: Int, start: Int)?
        for (i, evaluation) in considered {
            let outcome: CandidateOutcome
            switch evaluation {
            case nil:
                outcome = .notTargeted
            case .inactive(let reason):
                outcome = .outsideSchedule(reason)
            case .active(let start):
                if let alert {
                    outcome = .preemptedByAlert(alert.id)
                } else if let winner {
                    let top = ranked[winner.index]
                    outcome = top.campaign.priority > ranked[i].campaign.priority ? .lostToHigherPriority(by: top.id) : .lostTieBreak(to: top.id)
                } else {
                    winner = (i, start)
                    outcome = .won
                }
            }
            candidates.append(Candidate(campaignId: ranked[i].id, revision: ranked[i].revision, outcome: outcome))
        }
        let playing: Playing
        if let alert {
            playing = .alert(id: alert.id)
        } else if let winner {
            let live = ranked[winner.index]
            let elapsed = at.timeIntervalSince1970 - instantOfLocal(winner.start)
            let position = PlaylistPosition(playlist: live.campaign.playlist, elapsed: elapsed)
            playing = .campaign(
                PlayingCampaign(
                    campaignId: live.id, revision: live.revision, layoutId: live.campaign.playlist[position.index].layoutId,
                    playlistIndex: position.index, secondsIntoItem: position.secondsIntoItem))
        } else if let fallback = defaults.layout(for: display) {
            playing = .defaultLayout(layoutId: fallback.layoutId, source: fallback.source)
        } else {
            playing = .nothing
        }
        return Resolution(displayId: display.id, at: at, playing: playing, candidates: candidates)
    }
}

/// Where a playlist stands a given time after its window occurrence opened.
///
/// The playlist starts at its first entry when the occurrence starts and cycles through the
/// entries by their durations for as long as the occurrence lasts.
public struct PlaylistPosition: Hashable, Sendable {
    public var index: Int
    public var secondsIntoItem: Double

    /// `playlist` must not be empty; durations below one second count as one.
    public init(playlist: [PlaylistEntry], elapsed: Double) {
        let durations = playlist.map { Double(max(1, $0.durationSeconds)) }
        let cycle = durations.reduce(0, +)
        var into = elapsed - (elapsed / cycle).rounded(.down) * cycle
        var index = 0
        while index < durations.count - 1 && into >= durations[index] {
            into -= durations[index]
            index += 1
        }
        self.index = index
        secondsIntoItem = into
    }
}
