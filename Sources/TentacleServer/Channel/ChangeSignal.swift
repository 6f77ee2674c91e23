import Hummingbird

/// After every successful write request, tells the schedule publisher to look for changes, so a
/// campaign approved over HTTP reaches the displays it affects within milliseconds.
struct ChangeSignal: RouterMiddleware {
    typealias Context = AppRequestContext
    let schedules: SchedulePublisher

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        if request.method != .get && request.method != .head && (200..<300).contains(response.status.code) {
            schedules.nudge()
        }
        return response
    }
}
