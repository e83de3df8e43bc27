import FluxDispatchCore
import FluxDispatchStore
import Foundation
import TestSupport
import XCTest

/// The environment state is folded per batch: whatever the batching, each row must end as if the
/// events had been applied one at a time, in order.
final class EnvironmentStateFoldTests: XCTestCase {
    var directory: URL!

    override func setUp() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fold-test-\(UUID().uuidString)")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    static let places = [("a", "x"), ("a", "y"), ("b", "x")]

    func randomWrite(at time: EpochMilliseconds, using random: inout SplitMix64) -> EventWrite {
        let reason = ["ReconciliationSucceeded", "HealthCheckFailed", "BuildFailed", "Progressing"].randomElement(using: &random)!
        let (product, env) = Self.places.randomElement(using: &random)!
        let event = FluxEvent(
            involvedObject: .init(kind: "Kustomization", name: "\(product)-apps", namespace: "product-\(product)"),
            severity: "info", reason: reason, message: "message \(time)",
            metadata: ["product": product, "env": env, "dispatch_repo": "org/\(product)"])
        let reasonClass = ReasonClass(reason: reason)
        let outcome: Outcome = reasonClass == .ignored ? .ignoredReason : [.dryRun, .duplicate].randomElement(using: &random)!
        return EventWrite(record: EventRecord(
            receivedAt: time, sourceAddress: "127.0.0.1", event: event, reasonClass: reasonClass,
            dispatchRepo: "org/\(product)", eventType: "flux-deploy", dedupKey: nil, outcome: outcome, httpStatus: 200,
            githubStatus: nil, durationMilliseconds: 1, detail: "", body: "{}", payload: nil))
    }

    func states(_ store: StateStore) throws -> [EnvironmentState?] {
        try Self.places.map { try store.environmentState(product: $0.0, environment: $0.1) }
    }

    func testABatchLeavesEachEnvironmentAsEventsAppliedOneAtATime() async throws {
        let oneByOne = try StateStore(path: directory.appendingPathComponent("one-by-one.db").path)
        let batched = try StateStore(path: directory.appendingPathComponent("batched.db").path)
        var random = SplitMix64(seed: 20_261_122)
        var time: EpochMilliseconds = 1_000
        var batchedEvents = 0
        for round in 0..<40 {
            // Each round: a batch of 1–80 events over three environments, on top of what earlier
            // rounds left (runs of failures carried over, successes, never-seen environments).
            let writes = (0..<Int.random(in: 1...80, using: &random)).map { _ in
                time += EpochMilliseconds.random(in: 1...500, using: &random)
                return randomWrite(at: time, using: &random)
            }
            for write in writes { _ = try await oneByOne.record(write) }
            // Queued without waiting, then flushed: they go into one or two transactions.
            for write in writes { batched.recordLater(write) }
            await batched.flush()
            batchedEvents += writes.count
            XCTAssertEqual(try states(batched), try states(oneByOne), "round \(round)")
        }
        XCTAssertEqual(try batched.eventCount(), batchedEvents)
        let failing = try oneByOne.failingStates().environments
        XCTAssertFalse(failing.isEmpty, "the sequence has runs of failures left open")
        XCTAssertTrue(failing.contains { $0.consecutiveFailures > 1 }, "and runs longer than one event")
    }
}
