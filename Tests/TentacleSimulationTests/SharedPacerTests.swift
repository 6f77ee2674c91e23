import TentacleCore
@testable import TentacleSimulation
import Testing

struct SharedPacerTests {
    @Test func aSlotStartsAtOrAfterEveryDeadlineInIt() {
        let pacer = SharedPacer(granularity: .milliseconds(5))
        let base = pacer.start(of: 0)
        for k in Int64(0)..<400 {
            let start = pacer.start(of: k)
            #expect(pacer.slot(of: start) == k)
            #expect(pacer.slot(of: start + .nanoseconds(1)) == k + 1)
            #expect(pacer.slot(of: start - .nanoseconds(1)) == max(0, k))
        }
        #expect(pacer.slot(of: base - .seconds(1)) == 0)
        #expect(pacer.slot(of: base + .microseconds(12_500)) == 3)
    }

    /// Two thousand loops with deadlines all over a third of a second: none wakes early, all wake,
    /// and nothing is left waiting.
    @Test func manyLoopsWakeNoEarlierThanTheirDeadlines() async {
        let pacer = SharedPacer(granularity: .milliseconds(5))
        var rng = SplitMix64(seed: 5)
        let now = ContinuousClock.now
        let deadlines = (0..<2000).map { _ in now + .microseconds(Int64(rng.next() % 300_000)) }
        let early = await withTaskGroup(of: Bool.self) { group in
            for deadline in deadlines {
                group.addTask {
                    await pacer.wait(until: deadline)
                    return ContinuousClock.now < deadline
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(early.count == 2000)
        #expect(!early.contains(true))
        #expect(pacer.waiting == 0)
    }

    /// A loop that comes in with a sooner deadline than the ones waiting is not held to theirs.
    @Test func aSoonerDeadlineIsNotHeldToALaterOne() async {
        let pacer = SharedPacer(granularity: .milliseconds(5))
        let later = Task { await pacer.wait(until: .now + .seconds(30)) }
        try? await Task.sleep(for: .milliseconds(20))
        let start = ContinuousClock.now
        await pacer.wait(until: start + .milliseconds(30))
        #expect(ContinuousClock.now - start < .seconds(10))
        later.cancel()
        await later.value
        #expect(pacer.waiting == 0)
    }

    @Test func aCancelledLoopGoesOnAtOnce() async {
        let pacer = SharedPacer()
        let start = ContinuousClock.now
        let waiting = Task { await pacer.wait(until: .now + .seconds(60)) }
        while pacer.waiting == 0 { await Task.yield() }
        waiting.cancel()
        await waiting.value
        #expect(ContinuousClock.now - start < .seconds(30))
        #expect(pacer.waiting == 0)
        // Already cancelled: no wait at all.
        let cancelled = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await pacer.wait(until: .now + .seconds(60))
        }
        await cancelled.value
        #expect(ContinuousClock.now - start < .seconds(30))
        // A deadline already past returns at once.
        await pacer.wait(until: .now - .seconds(1))
    }
}
