/// A change in a rule's state, at an instant of the readings' own time (ms since 1970).
public struct RuleEvent: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        /// The first source in the area held the condition long enough.
        case raised
        /// Another source joined or one left, and the rule stays raised.
        case sourcesChanged
        /// The last source stopped holding it (recovered, or went silent).
        case cleared
    }

    public var rule: String
    public var kind: Kind
    public var time: Int64
    /// The source whose window (or silence) caused the change.
    public var source: String
    /// Every source holding the rule raised after the change, sorted.
    public var sources: [String]
    /// The source's change came from its silence rather than from a reading.
    public var silent: Bool

    public var description: String { "\(rule) \(kind.rawValue) at \(time) by \(source)\(silent ? " (silent)" : "") → \(sources)" }
}

/// Evaluates rules incrementally as readings arrive, never by scanning stored data.
///
/// Per rule and source it keeps the open window's running value and the streak of windows that
/// hold the condition (or, once raised, the clearing condition). A window closes when a reading of
/// a later window arrives for its source, or when `advance(to:)` passes its end; the caller
/// advances to its clock minus the lateness it allows. Readings older than the open window are
/// late and leave the rules alone (they are still stored). Windows without readings neither break
/// nor extend a streak; a source silent for `silenceSeconds` starts over, as described on `Rule`.
///
/// The same readings and advances in the same order always give the same events: everything is
/// the readings' own time, and events of one call come in time order, then rule id, then source.
public struct RuleEngine: Sendable {
    private struct Key: Hashable, Sendable {
        var rule: String
        var source: String
    }

    private struct SourceState: Sendable {
        /// The open window's index (start = index × window), or nil when none is open.
        var window: Int64?
        var sum = 0.0
        var low = Double.infinity
        var high = -Double.infinity
        var count = 0
        /// Readings before this instant are late: their window has closed.
        var closedUntil = Int64.min
        /// The start of the first window of the current streak.
        var streakStart: Int64?
        var raised = false
        var lastReading = Int64.min
    }

    private enum Due: Int, Sendable { case windowEnd = 0, silence = 1 }

    private struct Deadline: Comparable, Sendable {
        var time: Int64
        var due: Due
        var key: Key
        static func < (a: Deadline, b: Deadline) -> Bool {
            (a.time, a.due.rawValue, a.key.rule, a.key.source) < (b.time, b.due.rawValue, b.key.rule, b.key.source)
        }
    }

    private var rules: [String: Rule] = [:]
    private var byMetric: [String: [String]] = [:]
    private var places: [String: SourcePlace] = [:]
    /// Rules that cover a source for a metric, worked out once per (source, metric).
    private var covering: [Key: [String]] = [:]
    private var states: [Key: SourceState] = [:]
    private var raisedSources: [String: Set<String>] = [:]
    private var deadlines = Heap<Deadline>()
    public private(set) var lateReadings = 0

    public init() {}

    /// Replaces the rules. Rules that stay exactly as they were keep their state; a changed or
    /// removed rule starts over (its raised state is dropped without an event).
    public mutating func setRules(_ new: [Rule]) {
        let kept = Set(new.filter { rules[$0.id] == $0 }.map(\.id))
        rules = Dictionary(new.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        byMetric = Dictionary(grouping: rules.values.sorted { $0.id < $1.id }.map { ($0.metric, $0.id) }, by: \.0).mapValues { $0.map(\.1) }
        covering = [:]
        states = states.filter { kept.contains($0.key.rule) }
        raisedSources = raisedSources.filter { kept.contains($0.key) }
    }

    /// Where a source is; rules see a source's readings only once its place is known.
    public mutating func setPlace(_ place: SourcePlace?, of source: String) {
        guard places[source] != place else { return }
        places[source] = place
        covering = covering.filter { $0.key.source != source }
    }

    /// After a restart: `sources` held `rule` raised when the server stopped. They stay raised
    /// until their readings clear them, or until they are silent for the rule's silence from `time`.
    public mutating func restore(rule id: String, raised sources: Set<String>, at time: Int64) {
        guard let rule = rules[id] else { return }
        for source in sources.sorted() {
            let key = Key(rule: id, source: source)
            var state = states[key] ?? SourceState()
            guard !state.raised else { continue }
            state.raised = true
            if state.lastReading == .min {
                state.lastReading = time
                deadlines.push(Deadline(time: time + Int64(rule.silenceSeconds) * 1000, due: .silence, key: key))
            }
            states[key] = state
            raisedSources[id, default: []].insert(source)
        }
    }

    /// Rules currently raised and the sources holding each, by rule id.
    public var raised: [String: Set<String>] { raisedSources.filter { !$0.value.isEmpty } }

    /// Takes one reading; returns what changed.
    public mutating func ingest(_ reading: Reading) -> [RuleEvent] {
        guard byMetric[reading.metric] != nil, reading.value.isFinite else { return [] }
        var events: [RuleEvent] = []
        for id in rulesCovering(source: reading.source, metric: reading.metric) {
            guard let rule = rules[id] else { continue }
            take(reading, rule: rule, into: &events)
        }
        return events
    }

    /// Moves time on to `time`: closes the windows that ended by then and starts over the sources
    /// silent for too long; returns what changed, in time order.
    public mutating func advance(to time: Int64) -> [RuleEvent] {
        var events: [RuleEvent] = []
        while let next = deadlines.peek, next.time <= time {
            deadlines.pop()
            guard let rule = rules[next.key.rule], var state = states[next.key] else { continue }
            switch next.due {
            case .windowEnd:
                guard let window = state.window, end(of: window, rule) == next.time else { continue }
                close(&state, rule: rule, key: next.key, into: &events)
                states[next.key] = state
            case .silence:
                let silentAt = state.lastReading + Int64(rule.silenceSeconds) * 1000
                guard silentAt <= time else {
                    // A reading came in since: look again then.
                    deadlines.push(Deadline(time: silentAt, due: .silence, key: next.key))
                    continue
                }
                fallSilent(&state, rule: rule, key: next.key, into: &events)
                states[next.key] = nil
            }
        }
        return events
    }

    // MARK: - Inside

    private mutating func rulesCovering(source: String, metric: String) -> [String] {
        let key = Key(rule: metric, source: source)
        if let known = covering[key] { return known }
        guard let place = places[source] else { return [] }
        let found = (byMetric[metric] ?? []).filter { rules[$0]?.covers(place) == true }
        covering[key] = found
        return found
    }

    private func windowLength(_ rule: Rule) -> Int64 { Int64(rule.windowSeconds) * 1000 }

    private func end(of window: Int64, _ rule: Rule) -> Int64 { (window + 1) * windowLength(rule) }

    private mutating func take(_ reading: Reading, rule: Rule, into events: inout [RuleEvent]) {
        let key = Key(rule: rule.id, source: reading.source)
        var state = states[key] ?? SourceState()
        guard reading.time >= state.closedUntil else {
            lateReadings += 1
            return
        }
        if state.lastReading != .min && reading.time >= state.lastReading + Int64(rule.silenceSeconds) * 1000 {
            // Silent since long enough, whether or not time was advanced meanwhile.
            fallSilent(&state, rule: rule, key: key, into: &events)
            state = SourceState()
        }
        let length = windowLength(rule)
        let window = reading.time >= 0 ? reading.time / length : (reading.time - length + 1) / length
        if let open = state.window, window < open {
            lateReadings += 1
            return
        }
        if let open = state.window, window > open { close(&state, rule: rule, key: key, into: &events) }
        if state.window == nil {
            state.window = window
            deadlines.push(Deadline(time: end(of: window, rule), due: .windowEnd, key: key))
        }
        if state.lastReading == .min {
            deadlines.push(Deadline(time: reading.time + Int64(rule.silenceSeconds) * 1000, due: .silence, key: key))
        }
        state.sum += reading.value
        state.low = min(state.low, reading.value)
        state.high = max(state.high, reading.value)
        state.count += 1
        state.lastReading = max(state.lastReading, reading.time)
        states[key] = state
    }

    /// The source said nothing for `silenceSeconds`: the window that ended by then closes, the
    /// rest is forgotten, and a source holding the rule raised lets go at that instant.
    private mutating func fallSilent(_ state: inout SourceState, rule: Rule, key: Key, into events: inout [RuleEvent]) {
        let silentAt = state.lastReading + Int64(rule.silenceSeconds) * 1000
        if let window = state.window, end(of: window, rule) <= silentAt { close(&state, rule: rule, key: key, into: &events) }
        state.window = nil
        state.streakStart = nil
        if state.raised {
            state.raised = false
            lower(key, rule: rule, at: silentAt, silent: true, into: &events)
        }
    }

    /// Closes the open window and moves the streak on with its value.
    private mutating func close(_ state: inout SourceState, rule: Rule, key: Key, into events: inout [RuleEvent]) {
        guard let window = state.window, state.count > 0 else { return }
        let value: Double = switch rule.function {
        case .mean: state.sum / Double(state.count)
        case .min: state.low
        case .max: state.high
        }
        let start = window * windowLength(rule), end = end(of: window, rule)
        state.window = nil
        state.sum = 0
        state.low = .infinity
        state.high = -.infinity
        state.count = 0
        state.closedUntil = end
        let holds = state.raised ? rule.clears(value) : rule.raises(value)
        guard holds else {
            state.streakStart = nil
            return
        }
        let since = state.streakStart ?? start
        state.streakStart = since
        let needed = Int64(state.raised ? rule.clearForSeconds : rule.forSeconds) * 1000
        guard end - since >= needed else { return }
        state.streakStart = nil
        state.raised.toggle()
        if state.raised {
            var holding = raisedSources[rule.id] ?? []
            let first = holding.isEmpty
            holding.insert(key.source)
            raisedSources[rule.id] = holding
            events.append(RuleEvent(rule: rule.id, kind: first ? .raised : .sourcesChanged, time: end, source: key.source, sources: holding.sorted(), silent: false))
        } else {
            lower(key, rule: rule, at: end, silent: false, into: &events)
        }
    }

    private mutating func lower(_ key: Key, rule: Rule, at time: Int64, silent: Bool, into events: inout [RuleEvent]) {
        var holding = raisedSources[rule.id] ?? []
        guard holding.remove(key.source) != nil else { return }
        raisedSources[rule.id] = holding
        events.append(RuleEvent(rule: rule.id, kind: holding.isEmpty ? .cleared : .sourcesChanged, time: time, source: key.source, sources: holding.sorted(), silent: silent))
    }
}

/// A binary min-heap.
struct Heap<Element: Comparable & Sendable>: Sendable {
    private var items: [Element] = []

    var peek: Element? { items.first }
    var count: Int { items.count }

    mutating func push(_ item: Element) {
        items.append(item)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i] < items[parent] else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    @discardableResult
    mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < items.count && items[l] < items[smallest] { smallest = l }
            if r < items.count && items[r] < items[smallest] { smallest = r }
            if smallest == i { break }
            items.swapAt(i, smallest)
            i = smallest
        }
        return top
    }
}
