import FluxDispatchCore
import FluxDispatchStore
import Foundation
import XCTest

/// SPEC §3 on a real store: callouts from the state kept on write, dismissals per product and
/// operator that stop counting once a newer failure arrives.
final class CalloutTests: XCTestCase {
    var directory: URL!
    var store: StateStore!

    override func setUp() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("callout-test-\(UUID().uuidString)")
        store = try StateStore(path: directory.appendingPathComponent("state.db").path)
    }

    override func tearDown() {
        try? store.close()
        // XCTest on Linux keeps every test case object until the process exits: let the store go.
        store = nil
        try? FileManager.default.removeItem(at: directory)
    }

    @discardableResult
    func event(
        _ reason: String, product: String = "dialogporten", env: String = "at23", outcome: Outcome, at: EpochMilliseconds,
        githubStatus: Int? = nil, detail: String = "", message: String = "msg"
    ) async throws -> Int64 {
        let e = FluxEvent(
            involvedObject: .init(kind: "Kustomization", name: "apps", namespace: "ns"), reason: reason, message: message,
            metadata: ["product": product, "env": env, "dispatch_repo": "Altinn/\(product)"])
        let eventType = ReasonClass(reason: reason) == .failure ? "flux-deploy-failed" : "flux-deploy"
        return try await store.record(
            EventWrite(
                record: EventRecord(
                    receivedAt: at, sourceAddress: "127.0.0.1", event: e, reasonClass: ReasonClass(reason: reason),
                    dispatchRepo: "Altinn/\(product)", eventType: eventType, dedupKey: nil, outcome: outcome,
                    httpStatus: outcome.httpStatus, githubStatus: githubStatus, durationMilliseconds: 1, detail: detail,
                    body: "{}", payload: nil)))
    }

    func testAFluxFailureIsACalloutUntilTheEnvironmentSucceedsAgain() async throws {
        try await event("HealthCheckFailed", outcome: .dispatched, at: 1_000, message: "timeout waiting for rollout")
        try await event("HealthCheckFailed", outcome: .duplicate, at: 2_000, message: "timeout waiting for rollout")
        var callouts = try store.callouts(for: "alice").visible
        XCTAssertEqual(callouts.count, 1)
        XCTAssertEqual(callouts.first?.kind, .reconciliation)
        XCTAssertEqual(callouts.first?.what, "HealthCheckFailed")
        XCTAssertEqual(callouts.first?.message, "timeout waiting for rollout")
        XCTAssertEqual(callouts.first?.since, 1_000)
        XCTAssertEqual(callouts.first?.count, 2)
        // Another environment's success does not end it; the same environment's does.
        try await event("ReconciliationSucceeded", env: "tt02", outcome: .dispatched, at: 3_000)
        XCTAssertEqual(try store.callouts(for: "alice").visible.count, 1)
        try await event("ReconciliationSucceeded", outcome: .dispatched, at: 4_000)
        callouts = try store.callouts(for: "alice").visible
        XCTAssertTrue(callouts.isEmpty)
    }

    func testAFailedDispatchIsACalloutUntilThatRouteDelivers() async throws {
        try await event("ReconciliationSucceeded", outcome: .dispatchRejected, at: 1_000, githubStatus: 404, detail: "Not Found")
        let callout = try XCTUnwrap(try store.callouts(for: "alice").visible.first)
        XCTAssertEqual(callout.kind, .dispatch)
        XCTAssertEqual(callout.what, "GitHub 404")
        XCTAssertEqual(callout.message, "Not Found")
        XCTAssertEqual(callout.dispatchRepo, "Altinn/dialogporten")
        try await event("ReconciliationSucceeded", outcome: .dispatched, at: 2_000, githubStatus: 204)
        XCTAssertTrue(try store.callouts(for: "alice").visible.isEmpty)
    }

    func testDismissHidesForThatOperatorOnlyAndANewerFailureBringsItBack() async throws {
        try await event("BuildFailed", outcome: .dispatched, at: 1_000)
        try await event("BuildFailed", product: "storage", outcome: .dispatched, at: 1_500)
        try await store.dismiss(product: "dialogporten", operatorName: "alice", at: 2_000)

        let alice = try store.callouts(for: "alice")
        XCTAssertEqual(alice.visible.map(\.product), ["storage"])
        XCTAssertEqual(alice.hidden.map(\.product), ["dialogporten"])
        let bob = try store.callouts(for: "bob")
        XCTAssertEqual(bob.visible.map(\.product), ["storage", "dialogporten"])
        XCTAssertEqual(bob.visible.last?.dismissedByOthers.map(\.operatorName), ["alice"])
        XCTAssertEqual(bob.visible.last?.dismissedByOthers.first?.dismissedAt, 2_000)

        // A newer failure of that product: back for everyone, no longer marked.
        try await event("BuildFailed", env: "tt02", outcome: .dispatched, at: 3_000)
        let again = try store.callouts(for: "alice")
        XCTAssertEqual(Set(again.visible.map(\.product)), ["storage", "dialogporten"])
        XCTAssertTrue(again.hidden.isEmpty)
        XCTAssertTrue(try store.callouts(for: "bob").visible.allSatisfy { $0.dismissedByOthers.isEmpty })
    }

    func testUndismissBringsTheCalloutBack() async throws {
        try await event("BuildFailed", outcome: .dispatched, at: 1_000)
        try await store.dismiss(product: "dialogporten", operatorName: "alice", at: 2_000)
        XCTAssertTrue(try store.callouts(for: "alice").visible.isEmpty)
        let removed = try await store.undismiss(product: "dialogporten", operatorName: "alice")
        XCTAssertTrue(removed)
        XCTAssertEqual(try store.callouts(for: "alice").visible.count, 1)
        let again = try await store.undismiss(product: "dialogporten", operatorName: "alice")
        XCTAssertFalse(again)
    }

    func testCountersForTheHeaderAndDedupHits() async throws {
        let minute: EpochMilliseconds = 1_700_000_000_000 - 1_700_000_000_000 % 60_000
        try await event("ReconciliationSucceeded", outcome: .dispatched, at: minute + 1_000)
        try await event("ReconciliationSucceeded", outcome: .duplicate, at: minute + 2_000)
        try await event("ReconciliationSucceeded", outcome: .duplicate, at: minute + 3_000)
        try await event("ReconciliationSucceeded", outcome: .dispatchUnavailable, at: minute + 61_000, githubStatus: 500)
        let activity = try store.activity(since: minute)
        XCTAssertEqual(activity, ActivitySummary(events: 4, delivered: 1, dispatchFailed: 1, duplicates: 2))
        XCTAssertEqual(try store.activity(since: minute + 60_000).events, 1)
        XCTAssertEqual(
            try store.dedupHits(since: minute),
            [DedupHitSummary(product: "dialogporten", environment: "at23", reason: "ReconciliationSucceeded", count: 2, lastAt: minute + 3_000)])
        XCTAssertEqual(try store.lastEventAt(), minute + 61_000)
    }

    func testTheIncrementalDedupWindowAgreesWithTheFullQueryAsTimeMovesOn() async throws {
        let start: EpochMilliseconds = 1_700_000_000_000 - 1_700_000_000_000 % 60_000
        let window = DedupHitsWindow()
        let products = ["dialogporten", "storage", "correspondence"]
        var at = start
        var checks = 0
        // Two and a half hours of duplicates, checked every few events: hits enter the live minute,
        // minutes close, and old minutes leave the hour.
        for n in 0..<300 {
            at += EpochMilliseconds(20_000 + (n * 7_919) % 25_000)
            let reason = n % 5 == 0 ? "HealthCheckFailed" : "ReconciliationSucceeded"
            try await event(reason, product: products[n % 3], env: n % 2 == 0 ? "at23" : "tt02", outcome: .duplicate, at: at)
            guard n % 4 == 0 else { continue }
            for now in [at, at + 30_000, at + 61_000] {
                let expected = try store.dedupHits(since: now - 3_600_000)
                let actual = try store.read { view in try window.hits(in: view, now: now) }
                XCTAssertEqual(actual, expected, "at +\((now - start) / 1000) s")
                checks += 1
            }
        }
        XCTAssertEqual(checks, 225)
        XCTAssertGreaterThan(at - start, 2 * 3_600_000, "long enough for minutes to leave the window")
        let limited = try store.read { view in try window.hits(in: view, now: at, limit: 2) }
        XCTAssertEqual(limited, try store.dedupHits(since: at - 3_600_000, limit: 2))
    }

    func testFeedIsNewestFirstAndFilters() async throws {
        try await event("ReconciliationSucceeded", product: "storage", env: "tt02", outcome: .dispatched, at: 1)
        try await event("BuildFailed", outcome: .dispatched, at: 2)
        try await event("ReconciliationSucceeded", outcome: .dispatchRejected, at: 3, githubStatus: 404)
        XCTAssertEqual(try store.recentEvents(limit: 10).map(\.receivedAt), [3, 2, 1])
        XCTAssertEqual(try store.recentEvents(limit: 2).map(\.receivedAt), [3, 2])
        XCTAssertEqual(try store.recentEvents(limit: 10, filter: FeedFilter(text: "STOR")).map(\.product), ["storage"])
        XCTAssertEqual(try store.recentEvents(limit: 10, filter: FeedFilter(text: "tt0")).map(\.environment), ["tt02"])
        XCTAssertEqual(try store.recentEvents(limit: 10, filter: FeedFilter(failuresOnly: true)).map(\.receivedAt), [3, 2])
        let id = try XCTUnwrap(try store.recentEvents(limit: 1).first?.id)
        let detail = try XCTUnwrap(try store.eventDetail(id: id))
        XCTAssertEqual(detail.entry.githubStatus, 404)
        XCTAssertEqual(detail.body, "{}")
    }

    func testTheWatcherSeesCommitsFromOtherConnections() async throws {
        let watcher = try StoreWatcher(path: store.path)
        XCTAssertTrue(try watcher.hasChanged(), "the first look always reports a change")
        XCTAssertFalse(try watcher.hasChanged())
        try await event("BuildFailed", outcome: .dispatched, at: 1)
        XCTAssertTrue(try watcher.hasChanged())
        XCTAssertFalse(try watcher.hasChanged())
        try await store.dismiss(product: "x", operatorName: "alice", at: 2)
        XCTAssertTrue(try watcher.hasChanged())
    }
}
