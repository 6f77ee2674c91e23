/// What wakes an agent's frame loop. A real player sleeps on its own timer; thousands of
/// simulated displays in one process share one (`SharedPacer`), since a timer per display costs
/// more than the frames they decide.
public protocol FramePacing: Sendable {
    /// Returns at `deadline` or soon after, or at once when the task is cancelled.
    func wait(until deadline: ContinuousClock.Instant) async
}
