import FluxDispatchCore
import FluxDispatchStore
import Foundation
import Logging
import NIOConcurrencyHelpers

/// Delivers the outbox: sends pending dispatches to GitHub until each is delivered, rejected or
/// dead, and records every attempt in the store.
///
/// - Order: per repository, dispatches go one at a time in outbox order; a dispatch that must be
///   retried holds back the ones behind it. Repositories are independent and go side by side.
/// - Retries: 5xx, timeouts, connection errors and auth failures are retried with backoff and
///   jitter (`RetryPolicy`); a 4xx is final (rejected). GitHub's `Retry-After`, rate-limit reset
///   and secondary rate limits pause every repository until the time GitHub asked for.
/// - Circuit: a repository whose last attempts all failed is paused and probed (`CircuitBreaker`).
/// - Crash safety: nothing is marked before it is sent, so a dispatch in flight when the process
///   dies is still pending after a restart and is sent again (at least once).
///
/// `deliverDue()` is one pass at the injected clock's time, so tests can drive it without sleeping;
/// `DeliveryService` runs passes in the background.
public actor DeliveryWorker {
    public struct Settings: Sendable {
        public var policy: RetryPolicy
        /// Pending dispatches read per repository per pass.
        public var batchPerRepository: Int
        /// Repositories sent to at once.
        public var maxConcurrentRepositories: Int
        /// `ALLOWED_ORGS` now: a dispatch queued for an owner since removed is rejected, not sent.
        public var allowedOrganisations: [String]

        public init(
            policy: RetryPolicy = RetryPolicy(), allowedOrganisations: [String], batchPerRepository: Int = 64,
            maxConcurrentRepositories: Int = 8
        ) {
            self.policy = policy
            self.allowedOrganisations = allowedOrganisations
            self.batchPerRepository = batchPerRepository
            self.maxConcurrentRepositories = maxConcurrentRepositories
        }
    }

    private let store: StateStore
    private let dispatcher: GitHubDispatcher
    private let dedup: DedupGate
    private let metrics: ReceiverMetrics
    private let logger: Logger
    private let settings: Settings
    private let clock: @Sendable () -> EpochMilliseconds
    private let random: @Sendable () -> Double
    private var circuits: [String: CircuitBreaker]
    /// Each failing repository's latest failure, for the paused callout.
    private var lastFailure: [String: (detail: String, at: EpochMilliseconds)] = [:]
    /// Set from a rate-limit answer: no repository is sent to before this.
    private var rateLimitedUntil: EpochMilliseconds = 0
    private let stopping = NIOLockedValueBox(false)
    /// Running lanes, one per repository at most.
    private var lanes: [String: Task<EpochMilliseconds?, Never>] = [:]
    /// Repositories a new dispatch need not wake the service for, readable without the actor (by
    /// `notify`): until when each is busy (a lane runs: `.max`) or waiting (its head is due later:
    /// a retry, a paused circuit, a rate limit). A dispatch queued behind them cannot go earlier.
    /// A lane updates its entry before it signals `wake`, so nothing queued as it ends is missed.
    private nonisolated let quietUntil = NIOLockedValueBox([String: EpochMilliseconds]())
    /// Kept by `updateGauges` (at most once a second): when to look for dispatches past their age.
    private var oldestPendingQueuedAt: EpochMilliseconds?
    private var gaugesUpdatedAt: EpochMilliseconds?
    /// Wakes the background loop when something is queued or a lane ends.
    nonisolated let wake = WakeSignal()

    public init(
        store: StateStore, dispatcher: GitHubDispatcher, dedup: DedupGate, metrics: ReceiverMetrics, logger: Logger,
        settings: Settings, clock: @escaping @Sendable () -> EpochMilliseconds = { .now() },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.store = store
        self.dispatcher = dispatcher
        self.dedup = dedup
        self.metrics = metrics
        self.logger = logger
        self.settings = settings
        self.clock = clock
        self.random = random
        self.circuits = [:]
    }

    /// Picks up where the last process left off: pending dispatches (including any that were in
    /// flight when it died) and paused repositories' probes are due at once, and the circuits are
    /// restored. Call once before the first pass.
    public func resume() async {
        do {
            let pending = try await store.resumePending(at: clock())
            for row in try store.deliveryCircuits() {
                circuits[row.dispatchRepo] = CircuitBreaker(
                    consecutiveFailures: row.consecutiveFailures, openedAt: row.openedAt, probeAt: row.probeAt)
                if let error = row.lastError { lastFailure[row.dispatchRepo] = (error, row.lastFailureAt) }
            }
            if pending > 0 {
                logger.info("resuming delivery of queued dispatches", metadata: ["pending": .stringConvertible(pending)])
            }
        } catch {
            logger.error("cannot read the outbox to resume delivery", metadata: ["error": .string("\(error)")])
        }
    }

    /// A dispatch for `repo` was queued: deliver it without waiting for the next poll. When that
    /// repository's lane is running, it finds the dispatch itself and no pass is needed.
    public nonisolated func notify(repo: String) {
        let quiet = quietUntil.withLockedValue { $0[repo] }
        if let quiet, quiet > clock() { return }
        wake.signal()
    }

    /// Stops starting new attempts; attempts in flight finish and are recorded.
    public nonisolated func stop() { stopping.withLockedValue { $0 = true } }

    /// Whether the repository is paused (circuit open), for tests and logs.
    public func isPaused(_ repo: String) -> Bool { circuits[repo]?.isOpen ?? false }

    /// One pass: gives up on dispatches past their maximum age, then starts a lane for every
    /// repository with a due dispatch and no lane running (up to `maxConcurrentRepositories`).
    /// Returns when the next pass is needed (nil: nothing pending and no lane running).
    ///
    /// - Parameter waitForLanes: wait until the lanes started here are done (tests, on an injected
    ///   clock). The background service does not: a lane signals `wake` when it ends, so one slow
    ///   repository never holds back the others.
    @discardableResult
    public func deliverDue(waitForLanes: Bool = true) async -> EpochMilliseconds? {
        do {
            try await expireOld()
            let heads = try await store.pendingRepositories()
            let now = clock()
            if heads.isEmpty, lanes.isEmpty {
                // Idle: say so at once rather than at the next gauge refresh.
                quietUntil.withLockedValue { $0.removeAll() }
                oldestPendingQueuedAt = nil
                metrics.outbox(pending: 0, oldestSeconds: 0)
                return nil
            }
            var wakeAt: [EpochMilliseconds] = []
            var started: [Task<EpochMilliseconds?, Never>] = []
            let running = Set(lanes.keys)
            quietUntil.withLockedValue { quiet in quiet = quiet.filter { heads[$0.key] != nil || running.contains($0.key) } }
            for (repo, headDue) in heads.sorted(by: { $0.key < $1.key }) where lanes[repo] == nil {
                let dueAt = max(headDue, circuits[repo]?.notBefore ?? 0, rateLimitedUntil)
                if dueAt > now {
                    wakeAt.append(dueAt)
                    quietUntil.withLockedValue { $0[repo] = dueAt }
                    continue
                }
                // At the limit: a lane that ends wakes the service for another pass, so new
                // dispatches for this repository need not.
                guard lanes.count < settings.maxConcurrentRepositories, !isStopping else {
                    quietUntil.withLockedValue { $0[repo] = .max }
                    continue
                }
                let lane = Task { await self.runLane(repo: repo) }
                lanes[repo] = lane
                quietUntil.withLockedValue { $0[repo] = .max }
                started.append(lane)
            }
            if waitForLanes {
                for lane in started {
                    if let next = await lane.value { wakeAt.append(next) }
                }
            }
            try await updateGauges()
            if let oldest = oldestPendingQueuedAt { wakeAt.append(oldest + settings.policy.maxAge) }
            return wakeAt.min()
        } catch {
            logger.error("delivery pass failed: state store error", metadata: ["error": .string("\(error)")])
            return clock() + Self.storeRetryMilliseconds
        }
    }

    /// Waits for every running lane (on shutdown, after `stop()`: each finishes its attempt in flight).
    public func waitForLanes() async {
        while let lane = lanes.values.first {
            _ = await lane.value
        }
    }

    private var isStopping: Bool { stopping.withLockedValue { $0 } }

    /// One repository's lane: sends its due dispatches in order, batch after batch, until one must
    /// wait (a retry) or none is left. Returns when that repository next needs a pass.
    private func runLane(repo: String) async -> EpochMilliseconds? {
        let next = await laneLoop(repo: repo)
        lanes[repo] = nil
        quietUntil.withLockedValue { $0[repo] = next }
        wake.signal()
        return next
    }

    private func laneLoop(repo: String) async -> EpochMilliseconds? {
        while !isStopping {
            let items: [OutboxItem]
            do {
                items = try await store.pendingItems(repo: repo, limit: settings.batchPerRepository)
            } catch {
                logger.error("delivery lane stopped: state store error", metadata: ["repo": .string(repo), "error": .string("\(error)")])
                return clock() + Self.storeRetryMilliseconds
            }
            if items.isEmpty { return nil }
            if let next = await deliver(items, repo: repo) { return next }
        }
        return nil
    }

    /// Sends dispatches of one repository in order. Returns the time the first one that cannot go
    /// now may go (a retry, a paused circuit, a rate limit); nil when all went.
    private func deliver(_ items: [OutboxItem], repo: String) async -> EpochMilliseconds? {
        for item in items {
            let now = clock()
            let dueAt = max(item.nextAttemptAt, circuits[repo]?.notBefore ?? 0, rateLimitedUntil)
            if isStopping { return nil }
            if dueAt > now { return dueAt }
            // The store file is gone (the heartbeat logs it and `/readyz` says it): an attempt sent
            // now could not be recorded, and would be sent again on every pass.
            if store.fileProblem != nil { return now + Self.storeRetryMilliseconds }
            let repository: DispatchRepository
            do {
                repository = try DispatchRepository(validating: item.dispatchRepo, allowedOrganisations: settings.allowedOrganisations)
            } catch {
                let report = DeliveryReport(
                    item: item, result: .rejected(status: nil, detail: "not sent: \(error.description)"), at: now, exchanges: [])
                guard await record(report, repo: repo) else { return clock() + Self.storeRetryMilliseconds }
                continue
            }
            var result = await dispatcher.dispatch(to: repository, payload: Array(item.payload.utf8))
            if result.githubStatus == 401 {
                // The token went stale (revoked, rotated, or minted by a GitHub that restarted): it
                // has been dropped, so one more try at once with a new one, not a backoff.
                let again = await dispatcher.dispatch(to: repository, payload: Array(item.payload.utf8))
                result = GitHubDispatcher.Result(
                    outcome: again.outcome, githubStatus: again.githubStatus, detail: again.detail,
                    errorCode: again.errorCode, durationSeconds: again.durationSeconds,
                    attempts: result.attempts + again.attempts, retryAfterSeconds: again.retryAfterSeconds)
            }
            let report = decide(item: item, result: result, at: clock())
            guard await record(report, repo: repo, result: result) else {
                // Still pending in the store: made again, but not before the store can be written.
                return clock() + Self.storeRetryMilliseconds
            }
            if case .retry(let at, _, _) = report.result { return max(at, circuits[repo]?.notBefore ?? 0) }
        }
        return nil
    }

    /// What one attempt means for the dispatch, the repository's circuit and the rate-limit pause.
    private func decide(item: OutboxItem, result: GitHubDispatcher.Result, at now: EpochMilliseconds) -> DeliveryReport {
        let attempt = item.attempts + 1
        let repo = item.dispatchRepo
        let final: DeliveryReport.Result
        if result.outcome == .dispatched {
            circuits[repo, default: CircuitBreaker()].recordSuccess()
            final = .delivered(status: result.githubStatus ?? 204)
        } else if result.outcome == .dispatchRejected, result.retryAfterSeconds == nil, result.githubStatus != 401 {
            // GitHub answered, and no retry can change the answer. (A 401 is our token going stale,
            // revoked or rotated: the dispatcher dropped it, and the next attempt gets a new one.)
            circuits[repo, default: CircuitBreaker()].recordSuccess()
            final = .rejected(status: result.githubStatus, detail: result.detail)
        } else {
            if let wait = result.retryAfterSeconds {
                // Rate limits are per installation: every repository waits.
                rateLimitedUntil = max(rateLimitedUntil, now + EpochMilliseconds(wait * 1000))
            } else if circuits[repo, default: CircuitBreaker()].recordFailure(now: now) {
                logger.warning(
                    "delivery paused for a repository: its last attempts all failed",
                    metadata: ["repo": .string(repo), "detail": .string(result.detail)])
            }
            lastFailure[repo] = (result.detail, now)
            if settings.policy.isExpired(queuedAt: item.queuedAt, now: now) {
                final = .dead(status: result.githubStatus, detail: "gave up after \(attempt) attempts: \(result.detail)")
            } else {
                var delay = settings.policy.delay(afterFailedAttempt: attempt, unit: random())
                if let wait = result.retryAfterSeconds { delay = max(delay, EpochMilliseconds(wait * 1000)) }
                final = .retry(
                    at: now + delay, status: result.githubStatus,
                    detail: "attempt \(attempt) failed: \(result.detail); next attempt in \(Self.seconds(delay))")
            }
        }
        return DeliveryReport(item: item, result: final, at: now, exchanges: result.attempts)
    }

    /// How long a lane waits after the store refused a write before it tries again.
    static let storeRetryMilliseconds: EpochMilliseconds = 1000

    /// Records a report with the repository's circuit, then releases the dedup claim and counts.
    /// False when the store refused the write.
    private func record(_ report: DeliveryReport, repo: String, result: GitHubDispatcher.Result? = nil) async -> Bool {
        let circuit = circuits[repo].flatMap { breaker -> DeliveryCircuit? in
            guard breaker.consecutiveFailures > 0 else { return nil }
            var openedAt: EpochMilliseconds?
            if case .open(let since, _) = breaker.state { openedAt = since }
            return DeliveryCircuit(
                dispatchRepo: repo, consecutiveFailures: breaker.consecutiveFailures, openedAt: openedAt,
                probeAt: breaker.notBefore, lastError: lastFailure[repo]?.detail,
                lastFailureAt: lastFailure[repo]?.at ?? report.at)
        }
        if circuit == nil {
            circuits[repo] = nil
            lastFailure[repo] = nil
        }
        do {
            try await store.recordDeliveries([report], circuits: [repo: circuit])
        } catch {
            // The attempt stays pending in the store and is made again: at least once.
            logger.error(
                "delivery attempt not recorded: state store write failed",
                metadata: ["event_id": .stringConvertible(report.item.eventID), "error": .string("\(error)")])
            return false
        }
        if report.releasesDedupClaim { dedup.release(report.item.dedupKey) }
        count(report, result: result)
        return true
    }

    private func count(_ report: DeliveryReport, result: GitHubDispatcher.Result?) {
        let item = report.item
        var metadata: Logger.Metadata = [
            "product": .string(item.product), "env": .string(item.environment), "repo": .string(item.dispatchRepo),
            "reason": .string(item.reason), "event_type": .string(item.eventType), "event_id": .stringConvertible(item.eventID),
            "attempt": .stringConvertible(item.attempts + (report.exchanges.isEmpty ? 0 : 1)),
        ]
        if let seconds = result?.durationSeconds {
            metrics.dispatchDuration(repo: item.dispatchRepo, seconds: seconds)
            metadata["duration_ms"] = .stringConvertible((seconds * 1000).rounded())
        }
        if let status = result?.githubStatus { metadata["github_status"] = .stringConvertible(status) }
        if let result, result.outcome != .dispatched, let code = result.errorCode {
            metrics.dispatchError(repo: item.dispatchRepo, eventType: item.eventType, errorCode: code)
            if result.outcome == .githubAuthFailed { metrics.githubAuthError() }
        }
        switch report.result {
        case .delivered:
            metrics.dispatched(repo: item.dispatchRepo, eventType: item.eventType, reason: item.reason)
            metadata["outcome"] = .string(Outcome.dispatched.rawValue)
            logger.info("dispatch delivered", metadata: metadata)
        case .rejected(_, let detail):
            metadata["outcome"] = .string(Outcome.dispatchRejected.rawValue)
            metadata["detail"] = .string(detail)
            logger.warning("dispatch rejected by GitHub; not retried", metadata: metadata)
        case .retry(_, _, let detail):
            metrics.deliveryRetry(repo: item.dispatchRepo)
            metadata["outcome"] = .string(Outcome.queued.rawValue)
            metadata["detail"] = .string(detail)
            logger.info("delivery attempt failed; will retry", metadata: metadata)
        case .dead(_, let detail):
            metrics.outboxDead(repo: item.dispatchRepo)
            metadata["outcome"] = .string(Outcome.dispatchDead.rawValue)
            metadata["detail"] = .string(detail)
            logger.error("dispatch dead: not delivered within OUTBOX_MAX_AGE", metadata: metadata)
        }
    }

    /// Dispatches past their maximum age, whether or not they were ever tried, are dead.
    private func expireOld() async throws {
        let now = clock()
        let maxAge = settings.policy.maxAge
        if let oldest = oldestPendingQueuedAt, oldest + maxAge > now { return }
        for item in try await store.expiredPending(queuedAtOrBefore: now - maxAge) {
            let why = item.lastError.map { "; last error: \($0)" } ?? ""
            let report = DeliveryReport(
                item: item,
                result: .dead(
                    status: item.lastStatus,
                    detail: "not delivered within OUTBOX_MAX_AGE (\(Self.seconds(maxAge))) after \(item.attempts) attempts\(why)"),
                at: now, exchanges: [])
            _ = await record(report, repo: item.dispatchRepo)  // a refused write: expired again next pass
        }
    }

    /// The pending count and oldest age, read at most once a second (a count over a long queue is
    /// not free, and passes can come many times a second).
    private func updateGauges(force: Bool = false) async throws {
        let now = clock()
        if !force, let last = gaugesUpdatedAt, now >= last, now - last < 1000 { return }
        gaugesUpdatedAt = now
        let oldest = try await store.oldestPendingQueuedAt()
        oldestPendingQueuedAt = oldest
        let pending = try await store.pendingCount()
        metrics.outbox(pending: pending, oldestSeconds: oldest.map { Double(max(0, now - $0)) / 1000 } ?? 0)
    }

    /// "1.2s", "45s", "5m0s": short and unambiguous in logs and details.
    static func seconds(_ milliseconds: EpochMilliseconds) -> String {
        if milliseconds < 10_000 { return String(format: "%.1fs", Double(milliseconds) / 1000) }
        let total = Int(milliseconds / 1000)
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(total % 60)s" }
        return "\(total / 3600)h\(total % 3600 / 60)m"
    }
}
