import FluxDispatchCore
import Metrics
import Prometheus
import NIOConcurrencyHelpers

/// The reference service's metric families (same names, same labels), plus our own
/// `flux_dispatch_*` additions, recorded through swift-metrics into a Prometheus registry that
/// belongs to this receiver (no process-global bootstrap, so tests and embedded receivers each
/// have their own).
public final class ReceiverMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    /// Counters already made, by label and dimensions: the hot path (every event) reuses them
    /// instead of asking the factory, and its registry lock, each time.
    private let counters = NIOLockedValueBox<[String: Metrics.Counter]>([:])

    static let dispatchDurationBuckets: [Duration] = [
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = ["flux_dispatch_dispatch_duration_seconds": Self.dispatchDurationBuckets]
        self.factory = factory
        // Families without labels exist from the start, so a scrape before the first event shows them.
        _ = Counter(label: "flux_dispatch_github_auth_errors_total", factory: factory)
        Gauge(label: "flux_dispatch_dedup_entries", factory: factory).record(0)
    }

    public func eventReceived(reason: String) {
        counter("flux_dispatch_events_received_total", [("reason", Self.reasonLabel(reason))])
            .increment()
    }

    public func dispatched(repo: String, eventType: String, reason: String) {
        counter("flux_dispatch_dispatches_total", Self.routeLabels(repo, eventType, reason))
            .increment()
    }

    public func dryRunDispatched(repo: String, eventType: String, reason: String) {
        counter("flux_dispatch_dryrun_dispatches_total", Self.routeLabels(repo, eventType, reason)).increment()
    }

    /// `errorCode` is the HTTP status (`"404"`), `timeout`, `connection` or `auth`.
    public func dispatchError(repo: String, eventType: String, errorCode: String) {
        counter(
            "flux_dispatch_dispatch_errors_total",
            [("repo", repo), ("event_type", Self.bounded(eventType)), ("error_code", errorCode)]
        ).increment()
    }

    public func dedupHit(reason: String) {
        counter("flux_dispatch_dedup_hits_total", [("reason", Self.reasonLabel(reason))])
            .increment()
    }

    public func dedupEntries(_ count: Int) {
        Gauge(label: "flux_dispatch_dedup_entries", factory: factory).record(count)
    }

    public func githubAuthError() {
        counter("flux_dispatch_github_auth_errors_total", []).increment()
    }

    public func dispatchDuration(repo: String, seconds: Double) {
        Timer(label: "flux_dispatch_dispatch_duration_seconds", dimensions: [("repo", repo)], factory: factory)
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    /// Outbox mode: dispatches waiting for delivery, and how long the oldest has waited.
    public func outbox(pending: Int, oldestSeconds: Double) {
        Gauge(label: "flux_dispatch_outbox_pending", factory: factory).record(pending)
        Gauge(label: "flux_dispatch_outbox_oldest_seconds", factory: factory).record(oldestSeconds)
    }

    /// Outbox mode: a failed delivery attempt that will be tried again.
    public func deliveryRetry(repo: String) {
        counter("flux_dispatch_delivery_retries_total", [("repo", repo)]).increment()
    }

    /// Outbox mode: a dispatch given up after `OUTBOX_MAX_AGE`.
    public func outboxDead(repo: String) {
        counter("flux_dispatch_outbox_dead_total", [("repo", repo)]).increment()
    }

    /// Requests refused before they were trusted, by kind (`bad_signature`, `too_large`, `unparseable`).
    public func requestRejected(kind: String) {
        counter("flux_dispatch_requests_rejected_total", [("kind", kind)]).increment()
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> Metrics.Counter {
        var key = label
        for (name, value) in dimensions {
            key += "\u{0}" + name + "\u{0}" + value
        }
        return counters.withLockedValue { cache in
            if let counter = cache[key] { return counter }
            let counter = Metrics.Counter(label: label, dimensions: dimensions, factory: factory)
            cache[key] = counter
            return counter
        }
    }

    /// The Prometheus text exposition of every family.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }

    private static func routeLabels(_ repo: String, _ eventType: String, _ reason: String) -> [(String, String)] {
        [("repo", repo), ("event_type", bounded(eventType)), ("reason", reasonLabel(reason))]
    }

    /// Flux reasons are CamelCase words; anything else (an authenticated but odd sender) is folded
    /// into `other` so a label cannot be used to grow the series count without bound.
    static func reasonLabel(_ reason: String) -> String {
        guard !reason.isEmpty, reason.utf8.count <= 64,
            reason.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) })
        else { return "other" }
        return reason
    }

    static func bounded(_ value: String) -> String {
        value.utf8.count <= 100 ? value : String(value.prefix(100))
    }
}
