import Logging

extension Logger {
    /// A background job's failure, logged as an error with `error` in its metadata. A job cut
    /// short because the server is stopping (its task cancelled, or the store's call cancelled
    /// with it) is not a failure, and goes to the debug log.
    func failure(_ message: @autoclosure () -> Logger.Message, _ error: any Error, metadata: Logger.Metadata = [:]) {
        var metadata = metadata
        metadata["error"] = "\(error)"
        if error is CancellationError || Task.isCancelled {
            debug(message(), metadata: metadata.merging(["stopping": "true"]) { $1 })
        } else {
            self.error(message(), metadata: metadata)
        }
    }
}
