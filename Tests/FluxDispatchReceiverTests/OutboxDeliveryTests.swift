import FluxDispatchCore
import FluxDispatchReceiver
import FluxDispatchStore
import Foundation
import GitHubStandIn
import XCTest

/// Outbox mode through the real receiver: events answered `queued` and delivered in the
/// background to the stand-in GitHub over loopback, with the real retry timing (short cases only;
/// long outages are in `DeliveryWorkerTests`, with an injected clock).
final class OutboxDeliveryTests: XCTestCase {
    var harness: ReceiverHarness!

    override func setUp() async throws {
        harness = try ReceiverHarness()
        try await harness.start(["DELIVERY_MODE": "outbox"])
    }

    override func tearDown() async throws {
        await harness.stop()
        // XCTest on Linux keeps every test case object until the process exits: let the receiver go.
        harness = nil
    }

    /// Polls until `condition` holds, failing after `timeout` (the worker runs on its own time).
    func waitUntil(
        _ what: String, timeout: Duration = .seconds(20), file: StaticString = #filePath, line: UInt = #line,
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTFail("timed out waiting until \(what)", file: file, line: line)
    }

    func testEventIsAnsweredQueuedThenDeliveredOnceAndItsDuplicateIsAHit() async throws {
        let body = FluxEventBody().json
        let answer = try await harness.post(body)
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.outcome, "queued")
        try await waitUntil("the dispatch reached GitHub") { self.harness.github.dispatches.count == 1 }
        let store = try harness.openStore()
        try await waitUntil("the event is recorded as dispatched") {
            try store.recentEvents(limit: 1).first?.outcome == "dispatched"
        }
        let value1 = try await harness.post(body).outcome
        XCTAssertEqual(value1, "duplicate")
        let dispatch = try XCTUnwrap(harness.github.dispatches.first)
        XCTAssertEqual(dispatch.repository, "Altinn/dialogporten")
        XCTAssertEqual(dispatch.clientPayload["product"], "dialogporten")
        let value2 = try await harness.metric("flux_dispatch_dispatches_total", ["repo": "Altinn/dialogporten"])
        XCTAssertEqual(value2, 1)
        let value3 = try await harness.metric("flux_dispatch_outbox_pending")
        XCTAssertEqual(value3, 0)
    }

    func testServerErrorsForAWhileThenRecoveryDeliverEachEventExactlyOnceInOrder() async throws {
        let repo = "Altinn/dialogporten"
        harness.github.script([.serverError, .init(status: 503, message: "Service Unavailable")], for: repo)
        var answers: [String] = []
        for digest in ["d1", "d2", "d3"] {
            var event = FluxEventBody()
            event.digest = digest
            answers.append(try await harness.post(event.json).outcome)
        }
        XCTAssertEqual(answers, ["queued", "queued", "queued"])
        try await waitUntil("all three are delivered") { self.harness.github.dispatches(to: repo).count == 3 }
        // Give a wrongly repeated delivery the chance to show up.
        try await Task.sleep(for: .milliseconds(1500))
        let revisions = harness.github.dispatches(to: repo).map { $0.clientPayload["revision"] ?? "" }
        XCTAssertEqual(revisions, ["at23@sha256:d1", "at23@sha256:d2", "at23@sha256:d3"], "exactly once each, in order")
        XCTAssertEqual(harness.github.requestCount(to: repo), 5, "two failed attempts, then three deliveries")
        let value4 = try await harness.metric("flux_dispatch_delivery_retries_total", ["repo": repo])
        XCTAssertEqual(value4, 2)
        let store = try harness.openStore()
        let events = try store.recentEvents(limit: 3)
        XCTAssertEqual(Set(events.map(\.outcome)), ["dispatched"])
        // The first event's history: two failed dispatch exchanges, then the delivered one.
        let first = try XCTUnwrap(events.last)
        let detail = try XCTUnwrap(try store.eventDetail(id: first.id))
        XCTAssertEqual(detail.attempts.filter { $0.request == .dispatch }.map(\.status), [500, 503, 204])
        XCTAssertEqual(detail.delivery?.state, .delivered)
        XCTAssertEqual(detail.delivery?.attempts, 3)
    }

    func testRejectionIsFinalWithoutRetriesAndReleasesTheDedupClaim() async throws {
        let repo = "Altinn/dialogporten"
        harness.github.setBehaviour(.notInstalled, for: repo)
        let body = FluxEventBody().json
        let value5 = try await harness.post(body).outcome
        XCTAssertEqual(value5, "queued")
        let store = try harness.openStore()
        try await waitUntil("the event is recorded as rejected") {
            try store.recentEvents(limit: 1).first?.outcome == "dispatch_rejected"
        }
        try await Task.sleep(for: .milliseconds(1500))
        XCTAssertEqual(harness.github.requestCount(to: repo), 1, "a 4xx is not retried")
        let callouts = try store.callouts(for: "alice").visible
        XCTAssertEqual(callouts.map(\.kind), [.dispatch])
        XCTAssertEqual(callouts.first?.what, "GitHub 404")

        // The claim was released: the same event, once the App is installed, is queued and delivered.
        harness.github.setBehaviour(.accept, for: repo)
        let value6 = try await harness.post(body).outcome
        XCTAssertEqual(value6, "queued")
        try await waitUntil("the second try is delivered") { self.harness.github.dispatches(to: repo).count == 1 }
    }

    func testDuplicateOfAQueuedEventIsADedupHitAndPendingIsVisible() async throws {
        let repo = "Altinn/dialogporten"
        harness.github.setBehaviour(.init(status: 503, message: "Service Unavailable"), for: repo)
        let body = FluxEventBody().json
        let value7 = try await harness.post(body).outcome
        XCTAssertEqual(value7, "queued")
        let value8 = try await harness.post(body).outcome
        XCTAssertEqual(value8, "duplicate")
        try await waitUntil("a retry was counted") {
            (try await self.harness.metric("flux_dispatch_delivery_retries_total", ["repo": repo]) ?? 0) >= 1
        }
        let value9 = try await harness.metric("flux_dispatch_outbox_pending")
        XCTAssertEqual(value9, 1)
        let store = try harness.openStore()
        let summary = try store.outboxSummary(endedSince: 0)
        XCTAssertEqual(summary.pending, 1)
        XCTAssertEqual(summary.retrying, 1)
        let events = try store.recentEvents(limit: 2)
        XCTAssertEqual(events.map(\.outcome), ["duplicate", "queued"])
        let entry = try XCTUnwrap(events.last)
        XCTAssertTrue(entry.detail.hasPrefix("attempt 1 failed: GitHub answered 503"), entry.detail)
    }

    func testRedeliveryOfARejectedDispatchIsSentAndRecordsWhoAsked() async throws {
        let repo = "Altinn/dialogporten"
        harness.github.setBehaviour(.notInstalled, for: repo)
        let value10 = try await harness.post(FluxEventBody().json).outcome
        XCTAssertEqual(value10, "queued")
        let store = try harness.openStore()
        try await waitUntil("rejected") { try store.recentEvents(limit: 1).first?.outcome == "dispatch_rejected" }
        let id = try XCTUnwrap(try store.recentEvents(limit: 1).first?.id)

        harness.github.setBehaviour(.accept, for: repo)
        try await store.redeliver(eventID: id, operatorName: "alice", at: .now())
        // Picked up by the worker's poll (another process may have asked).
        try await waitUntil("redelivered") { self.harness.github.dispatches(to: repo).count == 1 }
        try await waitUntil("recorded as dispatched") { try store.recentEvents(limit: 1).first?.outcome == "dispatched" }
        let detail = try XCTUnwrap(try store.eventDetail(id: id))
        XCTAssertEqual(detail.redeliveries.map(\.operatorName), ["alice"])
        XCTAssertEqual(detail.redeliveries.first?.previousOutcome, "dispatch_rejected")
        XCTAssertEqual(detail.delivery?.requestedBy, "alice")
        XCTAssertTrue(try store.callouts(for: "bob").visible.isEmpty, "a delivery ends the route's failure")

        // Delivered dispatches are not redelivered.
        do {
            try await store.redeliver(eventID: id, operatorName: "alice", at: .now())
            XCTFail("a delivered dispatch was queued again")
        } catch let error as RedeliveryError {
            XCTAssertEqual(error.kind, .notRedeliverable)
        }
    }

    func testASlowRepositoryDoesNotHoldBackTheOthers() async throws {
        harness.github.setBehaviour(.init(status: 204, delay: .seconds(3)), for: "Altinn/slow")
        var slow = FluxEventBody(product: "slow", repo: "Altinn/slow")
        let first = try await harness.post(slow.json)
        XCTAssertEqual(first.outcome, "queued")
        try await Task.sleep(for: .milliseconds(200))  // its lane is now waiting on GitHub
        slow.digest = "second"
        _ = try await harness.post(slow.json)
        let posted = ContinuousClock.now
        _ = try await harness.post(FluxEventBody(product: "fast", repo: "Altinn/fast").json)
        try await waitUntil("the other repository's dispatch is delivered", timeout: .seconds(10)) {
            self.harness.github.dispatches(to: "Altinn/fast").count == 1
        }
        XCTAssertLessThan(ContinuousClock.now - posted, .milliseconds(1500), "not queued behind the slow repository")
        XCTAssertEqual(harness.github.dispatches(to: "Altinn/slow").count, 0, "the slow one is still in flight")
        // Graceful stop waits for the attempt in flight: it is recorded, not lost or repeated.
        try await harness.stopReceiver()
        XCTAssertEqual(harness.github.dispatches(to: "Altinn/slow").count, 1)
        let store = try harness.openStore()
        XCTAssertEqual(try store.outboxSummary(endedSince: 0).pending, 1, "the second slow one waits for the next start")
        try store.close()
    }

    /// The store file deleted while a dispatch is in flight: its result cannot be recorded, so the
    /// dispatch stays pending, but it is not sent again on every pass (each would reach GitHub and
    /// fail to be recorded again). Delivery waits for a store that can be written: a restart.
    func testADeletedStoreFileStopsDeliveryInsteadOfResendingWhatCannotBeRecorded() async throws {
        harness.github.setBehaviour(.init(status: 204, delay: .milliseconds(500)), for: "Altinn/dialogporten")
        let answer = try await harness.post(FluxEventBody().json)
        XCTAssertEqual(answer.outcome, "queued")
        try await Task.sleep(for: .milliseconds(200))  // its attempt is now waiting on GitHub
        try FileManager.default.removeItem(atPath: harness.stateDB)
        try await waitUntil("the attempt in flight reached GitHub") { self.harness.github.dispatches.count == 1 }
        try await Task.sleep(for: .seconds(3))
        XCTAssertEqual(harness.github.requestCount(to: "Altinn/dialogporten"), 1, "sent once, not once per pass")
        XCTAssertTrue(harness.logs.lines.contains { $0.contains("delivery attempt not recorded") })
    }

    func testGracefulShutdownLeavesPendingDispatchesThatTheNextStartDelivers() async throws {
        let repo = "Altinn/dialogporten"
        harness.github.setBehaviour(.init(status: 502, message: "Bad Gateway"), for: repo)
        let value11 = try await harness.post(FluxEventBody().json).outcome
        XCTAssertEqual(value11, "queued")
        try await Task.sleep(for: .milliseconds(300))
        try await harness.stopReceiver()
        do {
            let store = try harness.openStore()
            XCTAssertEqual(try store.outboxSummary(endedSince: 0).pending, 1)
            try store.close()
        }
        harness.github.setBehaviour(.accept, for: repo)
        try await harness.start(["DELIVERY_MODE": "outbox"])
        try await waitUntil("delivered after the restart") { self.harness.github.dispatches(to: repo).count == 1 }
    }
}
