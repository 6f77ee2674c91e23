import CoreMetrics
import Metrics
import Prometheus
import TentacleCore

/// The server's metrics: swift-metrics instruments on a per-server Prometheus registry, so
/// tests can run many servers in one process without a global bootstrap.
struct ServerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2), .seconds(5),
        ]
        self.factory = factory
    }

    func record(method: String, route: String, status: Int, duration: Duration) {
        Counter(
            label: "tentacle_http_requests_total",
            dimensions: [("method", method), ("route", route), ("status", String(status))],
            factory: factory
        ).increment()
        Metrics.Timer(
            label: "tentacle_http_request_duration_seconds",
            dimensions: [("method", method), ("route", route)],
            factory: factory
        ).recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// Sets a gauge; later issues add their own domain gauges through this.
    func gauge(_ label: String, _ dimensions: [(String, String)], _ value: Double) {
        Gauge(label: label, dimensions: dimensions, factory: factory).record(value)
    }

    func channelOpened() {
        Counter(label: "tentacle_channel_connections_total", factory: factory).increment()
        Meter(label: "tentacle_channel_open", factory: factory).increment()
    }

    func channelClosed() {
        Meter(label: "tentacle_channel_open", factory: factory).decrement()
    }

    /// An event stream (`GET /v1/events`) began or ended sending; open streams are one gauge.
    func eventStreamOpened() {
        Meter(label: "tentacle_event_streams_open", factory: factory).increment()
    }

    func eventStreamClosed() {
        Meter(label: "tentacle_event_streams_open", factory: factory).decrement()
    }

    /// A device message that could not be read or was refused.
    func channelBadMessage() {
        Counter(label: "tentacle_channel_bad_messages_total", factory: factory).increment()
    }

    func exposition() -> String {
        registry.emitToString()
    }
}
