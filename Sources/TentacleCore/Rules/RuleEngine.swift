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
/// the readings' own time, and events of one call come in time order; those of one instant in the
/// order the rules first saw their sources, which the same stream always repeats.
public struct RuleEngine: Sendable {
    private struct Key: Hashable, Sendable {
        var rule: String
        var source: String
    }

    private struct Series: Hashable, Sendable {
        var source: String
        var metric: String
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

    /// The state of one rule at one source; slots are kept in an array and found by index, so a
    /// reading costs one dictionary lookup however many rules it feeds.
    private struct Slot: Sendable {
        var key: Key
        var rule: Int
        var alive = true
        /// A window-end deadline of this slot is in the heap (one at a time: when it comes due for
        /// a window that has moved on, it is put back for the open window's end).
        var windowDeadline = false
        var state = SourceState()
    }

    /// A rule's numbers, without its strings, so judging a reading copies no references.
    private struct Params: Sendable {
        var window: Int64
        var function: Rule.Function
        var above: Bool
        var threshold: Double
        var clearThreshold: Double
        var raiseAfter: Int64
        var clearAfter: Int64
        var silence: Int64

        init(_ rule: Rule) {
            window = Int64(rule.windowSeconds) * 1000
            function = rule.function
            above = rule.comparison == .above
            threshold = rule.threshold
            clearThreshold = rule.clearThreshold
            raiseAfter = Int64(rule.forSeconds) * 1000
            clearAfter = Int64(rule.clearForSeconds) * 1000
            silence = Int64(rule.silenceSeconds) * 1000
        }

        func end(of window: Int64) -> Int64 { (window + 1) * self.window }
        func raises(_ value: Double) -> Bool { above ? value > threshold : value < threshold }
        func clears(_ value: Double) -> Bool { above ? value <= clearThreshold : value >= clearThreshold }
    }

    private enum Due: Int, Sendable { case windowEnd = 0, silence = 1 }

    private struct Deadline: Comparable, Sendable {
        var time: Int64
        var due: Due
        var slot: Int
        static func < (a: Deadline, b: Deadline) -> Bool {
            (a.time, a.due.rawValue, a.slot) < (b.time, b.due.rawValue, b.slot)
        }
    }

    private var rules: [Rule] = []
    private var params: [Params] = []
    private var ruleIndex: [String: Int] = [:]
    private var byMetric: [String: [Int]] = [:]
    private var places: [String: SourcePlace] = [:]
    /// The slots of the rules that cover a source for a metric, worked out once per (source, metric).
    private var covering: [Series: [Int]] = [:]
    private var slots: [Slot] = []
    /// The last source's metrics and their slots: readings come in batches of one source, so most
    /// lookups are a few string comparisons instead of a hash of two strings.
    private var recentSource: String?
    private var recentMetrics: [(metric: String, slots: [Int])] = []
    private var slotIndex: [Key: Int] = [:]
    private var raisedSources: [String: Set<String>] = [:]
    private var deadlines = Heap<Deadline>()
    public private(set) var lateReadings = 0

    public init() {}

    /// Replaces the rules. Rules that stay exactly as they were keep their state; a changed or
    /// removed rule starts over (its raised state is dropped without an event).
    public mutating func setRules(_ new: [Rule]) {
        let unique = Dictionary(new.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last }).values.sorted { $0.id < $1.id }
        let kept = Set(unique.filter { ruleIndex[$0.id].map { rules[$0] } == $0 }.map(\.id))
        rules = unique
        params = unique.map(Params.init)
        ruleIndex = Dictionary(uniqueKeysWithValues: unique.enumerated().map { ($1.id, $0) })
        byMetric = Dictionary(grouping: unique.indices, by: { unique[$0].metric })
        covering = [:]
        recentSource = nil
        for i in slots.indices where slots[i].alive {
            if kept.contains(slots[i].key.rule), let index = ruleIndex[slots[i].key.rule] {
                slots[i].rule = index
            } else {
                slots[i].alive = false
                slotIndex[slots[i].key] = nil
            }
        }
        raisedSources = raisedSources.filter { kept.contains($0.key) }
    }

    /// Where a source is; rules see a source's readings only once its place is known.
    public mutating func setPlace(_ place: SourcePlace?, of source: String) {
        guard places[source] != place else { return }
        places[source] = place
        covering = covering.filter { $0.key.source != source }
        recentSource = nil
    }

    /// After a restart: `sources` held `rule` raised when the server stopped. They stay raised
    /// until their readings clear them, or until they are silent for the rule's silence from `time`.
    public mutating func restore(rule id: String, raised sources: Set<String>, at time: Int64) {
        guard let index = ruleIndex[id] else { return }
        for source in sources.sorted() {
            let slot = slot(rule: index, source: source)
            guard !slots[slot].state.raised else { continue }
            slots[slot].state.raised = true
            if slots[slot].state.lastReading == .min {
                slots[slot].state.lastReading = time
                deadlines.push(Deadline(time: time + params[index].silence, due: .silence, slot: slot))
            }
            raisedSources[id, default: []].insert(source)
        }
    }

    /// Rules currently raised and the sources holding each, by rule id.
    public var raised: [String: Set<String>] { raisedSources.filter { !$0.value.isEmpty } }

    /// Takes one reading; returns what changed.
    public mutating func ingest(_ reading: Reading) -> [RuleEvent] {
        guard reading.value.isFinite else { return [] }
        let covered = slotsCovering(source: reading.source, metric: reading.metric)
        guard !covered.isEmpty else { return [] }
        var events: [RuleEvent] = []
        for slot in covered { take(reading, slot: slot, into: &events) }
        return events
    }

    /// Moves time on to `time`: closes the windows that ended by then and starts over the sources
    /// silent for too long; returns what changed, in time order.
    public mutating func advance(to time: Int64) -> [RuleEvent] {
        var events: [RuleEvent] = []
        while let next = deadlines.peek, next.time <= time {
            deadlines.pop()
            let slot = next.slot
            guard slots[slot].alive else { continue }
            let rule = params[slots[slot].rule]
            switch next.due {
            case .windowEnd:
                slots[slot].windowDeadline = false
                guard let window = slots[slot].state.window else { continue }
                let end = rule.end(of: window)
                if end > time {
                    slots[slot].windowDeadline = true
                    deadlines.push(Deadline(time: end, due: .windowEnd, slot: slot))
                    continue
                }
                var state = slots[slot].state
                close(&state, slot: slot, rule: rule, into: &events)
                slots[slot].state = state
            case .silence:
                guard slots[slot].state.lastReading != .min else { continue }
                let silentAt = slots[slot].state.lastReading + rule.silence
                guard silentAt <= time else {
                    // A reading came in since: look again then.
                    deadlines.push(Deadline(time: silentAt, due: .silence, slot: slot))
                    continue
                }
                var state = slots[slot].state
                fallSilent(&state, slot: slot, rule: rule, into: &events)
                slots[slot].state = SourceState()
            }
        }
        return events
    }

    // MARK: - Inside

    private mutating func slot(rule: Int, source: String) -> Int {
        let key = Key(rule: rules[rule].id, source: source)
        if let known = slotIndex[key] { return known }
        slots.append(Slot(key: key, rule: rule))
        slotIndex[key] = slots.count - 1
        return slots.count - 1
    }

    private mutating func slotsCovering(source: String, metric: String) -> [Int] {
        if recentSource == source {
            for entry in recentMetrics where entry.metric == metric { return entry.slots }
        } else {
            recentSource = source
            recentMetrics.removeAll(keepingCapacity: true)
        }
        let key = Series(source: source, metric: metric)
        if let known = covering[key] {
            recentMetrics.append((metric, known))
            return known
        }
        guard let candidates = byMetric[metric], let place = places[source] else { return [] }
        let found = candidates.filter { rules[$0].covers(place) }.map { slot(rule: $0, source: source) }
        covering[key] = found
        recentMetrics.append((metric, found))
        return found
    }

    private mutating func take(_ reading: Reading, slot: Int, into events: inout [RuleEvent]) {
        let rule = params[slots[slot].rule]
        // Worked on as a copy and written back once: the slot array is touched twice, not per field.
        var state = slots[slot].state
        defer { slots[slot].state = state }
        guard reading.time >= state.closedUntil else {
            lateReadings += 1
            return
        }
        if state.lastReading != .min && reading.time >= state.lastReading + rule.silence {
            // Silent since long enough, whether or not time was advanced meanwhile.
            fallSilent(&state, slot: slot, rule: rule, into: &events)
            state = SourceState()
        }
        let length = rule.window
        let window = reading.time >= 0 ? reading.time / length : (reading.time - length + 1) / length
        if let open = state.window {
            if window < open {
                lateReadings += 1
                return
            }
            if window > open { close(&state, slot: slot, rule: rule, into: &events) }
        }
        if state.window == nil {
            state.window = window
            if !slots[slot].windowDeadline {
                slots[slot].windowDeadline = true
                deadlines.push(Deadline(time: rule.end(of: window), due: .windowEnd, slot: slot))
            }
        }
        if state.lastReading == .min {
            deadlines.push(Deadline(time: reading.time + rule.silence, due: .silence, slot: slot))
        }
        state.sum += reading.value
        state.low = min(state.low, reading.value)
        state.high = max(state.high, reading.value)
        state.count += 1
        state.lastReading = max(state.lastReading, reading.time)
    }

    /// The source said nothing for `silenceSeconds`: the window that ended by then closes, the
    /// rest is forgotten, and a source holding the rule raised lets go at that instant.
    private mutating func fallSilent(_ state: inout SourceState, slot: Int, rule: Params, into events: inout [RuleEvent]) {
        let silentAt = state.lastReading + rule.silence
        if let window = state.window, rule.end(of: window) <= silentAt { close(&state, slot: slot, rule: rule, into: &events) }
        state.window = nil
        state.streakStart = nil
        if state.raised {
            state.raised = false
            lower(slots[slot].key, at: silentAt, silent: true, into: &events)
        }
    }

    /// Closes the open window and moves the streak on with its value.
    private mutating func close(_ state: inout SourceState, slot: Int, rule: Params, into events: inout [RuleEvent]) {
        guard let window = state.window, state.count > 0 else { return }
        let value: Double = switch rule.function {
        case .mean: state.sum / Double(state.count)
        case .min: state.low
        case .max: state.high
        }
        let start = window * rule.window, end = rule.end(of: window)
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
        let needed = state.raised ? rule.clearAfter : rule.raiseAfter
        guard end - since >= needed else { return }
        state.streakStart = nil
        state.raised.toggle()
        let key = slots[slot].key
        if state.raised {
            var holding = raisedSources[key.rule] ?? []
            let first = holding.isEmpty
            holding.insert(key.source)
            raisedSources[key.rule] = holding
            events.append(RuleEvent(rule: key.rule, kind: first ? .raised : .sourcesChanged, time: end, source: key.source, sources: holding.sorted(), silent: false))
        } else {
            lower(key, at: end, silent: false, into: &events)
        }
    }

    private mutating func lower(_ key: Key, at time: Int64, silent: Bool, into events: inout [RuleEvent]) {
        var holding = raisedSources[key.rule] ?? []
        guard holding.remove(key.source) != nil else { return }
        raisedSources[key.rule] = holding
        events.append(RuleEvent(rule: key.rule, kind: holding.isEmpty ? .cleared : .sourcesChanged, time: time, source: key.source, sources: holding.sorted(), silent: silent))
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
