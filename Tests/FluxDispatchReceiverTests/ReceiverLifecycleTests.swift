import FluxDispatchCore
import FluxDispatchReceiver
import FluxDispatchStore
import Foundation
import Logging
import GitHubStandIn
import XCTest

/// Durability, dry run, start-up checks and shutdown.
final class ReceiverLifecycleTests: XCTestCase {
    var harness: ReceiverHarness!

    override func setUp() async throws {
        harness = try ReceiverHarness()
    }

    override func tearDown() async throws {
        await harness.stop()
        // XCTest on Linux keeps every test case object until the process exits: let the receiver go.
        harness = nil
    }

    func testRestartOnTheSameStoreStillSuppressesTheDuplicate() async throws {
        try await harness.start()
        let body = FluxEventBody().json
        let first = try await harness.post(body)
        XCTAssertEqual(first.outcome, "dispatched")
        try await harness.stopReceiver()

        try await harness.start()
        let again = try await harness.post(body)
        XCTAssertEqual(again.outcome, "duplicate")
        XCTAssertEqual(harness.github.dispatches.count, 1)
        let entries = try await harness.metric("flux_dispatch_dedup_entries")
        XCTAssertEqual(entries, 1)
    }

    /// A stopped receiver is freed with its store and metrics: no reference cycle through its
    /// services, closures, clients or tasks keeps it (`dash` starts and stops one in a long-lived
    /// process). LeakSanitizer's report when the test runner exits cannot show this: XCTest keeps
    /// every test case object, and so what it holds, until then.
    func testAStoppedReceiverIsFreed() async throws {
        try await harness.start(["DELIVERY_MODE": "outbox"])
        let answer = try await harness.post(FluxEventBody().json)
        XCTAssertEqual(answer.outcome, "queued")
        for _ in 0..<100 where harness.github.dispatches.isEmpty {
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTAssertEqual(harness.github.dispatches.count, 1, "delivered by the worker, with a token from the provider")
        weak let runtime = harness.runtime
        weak let store = harness.runtime.store
        weak let metrics = harness.runtime.metrics
        try await harness.stopReceiver()
        // Event loops may drop their last references (closed connections' handlers) a moment later.
        for _ in 0..<50 where runtime != nil || store != nil || metrics != nil {
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertNil(runtime, "the stopped receiver is still referenced")
        XCTAssertNil(store, "its state store is still referenced")
        XCTAssertNil(metrics, "its metrics are still referenced")
    }

    func testAThousandUnsignedRequestsAddNoEventRowsOnlyCounts() async throws {
        try await harness.start()
        let harness = self.harness!
        let body = FluxEventBody().json
        try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<10 {
                group.addTask {
                    var unauthorized = 0
                    for i in 0..<100 {
                        let answer = try await harness.post(FluxEventBody(digest: "flood\(worker)-\(i)").json, signed: false)
                        if answer.status == 401 { unauthorized += 1 }
                    }
                    return unauthorized
                }
            }
            let total = try await group.reduce(0, +)
            XCTAssertEqual(total, 1000)
        }
        _ = body
        try await harness.stopReceiver()
        let store = try harness.openStore()
        XCTAssertEqual(try store.eventCount(), 0)
        XCTAssertEqual(try store.rejectionCounts(since: 0)[.badSignature], 1000)
        XCTAssertTrue(harness.github.dispatches.isEmpty)
    }

    func testWithoutAGitHubAppEverythingButTheCallRuns() async throws {
        try await harness.start(withApp: false)
        let body = FluxEventBody().json
        let first = try await harness.post(body)
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.outcome, "dry_run")
        let second = try await harness.post(body)
        XCTAssertEqual(second.outcome, "duplicate")
        let dryRuns = try await harness.metric(
            "flux_dispatch_dryrun_dispatches_total",
            ["repo": "Altinn/dialogporten", "event_type": "flux-deploy", "reason": "ReconciliationSucceeded"])
        XCTAssertEqual(dryRuns, 1)
        XCTAssertEqual(harness.github.tokenRequests, 0)
        XCTAssertTrue(harness.github.dispatches.isEmpty)
        XCTAssertTrue(harness.logs.lines.contains { $0.contains("DRY RUN") && $0.contains("\"level\":\"warn\"") })
    }

    func testDryRunTrueWithAnAppSendsNothing() async throws {
        try await harness.start(["DRY_RUN": "yes"])
        let answer = try await harness.post(FluxEventBody().json)
        XCTAssertEqual(answer.outcome, "dry_run")
        XCTAssertEqual(harness.github.tokenRequests, 0)
    }

    func testDedupCapEvictsTheOldestEntry() async throws {
        try await harness.start(["DEDUP_MAX_ENTRIES": "2"])
        for digest in ["a", "b", "c"] {
            let answer = try await harness.post(FluxEventBody(digest: digest).json)
            XCTAssertEqual(answer.outcome, "dispatched")
        }
        XCTAssertEqual(try harness.openStore().dedupEntryCount(), 2)
        // "a" was the oldest and was evicted; "c" is still remembered.
        let a = try await harness.post(FluxEventBody(digest: "a").json)
        XCTAssertEqual(a.outcome, "dispatched")
        let c = try await harness.post(FluxEventBody(digest: "c").json)
        XCTAssertEqual(c.outcome, "duplicate")
    }

    func testDedupEntriesExpireAfterTheTTL() async throws {
        try await harness.start(["DEDUP_TTL": "1s"])
        let body = FluxEventBody().json
        let first = try await harness.post(body)
        XCTAssertEqual(first.outcome, "dispatched")
        try await Task.sleep(for: .milliseconds(1100))
        let later = try await harness.post(body)
        XCTAssertEqual(later.outcome, "dispatched")
        XCTAssertEqual(harness.github.dispatches.count, 2)
    }

    func testStoreDirectoryAndFileArePrivate() async throws {
        try await harness.start()
        let attributes = try FileManager.default.attributesOfItem(atPath: harness.stateDB)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let directory = (harness.stateDB as NSString).deletingLastPathComponent
        let dirAttributes = try FileManager.default.attributesOfItem(atPath: directory)
        XCTAssertEqual((dirAttributes[.posixPermissions] as? NSNumber)?.intValue, 0o700)
    }

    func testGracefulShutdownFinishesInFlightDispatches() async throws {
        try await harness.start()
        harness.github.setBehaviour(.init(status: 204, delay: .milliseconds(800)), for: "Altinn/dialogporten")
        let harness = self.harness!
        let inFlight = Task { try await harness.post(FluxEventBody().json) }
        try await Task.sleep(for: .milliseconds(200))
        try await harness.stopReceiver()
        let answer = try await inFlight.value
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.outcome, "dispatched")
        XCTAssertEqual(harness.github.dispatches.count, 1)
        let store = try harness.openStore()
        XCTAssertEqual(try store.outcomeCounts(), ["dispatched": 1])
        XCTAssertEqual(try store.dedupEntryCount(), 1)
        XCTAssertEqual(try store.integrityCheck(), "ok")
        XCTAssertTrue(try store.liveReceivers(freshAfter: 0).isEmpty, "the receiver row is marked stopped")
    }

    func testHealthReadinessAndMethods() async throws {
        try await harness.start()
        let health = try await harness.get(harness.healthURL + "/healthz")
        XCTAssertEqual(health.status, 200)
        let ready = try await harness.get(harness.healthURL + "/readyz")
        XCTAssertEqual(ready.status, 200, ready.body)
        let get = try await harness.get(harness.webhookURL)
        XCTAssertEqual(get.status, 405)
        let put = try await harness.get(harness.webhookURL, method: .PUT)
        XCTAssertEqual(put.status, 405)
        let unknown = try await harness.get(harness.healthURL + "/nope")
        XCTAssertEqual(unknown.status, 404)
        let live = try harness.openStore().liveReceivers(freshAfter: EpochMilliseconds.now() - 5000)
        XCTAssertEqual(live.count, 1)
        XCTAssertEqual(live.first?.mode, "serve")
        XCTAssertEqual(live.first?.pid, ProcessInfo.processInfo.processIdentifier)
    }

    func testReadinessFailsWhenTheStoreIsNotWritable() async throws {
        try await harness.start()
        let path = harness.stateDB
        try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path) }
        // Root can write anything; the check is only meaningful for an unprivileged user.
        if getuid() != 0 {
            let ready = try await harness.get(harness.healthURL + "/readyz")
            XCTAssertEqual(ready.status, 503)
        }
    }

    /// The store file deleted under a running receiver: SQLite would go on writing into the unlinked
    /// file, so events answered 200 would be gone after a restart. Instead nothing is answered 200
    /// any more, a duplicate included (Flux retries), and `/readyz` says what happened and what to do.
    func testNothingIsAnswered200OnceTheStoreFileIsDeleted() async throws {
        try await harness.start()
        let first = try await harness.post(FluxEventBody(digest: "d1").json)
        XCTAssertEqual(first.outcome, "dispatched")
        try FileManager.default.removeItem(atPath: harness.stateDB)
        let next = try await harness.post(FluxEventBody(digest: "d2").json)
        XCTAssertEqual(next.status, 500, "a new event into a deleted store: \(next)")
        XCTAssertEqual(next.outcome, "store_unavailable")
        let duplicate = try await harness.post(FluxEventBody(digest: "d1").json)
        XCTAssertEqual(duplicate.status, 500, "a duplicate into a deleted store: \(duplicate)")
        let ready = try await harness.get(harness.healthURL + "/readyz")
        XCTAssertEqual(ready.status, 503, ready.body)
        XCTAssertTrue(ready.body.contains("is gone") && ready.body.contains("restart"), ready.body)
        XCTAssertTrue(harness.logs.lines.contains { $0.contains("deleted or replaced") }, "the refused write is logged with its cause")
    }

    func testAllowUnsignedWithoutTokenAcceptsUnsignedButWithTokenStillChecks() async throws {
        try await harness.start(["HMAC_TOKEN_PATH": "", "ALLOW_UNSIGNED": "true"])
        let unsigned = try await harness.post(FluxEventBody().json, signed: false)
        XCTAssertEqual(unsigned.outcome, "dispatched")
        try await harness.stopReceiver()

        try await harness.start(["ALLOW_UNSIGNED": "true"])
        let stillChecked = try await harness.post(FluxEventBody(digest: "other").json, signed: false)
        XCTAssertEqual(stillChecked.status, 401)
    }

    func testStartUpRefusesAnUnreadableOrInvalidKeyAndAcceptsPKCS8() async throws {
        let resolver = { (env: [String: String]) in try ConfigurationResolver(environment: env).resolve() }
        let base = [
            "HMAC_TOKEN_PATH": harness.tokenPath, "STATE_DB": harness.stateDB, "GITHUB_APP_ID": "1",
            "GITHUB_INSTALLATION_ID": "2", "LISTEN_ADDR": "127.0.0.1:0", "METRICS_ADDR": "127.0.0.1:0",
        ]
        let logger = Logger(label: "test") { _ in JSONLogHandler(label: "test", output: .memory()) }

        var missing = base
        missing["GITHUB_PRIVATE_KEY_PATH"] = harness.directory.appendingPathComponent("absent.pem").path
        do {
            _ = try await ReceiverRuntime(configuration: try resolver(missing), logger: logger, signals: [])
            XCTFail("expected a configuration error")
        } catch let error as ConfigurationError {
            XCTAssertEqual(error.variable, "GITHUB_PRIVATE_KEY_PATH")
            XCTAssertTrue(error.problem.contains("cannot read"), error.problem)
        }

        let garbage = harness.directory.appendingPathComponent("garbage.pem").path
        try Data("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n".utf8).write(to: URL(fileURLWithPath: garbage))
        var invalid = base
        invalid["GITHUB_PRIVATE_KEY_PATH"] = garbage
        do {
            _ = try await ReceiverRuntime(configuration: try resolver(invalid), logger: logger, signals: [])
            XCTFail("expected a configuration error")
        } catch let error as ConfigurationError {
            XCTAssertEqual(error.variable, "GITHUB_PRIVATE_KEY_PATH")
        }

        let pkcs8 = harness.directory.appendingPathComponent("pkcs8.pem").path
        try Data(ReceiverHarness.appKey.pkcs8PEMRepresentation.utf8).write(to: URL(fileURLWithPath: pkcs8))
        XCTAssertTrue(ReceiverHarness.appKey.pkcs8PEMRepresentation.contains("BEGIN PRIVATE KEY"))
        XCTAssertTrue(ReceiverHarness.appKey.pemRepresentation.contains("BEGIN RSA PRIVATE KEY"))
        try await harness.start(["GITHUB_PRIVATE_KEY_PATH": pkcs8])
        let answer = try await harness.post(FluxEventBody().json)
        XCTAssertEqual(answer.outcome, "dispatched")
    }

    func testAnUnreadableTokenFileIsAStartUpError() async throws {
        var env = [
            "HMAC_TOKEN_PATH": harness.directory.appendingPathComponent("no-token").path, "STATE_DB": harness.stateDB,
        ]
        let logger = Logger(label: "test") { _ in JSONLogHandler(label: "test", output: .memory()) }
        do {
            _ = try await ReceiverRuntime(configuration: try ConfigurationResolver(environment: env).resolve(), logger: logger, signals: [])
            XCTFail("expected a configuration error")
        } catch let error as ConfigurationError {
            XCTAssertEqual(error.variable, "HMAC_TOKEN_PATH")
        }
        let empty = harness.directory.appendingPathComponent("empty-token").path
        try Data("\n".utf8).write(to: URL(fileURLWithPath: empty))
        env["HMAC_TOKEN_PATH"] = empty
        do {
            _ = try await ReceiverRuntime(configuration: try ConfigurationResolver(environment: env).resolve(), logger: logger, signals: [])
            XCTFail("expected a configuration error")
        } catch let error as ConfigurationError {
            XCTAssertEqual(error.variable, "HMAC_TOKEN_PATH")
            XCTAssertTrue(error.problem.contains("empty"))
        }
    }
}
