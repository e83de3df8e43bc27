import FluxDispatchDashboard
import FluxDispatchStore

/// Fixed data for the snapshot and state tests: 2026-05-01 14:05:30 UTC.
enum Fixtures {
    static let now: EpochMilliseconds = 1_777_644_330_000
    static let minute: EpochMilliseconds = 60_000

    static func info(dryRun: Bool = false, token: String = "valid") -> ReceiverInfo {
        ReceiverInfo(
            id: 1, host: "ops-box", pid: 4242, listenAddress: "0.0.0.0:8080", metricsAddress: "127.0.0.1:9090", mode: "embedded",
            deliveryMode: "dispatch", dryRun: dryRun, version: "1.0.0", startedAt: now - 3_600_000, lastBeatAt: now - 2_000,
            tokenState: dryRun ? "dry run: no GitHub App in use" : token)
    }

    static func entry(
        _ id: Int64, secondsAgo: Int64, product: String, env: String = "prod", outcome: String, status: Int? = nil,
        reason: String = "ReconciliationSucceeded", reasonClass: String = "success", type: String = "flux-deploy-succeeded",
        ms: Double = 84, detail: String = ""
    ) -> FeedEntry {
        FeedEntry(
            id: id, receivedAt: now - secondsAgo * 1000, product: product, environment: env, reason: reason, reasonClass: reasonClass,
            dispatchRepo: "acme/\(product)", eventType: type, outcome: outcome, githubStatus: status, durationMilliseconds: ms,
            commitSHA: "9f2c1e4b7a0d3c5e6f708192a3b4c5d6e7f80912", detail: detail)
    }

    /// One row per outcome kind, newest first.
    static let feedEveryOutcome: [FeedEntry] = [
        entry(112, secondsAgo: 5, product: "checkout", outcome: "dispatched", status: 204, ms: 142),
        entry(111, secondsAgo: 9, product: "checkout", env: "staging", outcome: "dry_run", ms: 3),
        entry(110, secondsAgo: 14, product: "search", outcome: "duplicate", ms: 1),
        entry(109, secondsAgo: 21, product: "billing", outcome: "dispatch_rejected", status: 404, reason: "ReconciliationFailed",
              reasonClass: "failure", type: "flux-deploy-failed", ms: 233, detail: "Not Found: repository acme/billing"),
        entry(108, secondsAgo: 40, product: "payments-gateway-eu", env: "production", outcome: "dispatch_unavailable", status: 503,
              ms: 10_012, detail: "GitHub unavailable after 3 attempts"),
        entry(107, secondsAgo: 75, product: "ledger", outcome: "github_auth_failed", ms: 410, detail: "installation token: 401 Bad credentials"),
        entry(106, secondsAgo: 130, product: "search", outcome: "ignored_reason", reason: "Progressing", reasonClass: "ignored", type: "", ms: 0.4),
        entry(105, secondsAgo: 200, product: "web", outcome: "reason_not_routed", reason: "HealthCheckFailed", reasonClass: "failure", type: "", ms: 0.3),
        entry(104, secondsAgo: 400, product: "", env: "", outcome: "invalid_payload", reason: "", reasonClass: "ignored", type: "", ms: 0.2,
              detail: "involvedObject.kind is missing"),
        entry(103, secondsAgo: 3_700, product: "web", env: "dev", outcome: "missing_dispatch_repo", ms: 0.2),
    ]

    static let reconciliationCallout = Callout(
        product: "checkout", environment: "prod", kind: .reconciliation, what: "ReconciliationFailed",
        message: "kustomize build failed: accumulating resources: accumulation err='accumulating resources from './overlays/prod'",
        since: now - 25 * minute, lastAt: now - 3 * minute, count: 4, eventID: 98)

    static let dispatchCallout = Callout(
        product: "billing", environment: "prod", kind: .dispatch, what: "GitHub 404", message: "Not Found",
        since: now - 90 * minute, lastAt: now - 21_000, count: 12, eventID: 109, dispatchRepo: "acme/billing",
        eventType: "flux-deploy-failed")

    static let dedup: [DedupHitSummary] = [
        DedupHitSummary(product: "search", environment: "prod", reason: "ReconciliationSucceeded", count: 37, lastAt: now - 14_000),
        DedupHitSummary(product: "checkout", environment: "staging", reason: "ReconciliationSucceeded", count: 3, lastAt: now - 50 * minute),
    ]

    static func snapshot(
        receiver: DashboardSnapshot.ReceiverState = .embedded(listen: "0.0.0.0:8080"), info: ReceiverInfo? = Fixtures.info(),
        callouts: [Callout] = [], hidden: [Callout] = [], feed: [FeedEntry] = [], dedup: [DedupHitSummary] = [],
        detail: EventDetail? = nil, lastEventAt: EpochMilliseconds? = nil, outbox: OutboxSummary = OutboxSummary()
    ) -> DashboardSnapshot {
        DashboardSnapshot(
            now: now, host: "ops-box", operatorName: "alice", receiver: receiver, receiverInfo: info,
            lastMinute: ActivitySummary(events: feed.isEmpty ? 0 : 7, delivered: 3),
            lastHour: feed.isEmpty ? ActivitySummary() : ActivitySummary(events: 412, delivered: 389, dispatchFailed: 6, duplicates: 17),
            lastEventAt: lastEventAt ?? feed.first?.receivedAt, callouts: callouts, hiddenCallouts: hidden, feed: feed, dedupHits: dedup,
            detail: detail, outbox: outbox)
    }

    static var live: DashboardSnapshot {
        snapshot(callouts: [dispatchCallout, reconciliationCallout], feed: feedEveryOutcome, dedup: dedup)
    }

    static let detail = EventDetail(
        entry: feedEveryOutcome[3], sourceAddress: "10.42.0.17", severity: "error",
        message: "Health check failed after 5m0s: timeout waiting for: [Deployment/billing/billing-api status: 'InProgress']",
        objectKind: "Kustomization", objectName: "billing", objectNamespace: "flux-system",
        revision: "main@sha1:9f2c1e4b7a0d3c5e6f708192a3b4c5d6e7f80912", dedupKey: nil, httpStatus: 200,
        body: #"{"involvedObject":{"kind":"Kustomization","namespace":"flux-system","name":"billing"},"severity":"error","timestamp":"2026-05-01T14:05:09Z","message":"Health check failed after 5m0s","reason":"ReconciliationFailed","metadata":{"revision":"main@sha1:9f2c1e4b","summary":"prod"},"reportingController":"kustomize-controller"}"#,
        payload: #"{"event_type":"flux-deploy-failed","client_payload":{"product":"billing","env":"prod","reason":"ReconciliationFailed"}}"#,
        attempts: [
            DispatchAttempt(startedAt: now - 21_500, request: .installationToken, status: 201, durationMilliseconds: 120, error: nil),
            DispatchAttempt(startedAt: now - 21_300, request: .dispatch, status: 404, durationMilliseconds: 98, error: "Not Found"),
        ])

    /// Outbox mode with GitHub failing for one repository: a queue, a paused repository, a dead dispatch.
    static let pausedCircuit = DeliveryCircuit(
        dispatchRepo: "acme/payments", consecutiveFailures: 9, openedAt: now - 6 * minute, probeAt: now + 90_000,
        lastError: "GitHub answered 503: Service Unavailable", lastFailureAt: now - 30_000)

    static let outbox = OutboxSummary(
        pending: 14, retrying: 3, oldestQueuedAt: now - 7 * minute, dead: 2, rejected: 1,
        paused: [PausedRepository(circuit: pausedCircuit, pending: 11)])

    static let pausedCallout = Callout(
        product: "payments", environment: "prod", kind: .paused, what: "queue paused",
        message: "11 dispatches wait for acme/payments; GitHub answered 503: Service Unavailable", since: now - 6 * minute,
        lastAt: now - 30_000, count: 9, eventID: 131, dispatchRepo: "acme/payments", eventType: "flux-deploy")

    static var queuedDetail: EventDetail {
        var detail = Fixtures.detail
        detail.entry = entry(
            131, secondsAgo: 420, product: "payments", outcome: "queued", status: 503, type: "flux-deploy", ms: 2,
            detail: "attempt 9 failed: GitHub answered 503: Service Unavailable; next attempt in 5m0s")
        detail.attempts = [
            DispatchAttempt(startedAt: now - 420_000, request: .installationToken, status: 201, durationMilliseconds: 120, error: nil),
            DispatchAttempt(startedAt: now - 419_800, request: .dispatch, status: 503, durationMilliseconds: 48, error: "GitHub answered 503"),
        ]
        detail.delivery = OutboxItem(
            id: 77, eventID: 131, dispatchRepo: "acme/payments", eventType: "flux-deploy", product: "payments", environment: "prod",
            reason: "ReconciliationSucceeded", dedupKey: "payments/prod/ReconciliationSucceeded/sha256:aa/acme/payments",
            payload: "{}", state: .pending, queuedAt: now - 400_000, attempts: 9, nextAttemptAt: now + 270_000,
            lastAttemptAt: now - 30_000, lastStatus: 503, lastError: "GitHub answered 503: Service Unavailable", requestedBy: "bob")
        detail.redeliveries = [Redelivery(operatorName: "bob", requestedAt: now - 400_000, previousOutcome: "dispatch_dead")]
        return detail
    }
}
