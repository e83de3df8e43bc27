import FluxDispatchCore
import FluxDispatchStore
import Foundation
import XCTest

/// The outbox tables on a real SQLite file: what the pipeline and the delivery worker rely on.
final class OutboxStoreTests: XCTestCase {
    var directory: URL!
    var store: StateStore!

    override func setUp() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-test-\(UUID().uuidString)")
        store = try StateStore(path: directory.appendingPathComponent("state.db").path)
    }

    override func tearDown() async throws {
        try? store.close()
        // XCTest on Linux keeps every test case object until the process exits: let the store go.
        store = nil
        try? FileManager.default.removeItem(at: directory)
    }

    /// Records an event answered `queued`, its dispatch in the outbox and its dedup claim, as the
    /// pipeline does in outbox mode.
    @discardableResult
    func queue(repo: String = "Altinn/a", key: String, at: EpochMilliseconds = 1_000) async throws -> Int64 {
        let event = FluxEvent(
            involvedObject: .init(kind: "Kustomization", name: "x", namespace: "y"), severity: "info",
            reason: "ReconciliationSucceeded", message: "ok", metadata: ["product": "p", "env": "e", "dispatch_repo": repo])
        let record = EventRecord(
            receivedAt: at, sourceAddress: "127.0.0.1", event: event, reasonClass: .success, dispatchRepo: repo,
            eventType: "flux-deploy", dedupKey: key, outcome: .queued, httpStatus: 200, githubStatus: nil,
            durationMilliseconds: 1, detail: "", body: "{}", payload: "{\"event_type\":\"flux-deploy\"}")
        return try await store.record(
            EventWrite(
                record: record, recordDedupKey: key,
                enqueue: OutboxEntry(dispatchRepo: repo, eventType: "flux-deploy", dedupKey: key)))
    }

    /// The next pending dispatch of `repo`.
    func head(_ repo: String) async throws -> OutboxItem {
        let items = try await store.pendingItems(repo: repo, limit: 1)
        return try XCTUnwrap(items.first, "nothing pending for \(repo)")
    }

    func testQueuedEventOutboxRowAndClaimAreWrittenTogetherAndReadInOrderPerRepository() async throws {
        try await queue(repo: "Altinn/a", key: "k1")
        try await queue(repo: "Altinn/b", key: "k2")
        try await queue(repo: "Altinn/a", key: "k3")
        XCTAssertEqual(try store.dedupEntryCount(), 3)
        let a = try await store.pendingItems(repo: "Altinn/a", limit: 10)
        XCTAssertEqual(a.map(\.dedupKey), ["k1", "k3"])
        let b = try await store.pendingItems(repo: "Altinn/b", limit: 10)
        XCTAssertEqual(b.map(\.dedupKey), ["k2"])
        let repositories = try await store.pendingRepositories()
        XCTAssertEqual(repositories, ["Altinn/a": 1_000, "Altinn/b": 1_000], "each repository with its head's next attempt")
        let first = try await head("Altinn/a")
        XCTAssertEqual(first.dedupKey, "k1")
        let summary = try store.outboxSummary(endedSince: 0)
        XCTAssertEqual(summary.pending, 3)
        XCTAssertEqual(summary.oldestQueuedAt, 1_000)
    }

    func testALimitedSummaryCountsTheQueueOnlyUpToItsLimit() async throws {
        for i in 0..<25 { try await queue(repo: i % 2 == 0 ? "Altinn/a" : "Altinn/b", key: "k\(i)", at: 5_000 - EpochMilliseconds(i)) }
        let exact = try store.outboxSummary(endedSince: 0)
        XCTAssertEqual(exact.pending, 25)
        XCTAssertEqual(exact.retrying, 0)
        XCTAssertFalse(exact.pendingReachedLimit)
        let limited = try store.outboxSummary(endedSince: 0, countLimit: 10)
        XCTAssertEqual(limited.pending, 10)
        XCTAssertTrue(limited.pendingReachedLimit, "there are at least 10")
        XCTAssertNil(limited.retrying, "not counted when limited")
        XCTAssertEqual(limited.oldestQueuedAt, exact.oldestQueuedAt)
        XCTAssertEqual(limited.oldestQueuedAt, 5_000 - 24)
        XCTAssertFalse(try store.outboxSummary(endedSince: 0, countLimit: 26).pendingReachedLimit)
    }

    func testRejectedReleasesOnlyItsOwnClaimAndEndsTheEvent() async throws {
        let id = try await queue(key: "k1")
        let item = try await head("Altinn/a")
        XCTAssertEqual(item.eventID, id)
        try await store.recordDeliveries([
            DeliveryReport(item: item, result: .rejected(status: 404, detail: "GitHub answered 404"), at: 2_000, exchanges: [
                DispatchAttempt(startedAt: 1_900, request: .dispatch, status: 404, durationMilliseconds: 5, error: "Not Found")
            ])
        ])
        XCTAssertEqual(try store.dedupEntryCount(), 0)
        XCTAssertEqual(try store.outcomeCounts(), ["dispatch_rejected": 1])
        XCTAssertEqual(try store.outboxItem(eventID: id)?.state, .rejected)
        XCTAssertEqual(try store.outboxItem(eventID: id)?.attempts, 1)
        XCTAssertEqual(try store.attempts(forEvent: id).map(\.status), [404])
        XCTAssertEqual(try store.outboxSummary(endedSince: 0).rejected, 1)

        // A claim by a later event on the same key is not released by an old item's end.
        let later = try await queue(key: "k2", at: 3_000)
        var stale = item
        stale.dedupKey = "k2"
        try await store.recordDeliveries([DeliveryReport(item: stale, result: .dead(status: nil, detail: "x"), at: 4_000, exchanges: [])])
        XCTAssertEqual(try store.dedupEntryCount(), 1, "k2 belongs to event \(later)")
    }

    func testRetryKeepsTheEventQueuedWithTheAttemptAndTheNextTime() async throws {
        let id = try await queue(key: "k1")
        let item = try await head("Altinn/a")
        try await store.recordDeliveries(
            [DeliveryReport(item: item, result: .retry(at: 5_000, status: 503, detail: "attempt 1 failed"), at: 2_000, exchanges: [
                DispatchAttempt(startedAt: 1_990, request: .dispatch, status: 503, durationMilliseconds: 5, error: "unavailable")
            ])],
            circuits: ["Altinn/a": DeliveryCircuit(
                dispatchRepo: "Altinn/a", consecutiveFailures: 1, openedAt: nil, probeAt: nil, lastError: "503",
                lastFailureAt: 2_000)])
        let after = try XCTUnwrap(try store.outboxItem(eventID: id))
        XCTAssertEqual(after.state, .pending)
        XCTAssertEqual(after.attempts, 1)
        XCTAssertEqual(after.nextAttemptAt, 5_000)
        XCTAssertEqual(try store.recentEvents(limit: 1).first?.outcome, "queued")
        XCTAssertEqual(try store.recentEvents(limit: 1).first?.githubStatus, 503)
        XCTAssertEqual(try store.dedupEntryCount(), 1, "still claimed while it is retried")
        XCTAssertEqual(try store.deliveryCircuits().map(\.consecutiveFailures), [1])
        XCTAssertTrue(try store.callouts(for: "alice").visible.isEmpty, "one retry is not an alarm; a paused repository is")
        XCTAssertEqual(try store.outboxSummary(endedSince: 0).retrying, 1)
    }

    func testRedeliveryRules() async throws {
        let id = try await queue(key: "k1")
        do {
            try await store.redeliver(eventID: id, operatorName: "alice", at: 2_000)
            XCTFail("a queued dispatch was queued twice")
        } catch let error as RedeliveryError {
            XCTAssertEqual(error.kind, .alreadyQueued)
        }
        do {
            try await store.redeliver(eventID: 999, operatorName: "alice", at: 2_000)
            XCTFail("an unknown event was queued")
        } catch let error as RedeliveryError {
            XCTAssertEqual(error.kind, .noSuchEvent)
            XCTAssertTrue(error.description.contains("999"))
        }
        let item = try await head("Altinn/a")
        try await store.recordDeliveries([DeliveryReport(item: item, result: .dead(status: 503, detail: "gave up"), at: 2_000, exchanges: [])])
        XCTAssertEqual(try store.dedupEntryCount(), 0)

        // Dead: queued again at the end of the queue, claim taken again, who asked recorded.
        let other = try await queue(key: "k9", at: 2_500)
        let again = try await store.redeliver(eventID: id, operatorName: "alice", at: 3_000)
        XCTAssertEqual(again.state, .pending)
        XCTAssertEqual(again.attempts, 0)
        XCTAssertEqual(again.requestedBy, "alice")
        let order = try await store.pendingItems(repo: "Altinn/a", limit: 5).map(\.eventID)
        XCTAssertEqual(order, [other, id])
        XCTAssertEqual(try store.dedupEntryCount(), 2)
        let detail = try XCTUnwrap(try store.eventDetail(id: id))
        XCTAssertEqual(detail.entry.outcome, "queued")
        XCTAssertEqual(detail.redeliveries, [Redelivery(operatorName: "alice", requestedAt: 3_000, previousOutcome: "dispatch_dead")])
    }

    func testRetentionKeepsEventsWhoseDispatchIsStillPending() async throws {
        let pending = try await queue(key: "k1", at: 1_000)
        let done = try await queue(repo: "Altinn/b", key: "k2", at: 1_000)
        let item = try await head("Altinn/b")
        try await store.recordDeliveries([DeliveryReport(item: item, result: .delivered(status: 204), at: 1_500, exchanges: [])])
        let pruned = try await store.pruneEvents(before: 10_000)
        XCTAssertEqual(pruned, 1)
        XCTAssertNotNil(try store.eventDetail(id: pending))
        XCTAssertNil(try store.eventDetail(id: done))
        XCTAssertNil(try store.outboxItem(eventID: done), "the outbox row goes with its event")
    }
}
