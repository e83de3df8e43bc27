import AsyncHTTPClient
import FluxDispatchCore
import FluxDispatchReceiver
import FluxDispatchStore
import Foundation
import GitHubStandIn
import Logging
import NIOConcurrencyHelpers
import XCTest

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let value: NIOLockedValueBox<EpochMilliseconds>

    init(_ start: EpochMilliseconds = 1_800_000_000_000) { value = NIOLockedValueBox(start) }

    var now: EpochMilliseconds { value.withLockedValue { $0 } }

    func advance(by milliseconds: EpochMilliseconds) { value.withLockedValue { $0 += milliseconds } }

    func set(_ time: EpochMilliseconds) { value.withLockedValue { $0 = max($0, time) } }
}

/// The outbox's pipeline and delivery worker wired by hand on an injected clock, with a real store
/// and the stand-in GitHub over loopback: long outages, maximum age, circuits and rate limits
/// without sleeping. Each pass is driven with `deliverDue()`.
final class DeliveryWorkerTests: XCTestCase {
    var harness: ReceiverHarness!
    let clock = ManualClock()
    var store: StateStore!
    var metrics: ReceiverMetrics!
    var worker: DeliveryWorker!
    var pipeline: EventPipeline!
    /// Made in setUp: a client must be shut down before it goes, and XCTest makes instances it never runs.
    var http: HTTPClient!
    let hour: EpochMilliseconds = 3_600_000

    override func setUp() async throws {
        harness = try ReceiverHarness()
        http = HTTPClient(eventLoopGroupProvider: .singleton)
        try await harness.startGitHub()
        try await build(maxAge: 24 * hour)
    }

    override func tearDown() async throws {
        try? store.close()
        try? await http.shutdown()
        await harness.stop()
        // XCTest on Linux keeps every test case object until the process exits: let these go.
        (worker, pipeline, metrics, store, http, harness) = (nil, nil, nil, nil, nil, nil)
    }

    func build(maxAge: EpochMilliseconds) async throws {
        store = try StateStore(path: harness.stateDB)
        metrics = ReceiverMetrics()
        let clock = self.clock
        let dedup = try DedupGate(store: store, ttlSeconds: 86_400 * 7, capacity: 10_000, metrics: metrics, now: clock.now)
        let apiURL = URL(string: "http://127.0.0.1:\(harness.gitHubPort)")!
        let tokens = await InstallationTokenProvider(
            app: .init(appID: "1", installationID: "2", privateKeyPath: harness.keyPath),
            key: try GitHubAppKey.load(path: harness.keyPath), apiURL: apiURL, httpClient: http, userAgent: "test")
        let dispatcher = GitHubDispatcher(apiURL: apiURL, httpClient: http, tokens: tokens, userAgent: "test")
        let logs = harness.logs
        let logger = Logger(label: "test") { label in JSONLogHandler(label: label, level: .debug, output: logs) }
        worker = DeliveryWorker(
            store: store, dispatcher: dispatcher, dedup: dedup, metrics: metrics, logger: logger,
            settings: .init(policy: RetryPolicy(maxAge: maxAge), allowedOrganisations: ["Altinn"]),
            clock: { clock.now }, random: { 0.5 })
        await worker.resume()
        pipeline = EventPipeline(
            verifier: nil, rules: Triage.Rules(allowedOrganisations: ["Altinn"], defaultEventType: "flux-deploy"),
            delivery: .outbox(worker), dedup: dedup, store: store, metrics: metrics, rejections: RejectionCounter(),
            logger: logger, clock: { clock.now })
    }

    @discardableResult
    func post(_ event: FluxEventBody) async -> EventPipeline.Answer {
        await pipeline.handle(body: Array(event.json.utf8), signature: nil, source: "127.0.0.1")
    }

    func event(repo: String = "Altinn/dialogporten", product: String = "dialogporten", digest: String = "aa") -> FluxEventBody {
        var event = FluxEventBody()
        event.repo = repo
        event.product = product
        event.digest = digest
        return event
    }

    func metric(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let matches = labels.allSatisfy { line.contains("\($0.key)=\"\($0.value)\"") }
            if matches, let value = line.split(separator: " ").last { return Double(value) }
        }
        return nil
    }

    func testALongOutageEndsDeadAfterTheMaximumAgeAndReleasesTheClaim() async throws {
        let repo = "Altinn/dialogporten"
        harness.github.setBehaviour(.init(status: 503, message: "Service Unavailable"), for: repo)
        let answer = await post(event())
        XCTAssertEqual(answer.outcome, "queued")

        // Retry after retry for a day: each pass at the time the worker asked for.
        var passes = 0
        while let next = await worker.deliverDue(), passes < 1000 {
            passes += 1
            clock.set(next)
            if clock.now - 1_800_000_000_000 > 25 * hour { break }
        }
        let entry = try XCTUnwrap(try store.recentEvents(limit: 1).first)
        XCTAssertEqual(entry.outcome, "dispatch_dead")
        XCTAssertTrue(entry.detail.contains("503"), entry.detail)
        let attempts = harness.github.requestCount(to: repo)
        // Backoff 1 s doubling to 5 min (circuit probes at most as often): a day is a few hundred attempts, not thousands.
        XCTAssertGreaterThan(attempts, 250)
        XCTAssertLessThan(attempts, 320)
        XCTAssertEqual(metric("flux_dispatch_outbox_dead_total", ["repo": repo]), 1)
        XCTAssertEqual(metric("flux_dispatch_outbox_pending"), 0)
        XCTAssertEqual(try store.outboxSummary(endedSince: 0).dead, 1)
        XCTAssertTrue(try store.callouts(for: "alice").visible.contains { $0.kind == .dispatch && $0.what == "dispatch dead" })
        XCTAssertEqual(try store.dedupEntryCount(), 0, "a dead dispatch releases its dedup claim")

        // GitHub is back and Flux re-sends the event: it is queued again and delivered.
        harness.github.setBehaviour(.accept, for: repo)
        let again = await post(event())
        XCTAssertEqual(again.outcome, "queued")
        clock.advance(by: CircuitBreaker.maxProbeInterval)
        await worker.deliverDue()
        XCTAssertEqual(harness.github.dispatches(to: repo).count, 1)
    }

    func testNeverTriedDispatchesBehindABlockedOneAlsoEndDead() async throws {
        try store.close()
        try await build(maxAge: hour)
        let repo = "Altinn/dialogporten"
        harness.github.setBehaviour(.init(status: 500, message: "boom"), for: repo)
        await post(event(digest: "a1"))
        await post(event(digest: "a2"))
        await worker.deliverDue()
        clock.advance(by: hour)
        await worker.deliverDue()
        XCTAssertEqual(try store.outcomeCounts(), ["dispatch_dead": 2])
        XCTAssertEqual(harness.github.requestCount(to: repo), 1, "the second was held back behind the first, in order")
    }

    func testCircuitOpensAfterRepeatedFailuresWhileOtherRepositoriesFlowThenClosesOnRecovery() async throws {
        let broken = "Altinn/broken"
        let healthy = "Altinn/healthy"
        harness.github.setBehaviour(.init(status: 502, message: "Bad Gateway"), for: broken)
        await post(event(repo: broken, product: "alpha", digest: "b1"))
        await post(event(repo: broken, product: "alpha", digest: "b2"))
        var wake: EpochMilliseconds?
        for pass in 0..<CircuitBreaker.threshold {
            if let wake { clock.set(wake) }
            await post(event(repo: healthy, product: "beta", digest: "h\(pass)"))
            wake = await worker.deliverDue()
        }
        let paused = await worker.isPaused(broken)
        XCTAssertTrue(paused)
        XCTAssertEqual(harness.github.requestCount(to: broken), CircuitBreaker.threshold)
        XCTAssertEqual(harness.github.dispatches(to: healthy).count, CircuitBreaker.threshold, "the other repository kept flowing")

        // Paused: the dashboard and status see it, as a callout for the product that targets it.
        let summary = try store.outboxSummary(endedSince: 0)
        XCTAssertEqual(summary.paused.map(\.circuit.dispatchRepo), [broken])
        XCTAssertEqual(summary.paused.first?.pending, 2)
        let callout = try XCTUnwrap(try store.callouts(for: "alice").visible.first { $0.kind == .paused })
        XCTAssertEqual(callout.product, "alpha")
        XCTAssertEqual(callout.dispatchRepo, broken)
        XCTAssertTrue(callout.message.hasPrefix("2 dispatches wait"), callout.message)

        // No hammering while paused: a pass before the probe time sends nothing.
        let probeAt = try XCTUnwrap(summary.paused.first?.circuit.probeAt)
        clock.set(probeAt - 1000)
        await worker.deliverDue()
        XCTAssertEqual(harness.github.requestCount(to: broken), CircuitBreaker.threshold)

        // GitHub recovers: the probe gets through, the circuit closes, and the queue drains in order.
        harness.github.setBehaviour(.accept, for: broken)
        clock.set(probeAt)
        await worker.deliverDue()
        let stillPaused = await worker.isPaused(broken)
        XCTAssertFalse(stillPaused)
        XCTAssertEqual(harness.github.dispatches(to: broken).map { $0.clientPayload["revision"] ?? "" }, ["at23@sha256:b1", "at23@sha256:b2"])
        XCTAssertTrue(try store.deliveryCircuits().isEmpty)
        XCTAssertFalse(try store.callouts(for: "alice").visible.contains { $0.kind == .paused })
    }

    func testRetryAfterFromGitHubIsHonouredForEveryRepository() async throws {
        let repo = "Altinn/dialogporten"
        harness.github.script([.init(status: 429, headers: ["Retry-After": "120"], message: "API rate limit exceeded")], for: repo)
        await post(event())
        await post(event(repo: "Altinn/other", product: "other"))
        let start = clock.now
        let pass = await worker.deliverDue()
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(pass), start + 120_000)
        let sentBefore = harness.github.requestCount(to: repo) + harness.github.requestCount(to: "Altinn/other")
        clock.set(start + 60_000)
        await worker.deliverDue()
        XCTAssertEqual(
            harness.github.requestCount(to: repo) + harness.github.requestCount(to: "Altinn/other"), sentBefore,
            "nothing is sent while GitHub asked us to wait")
        clock.set(start + 120_000)
        await worker.deliverDue()
        XCTAssertEqual(harness.github.dispatches(to: repo).count, 1)
        XCTAssertEqual(harness.github.dispatches(to: "Altinn/other").count, 1)
    }

    func testSecondaryRateLimitForbiddenIsRetriedNotRejected() async throws {
        let repo = "Altinn/dialogporten"
        harness.github.script([.init(status: 403, message: "You have exceeded a secondary rate limit.")], for: repo)
        await post(event())
        let start = clock.now
        let pass = await worker.deliverDue()
        let next = try XCTUnwrap(pass)
        XCTAssertGreaterThanOrEqual(next, start + 60_000, "GitHub asks for at least a minute")
        XCTAssertEqual(try store.recentEvents(limit: 1).first?.outcome, "queued")
        clock.set(next)
        await worker.deliverDue()
        XCTAssertEqual(try store.recentEvents(limit: 1).first?.outcome, "dispatched")
    }

    func testAStaleTokenIsRetriedAtOnceWithANewOneNotRejected() async throws {
        harness.github.script([.init(status: 401, message: "Bad credentials")], for: "Altinn/dialogporten")
        await post(event())
        await worker.deliverDue()
        XCTAssertEqual(try store.recentEvents(limit: 1).first?.outcome, "dispatched", "401 means our token, not the dispatch")
        XCTAssertEqual(harness.github.tokensMinted, 2, "the stale token was dropped and a new one minted")
        let id = try XCTUnwrap(try store.recentEvents(limit: 1).first?.id)
        let exchanges = try store.attempts(forEvent: id).map { "\($0.request.rawValue) \($0.status ?? 0)" }
        XCTAssertEqual(exchanges, ["token 201", "dispatch 401", "token 201", "dispatch 204"])
        XCTAssertTrue(try store.deliveryCircuits().isEmpty, "not counted as a failure of the repository")
    }

    func testAnAttemptInFlightWhenTheProcessDiesIsSentAgainOnRestart() async throws {
        // What a SIGKILL between GitHub's answer and the commit leaves behind: a pending row with no
        // record of the attempt. The next worker sends it again (at least once).
        harness.github.setBehaviour(.init(status: 503, message: "down"), for: "Altinn/dialogporten")
        await post(event())
        try store.close()
        harness.github.setBehaviour(.accept, for: "Altinn/dialogporten")
        try await build(maxAge: 24 * hour)
        await worker.deliverDue()
        XCTAssertEqual(harness.github.dispatches(to: "Altinn/dialogporten").count, 1)
        XCTAssertEqual(try store.recentEvents(limit: 1).first?.outcome, "dispatched")
    }
}
