import Foundation

/// Content to play: a playlist of layouts, when it plays, where, and how it ranks against others.
public struct Campaign: Codable, Hashable, Sendable {
    public var id: String
    public var name: String
    /// Higher wins when several campaigns are on at once.
    public var priority: Int
    public var schedule: Schedule
    public var target: Target
    public var playlist: [PlaylistEntry]

    public static let priorityRange = 0...1000
    public static let maxPlaylistEntries = 100

    public init(id: String, name: String, priority: Int, schedule: Schedule, target: Target, playlist: [PlaylistEntry]) {
        self.id = id
        self.name = name
        self.priority = priority
        self.schedule = schedule
        self.target = target
        self.playlist = playlist
    }

    /// Every issue with the campaign, each naming its field.
    public func issues() -> [FieldIssue] {
        var c = IssueCollector()
        if !Identifier.isValid(id) { c.add("id", "'\(id.prefix(80))' is not a valid id: \(Identifier.rule)") }
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            c.add("name", "must not be empty")
        } else if name.count > 120 {
            c.add("name", "at most 120 characters allowed")
        }
        if !Self.priorityRange.contains(priority) {
            c.add("priority", "\(priority) is out of range \(Self.priorityRange.lowerBound)...\(Self.priorityRange.upperBound)")
        }
        c.merge(schedule.issues(field: "schedule"))
        if target.isEmpty { c.add("target", "must name at least one display, group, tag, district, polygon or circle") }
        c.merge(target.issues(field: "target"))
        if playlist.isEmpty { c.add("playlist", "must hold at least one entry") }
        if playlist.count > Self.maxPlaylistEntries { c.add("playlist", "at most \(Self.maxPlaylistEntries) entries allowed") }
        for (i, entry) in playlist.enumerated() {
            if !Identifier.isValid(entry.layoutId) {
                c.add("playlist[\(i)].layoutId", "'\(entry.layoutId.prefix(80))' is not a valid id: \(Identifier.rule)")
            }
            if !PlaylistEntry.durationRange.contains(entry.durationSeconds) {
                c.add("playlist[\(i)].durationSeconds", "\(entry.durationSeconds) is out of range 1...86400 seconds")
            }
        }
        return c.issues
    }
}

/// One layout in a campaign's playlist and how long it stays on.
public struct PlaylistEntry: Codable, Hashable, Sendable {
    public var layoutId: String
    public var durationSeconds: Int

    public static let durationRange = 1...86_400

    public init(layoutId: String, durationSeconds: Int) {
        self.layoutId = layoutId
        self.durationSeconds = durationSeconds
    }
}
