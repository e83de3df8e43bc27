import FluxDispatchCore
import FluxDispatchStore
import Foundation
import GRDB
import XCTest

/// The store on real SQLite files in a temporary directory.
final class StateStoreTests: XCTestCase {
    var directory: URL!
    var path: String { directory.appendingPathComponent("nested/dir/state.db").path }

    override func setUp() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-test-\(UUID().uuidString)")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    func record(
        _ reason: String = "ReconciliationSucceeded", product: String = "dialogporten", env: String = "at23",
        outcome: Outcome = .dispatched, at: EpochMilliseconds = 1_000, repo: String = "Altinn/dialogporten",
        eventType: String = "flux-deploy", message: String = "ok", githubStatus: Int? = 204
    ) -> EventRecord {
        let event = FluxEvent(
            involvedObject: .init(kind: "Kustomization", name: "\(product)-apps", namespace: "product-\(product)"),
            severity: "info", reason: reason, message: message,
            metadata: [
                "product": product, "env": env, "dispatch_repo": repo,
                "kustomize.toolkit.fluxcd.io/revision": "\(env)@sha256:aa",
            ])
        return EventRecord(
            receivedAt: at, sourceAddress: "127.0.0.1", event: event, reasonClass: ReasonClass(reason: reason),
            dispatchRepo: repo, eventType: eventType, dedupKey: "k", outcome: outcome, httpStatus: outcome.httpStatus,
            githubStatus: githubStatus, durationMilliseconds: 1.5, detail: "", body: "{}", payload: nil)
    }

    func testCreatesAPrivateDirectoryAndFileAndMigrates() throws {
        let store = try StateStore(path: path)
        XCTAssertEqual(try store.eventCount(), 0)
        let file = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((file[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let dir = try FileManager.default.attributesOfItem(atPath: (path as NSString).deletingLastPathComponent)
        XCTAssertEqual((dir[.posixPermissions] as? NSNumber)?.intValue, 0o700)
        XCTAssertEqual(try store.integrityCheck(), "ok")
        try store.close()
        // Reopening an existing store is fine and keeps the data.
        let again = try StateStore(path: path)
        XCTAssertEqual(try again.eventCount(), 0)
    }

    func testUsesWriteAheadLogging() throws {
        let store = try StateStore(path: path)
        try store.close()
        let queue = try DatabaseQueue(path: path)
        let mode = try queue.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        XCTAssertEqual(mode, "wal")
    }

    func testRefusesAFileThatIsNotAStore() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let junk = directory.appendingPathComponent("junk.db").path
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: junk))
        XCTAssertThrowsError(try StateStore(path: junk)) { error in
            XCTAssertEqual((error as? StoreError)?.kind, .notAStore, "\(error)")
        }
    }

    func testRefusesAStoreFromANewerVersion() throws {
        try StateStore(path: path).close()
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999: from the future')") }
        try queue.close()
        XCTAssertThrowsError(try StateStore(path: path)) { error in
            XCTAssertEqual((error as? StoreError)?.kind, .newerSchema, "\(error)")
        }
    }

    func testRecordsAnEventWithAttemptsDedupEntryAndEvictionsInOneWrite() async throws {
        let store = try StateStore(path: path)
        var first = EventWrite(record: record(at: 1_000), recordDedupKey: "old")
        first.attempts = [
            DispatchAttempt(startedAt: 1_000, request: .installationToken, status: 201, durationMilliseconds: 3, error: nil),
            DispatchAttempt(startedAt: 1_001, request: .dispatch, status: 204, durationMilliseconds: 5, error: nil),
        ]
        let id = try await store.record(first)
        XCTAssertEqual(try store.attempts(forEvent: id).map(\.status), [201, 204])
        _ = try await store.record(EventWrite(record: record(at: 2_000), recordDedupKey: "new", evictedDedupKeys: ["old"]))
        XCTAssertEqual(try store.dedupEntries(notBefore: 0, limit: 10).map(\.key), ["new"])
        let found = try store.dedupEntry("new", notBefore: 0)
        XCTAssertEqual(found, 2_000)
        let expired = try store.dedupEntry("new", notBefore: 2_001)
        XCTAssertNil(expired)
    }

    /// SQLite goes on writing to a file unlinked while open; the store must not, or a receiver would
    /// answer 200 for events that are gone when it restarts. Deleted, or replaced by another file at
    /// the same path: every write after it fails (a queued one, a direct one, an unwaited one),
    /// and keeps failing once a file is back at the path.
    func testWritesAreRefusedOnceTheFileIsDeletedOrReplaced() async throws {
        for replace in [false, true] {
            let detachedFailures = AsyncStream<StoreError.Kind?>.makeStream()
            let store = try StateStore(path: path) { _, error in
                detachedFailures.continuation.yield((error as? StoreError)?.kind)
            }
            _ = try await store.record(EventWrite(record: record(at: 1_000)))
            XCTAssertNil(store.fileProblem)
            try FileManager.default.removeItem(atPath: path)
            if replace { try StateStore(path: path).close() }
            do {
                _ = try await store.record(EventWrite(record: record(at: 2_000)))
                XCTFail("an event was recorded into a file that is gone (replaced: \(replace))")
            } catch let error as StoreError {
                XCTAssertEqual(error.kind, .fileMoved)
                XCTAssertTrue(error.description.contains(path), error.description)
                XCTAssertTrue(error.description.contains("restart"), error.description)
            }
            XCTAssertEqual(store.fileProblem?.kind, .fileMoved)
            do {
                try await store.beat(receiverID: 1, at: 2_000, tokenState: "none", tokenExpiresAt: nil)
                XCTFail("a heartbeat was written into a file that is gone")
            } catch let error as StoreError {
                XCTAssertEqual(error.kind, .fileMoved)
            }
            if !replace { try StateStore(path: path).close() }
            do {
                _ = try await store.record(EventWrite(record: record(at: 3_000)))
                XCTFail("an event was recorded after a file came back at the path (replaced: \(replace))")
            } catch let error as StoreError {
                XCTAssertEqual(error.kind, .fileMoved)
            }
            store.recordLater(EventWrite(record: record(at: 4_000)))
            var failures = detachedFailures.stream.makeAsyncIterator()
            let failure = await failures.next()
            XCTAssertEqual(failure, .fileMoved, "an unwaited write is refused too")
            // The file now at the path holds none of it.
            let fresh = try StateStore(path: path)
            XCTAssertEqual(try fresh.eventCount(), 0)
            try fresh.close()
            try? store.close()
            try FileManager.default.removeItem(atPath: path)
        }
    }

    /// The event row is bound value by value with SQLite's own calls (`EventRowInsert`): every
    /// column lands where it belongs, text as text (an empty string is not NULL, non-ASCII survives),
    /// absent values as NULL, and a reused statement carries nothing over from the row before.
    func testEveryColumnOfAnEventRowIsWrittenAsRecorded() async throws {
        let store = try StateStore(path: path)
        var full = record(
            "HealthCheckFailed", product: "produkt-æøå", env: "tt02", outcome: .dispatchRejected, at: 42_000,
            repo: "Altinn/app-ø", eventType: "flux-deploy-failed", message: "helse feilet: «timeout» 🚨", githubStatus: 422)
        full.event.metadata["kustomize.toolkit.fluxcd.io/originRevision"] = "feature/x/abc1234"
        full.event.severity = "error"
        full.sourceAddress = "10.0.0.7"
        full.dedupKey = "produkt-æøå/tt02/HealthCheckFailed/sha256:aa/Altinn/app-ø"
        full.detail = "Resource not accessible by integration"
        full.body = #"{"reason":"HealthCheckFailed","message":"helse feilet: «timeout» 🚨"}"#
        full.payload = #"{"event_type":"flux-deploy-failed"}"#
        full.durationMilliseconds = 12.345
        var bare = record("ReconciliationSucceeded", product: "p2", at: 43_000, message: "", githubStatus: nil)
        bare.event.involvedObject = .init(kind: "", name: "", namespace: "")
        bare.dedupKey = nil
        bare.payload = nil
        let fullID = try await store.record(EventWrite(record: full))
        let bareID = try await store.record(EventWrite(record: bare))
        try store.close()

        let fullBody = full.body
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        try await queue.read { db in
            let row = try XCTUnwrap(Row.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [fullID]))
            XCTAssertEqual(row["received_at"] as Int64, 42_000)
            XCTAssertEqual(row["source_address"] as String, "10.0.0.7")
            XCTAssertEqual(row["product"] as String, "produkt-æøå")
            XCTAssertEqual(row["environment"] as String, "tt02")
            XCTAssertEqual(row["reason"] as String, "HealthCheckFailed")
            XCTAssertEqual(row["reason_class"] as String, "failure")
            XCTAssertEqual(row["severity"] as String, "error")
            XCTAssertEqual(row["message"] as String, "helse feilet: «timeout» 🚨")
            XCTAssertEqual(row["object_kind"] as String, "Kustomization")
            XCTAssertEqual(row["object_name"] as String, "produkt-æøå-apps")
            XCTAssertEqual(row["object_namespace"] as String, "product-produkt-æøå")
            XCTAssertEqual(row["revision"] as String, "tt02@sha256:aa")
            XCTAssertEqual(row["commit_sha"] as String, "abc1234")
            XCTAssertEqual(row["dispatch_repo"] as String, "Altinn/app-ø")
            XCTAssertEqual(row["event_type"] as String, "flux-deploy-failed")
            XCTAssertEqual(row["dedup_key"] as String?, "produkt-æøå/tt02/HealthCheckFailed/sha256:aa/Altinn/app-ø")
            XCTAssertEqual(row["outcome"] as String, "dispatch_rejected")
            XCTAssertEqual(row["http_status"] as Int, 200)
            XCTAssertEqual(row["github_status"] as Int?, 422)
            XCTAssertEqual(row["duration_ms"] as Double, 12.345)
            XCTAssertEqual(row["detail"] as String, "Resource not accessible by integration")
            XCTAssertEqual(row["body"] as String, fullBody)
            XCTAssertEqual(row["payload"] as String?, #"{"event_type":"flux-deploy-failed"}"#)

            let second = try XCTUnwrap(Row.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [bareID]))
            for column in ["message", "object_kind", "object_name", "object_namespace", "commit_sha", "detail"] {
                XCTAssertEqual(try String.fetchOne(db, sql: "SELECT typeof(\(column)) FROM event WHERE id = ?", arguments: [bareID]), "text", column)
                XCTAssertEqual(second[column] as String, "", column)
            }
            for column in ["dedup_key", "github_status", "payload"] {
                XCTAssertTrue((second[column] as DatabaseValue).isNull, "\(column) is NULL, not left from the row before")
            }
            XCTAssertEqual(second["product"] as String, "p2")
        }
    }

    func testDedupLookupSeesEveryCommitAndClosesWithTheStore() async throws {
        let store = try StateStore(path: path)
        XCTAssertNil(try store.dedupEntry("later", notBefore: 0), "opens the look-up connection on an empty store")
        _ = try await store.record(EventWrite(record: record(at: 5_000), recordDedupKey: "later"))
        XCTAssertEqual(try store.dedupEntry("later", notBefore: 0), 5_000, "a commit after the connection opened is seen")
        _ = try await store.record(EventWrite(record: record(at: 6_000), recordDedupKey: "later"))
        XCTAssertEqual(try store.dedupEntry("later", notBefore: 0), 6_000)
        XCTAssertGreaterThan(try openDescriptors(of: path), 0)
        try store.close()
        XCTAssertEqual(try openDescriptors(of: path), 0, "every connection, the look-up's too, is closed")
        XCTAssertThrowsError(try store.dedupEntry("later", notBefore: 0), "no look-up on a closed store")
    }

    /// This process's open file descriptors on the store's files (the database, its WAL and shm).
    private func openDescriptors(of path: String) throws -> Int {
        let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        return fds.filter { fd in
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")) ?? ""
            return target.hasPrefix(real)
        }.count
    }

    func testConcurrentWritesAreAllCommitted() async throws {
        let store = try StateStore(path: path)
        let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
            for i in 0..<500 {
                let write = EventWrite(record: record(at: EpochMilliseconds(i)), recordDedupKey: "key\(i)")
                group.addTask { try await store.record(write) }
            }
            return try await group.reduce(into: Set<Int64>()) { $0.insert($1) }
        }
        XCTAssertEqual(ids.count, 500)
        XCTAssertEqual(try store.eventCount(), 500)
        XCTAssertEqual(try store.dedupEntryCount(), 500)
    }

    /// Makes every insert of an event of product `poison` fail with SQLite's `RAISE(action)`:
    /// `ABORT` fails that statement, `ROLLBACK` rolls the whole transaction back with it.
    func poisonInserts(raising action: String) async throws {
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: """
                CREATE TRIGGER poison BEFORE INSERT ON event WHEN NEW.product = 'poison'
                BEGIN SELECT RAISE(\(action), 'poisoned'); END
                """)
        }
        try queue.close()
    }

    /// Records `count` writes at once (received at 0, 1, …), write `poisoned` of product `poison`
    /// and the others spread over `products` products; says of each whether it was recorded.
    func recordConcurrently(_ store: StateStore, count: Int, poisoned: Int, products: Int) async -> [Int: Bool] {
        await withTaskGroup(of: (Int, Bool).self) { group in
            for i in 0..<count {
                let write = EventWrite(
                    record: record(product: i == poisoned ? "poison" : "p\(i % products)", at: EpochMilliseconds(i)),
                    recordDedupKey: "key\(i)")
                group.addTask { ((try? await store.record(write)) != nil) ? (i, true) : (i, false) }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
    }

    func testOneFailingWriteInAGroupCommitFailsAloneAndTheOthersAreCommitted() async throws {
        let store = try StateStore(path: path)
        // One product's insert fails, as a full disk or a constraint would.
        try await poisonInserts(raising: "ABORT")
        let outcomes = await recordConcurrently(store, count: 300, poisoned: 150, products: 7)
        XCTAssertEqual(outcomes.filter { !$0.value }.map(\.key), [150], "only the poisoned write fails")
        XCTAssertEqual(try store.eventCount(), 299)
        XCTAssertEqual(try store.dedupEntryCount(), 299, "its dedup entry went with it")
        let entry = try store.dedupEntry("key150", notBefore: 0)
        XCTAssertNil(entry)
        XCTAssertEqual(try store.activity(since: 0).events, 299, "the batch's minute counters count only what was written")
    }

    /// When SQLite itself rolls back the whole transaction mid-batch (as after a full disk; here a
    /// trigger's `RAISE(ROLLBACK)`), no write may be reported recorded unless its row is there: the
    /// writes after it must not be committed one by one outside the batch's transaction either.
    func testAWriteIsReportedRecordedOnlyIfItsRowIsThereWhenSQLiteRollsBackTheBatch() async throws {
        let store = try StateStore(path: path)
        try await poisonInserts(raising: "ROLLBACK")
        let outcomes = await recordConcurrently(store, count: 200, poisoned: 100, products: 5)
        XCTAssertEqual(outcomes[100], false)
        let reader = try DatabaseQueue(path: path)
        defer { try? reader.close() }
        let stored = try await reader.read { db in
            Set(try Int64.fetchAll(db, sql: "SELECT received_at FROM event").map(Int.init))
        }
        for i in 0..<200 where i != 100 {
            XCTAssertEqual(outcomes[i], stored.contains(i), "write \(i): reported \(outcomes[i] == true ? "recorded" : "failed")")
        }
        // The store is still usable afterwards.
        _ = try await store.record(EventWrite(record: record(product: "after", at: 1_000)))
        XCTAssertEqual(try store.eventCount(), stored.count + 1)
    }

    /// An unwaited write may wait for others to share its commit, but never holds up a waited one, a
    /// flush or a half-full batch: with the pause an hour long, each of those still goes through.
    func testThePauseForUnwaitedWritesEndsForAWaitedWriteAFlushAndAHalfFullBatch() async throws {
        let store = try StateStore(path: path, detachedWritePause: .seconds(3600))
        // Each step first gives the queue time to start its pause, then must finish well within it.
        actor Finished { var yes = false; func set() { yes = true } }
        func finishes(_ step: @escaping @Sendable () async throws -> Void) async throws -> Bool {
            // Unstructured, so a step stuck in the pause fails the test instead of holding it up.
            let finished = Finished()
            Task {
                try await step()
                await finished.set()
            }
            for _ in 0..<200 {
                if await finished.yes { return true }
                try await Task.sleep(for: .milliseconds(100))
            }
            return false
        }
        store.recordLater(EventWrite(record: record(product: "dup", outcome: .duplicate, at: 1)))
        try await Task.sleep(for: .milliseconds(200))
        let waitedWrite = EventWrite(record: record(product: "waited", at: 2))
        let waited = try await finishes { _ = try await store.record(waitedWrite) }
        XCTAssertTrue(waited, "a waited write ends the pause")
        XCTAssertEqual(try store.eventCount(), 2, "the waited write and the unwaited one before it")

        store.recordLater(EventWrite(record: record(product: "dup", outcome: .duplicate, at: 3)))
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(try store.eventCount(), 2, "the unwaited write is still waiting for company")
        let flushed = try await finishes { await store.flush() }
        XCTAssertTrue(flushed, "a flush ends the pause")
        XCTAssertEqual(try store.eventCount(), 3)

        for i in 0..<256 { store.recordLater(EventWrite(record: record(product: "dup", outcome: .duplicate, at: 4 + EpochMilliseconds(i)))) }
        var count = 0
        for _ in 0..<200 {
            count = try store.eventCount()
            if count == 259 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTAssertEqual(count, 259, "half a batch of unwaited writes is committed without waiting out the pause")
    }

    /// The minute counters are added up per batch: whatever the batching, the totals per minute
    /// and per dedup series are those of one count per event.
    func testMinuteCountersOfConcurrentWritesAddUpPerMinuteAndSeries() async throws {
        let store = try StateStore(path: path)
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<600 {
                // Three minutes; every third event a duplicate, in two products; some dispatch failures.
                let outcome: Outcome = i % 3 == 0 ? .duplicate : (i % 10 == 1 ? .dispatchRejected : .dispatched)
                let write = EventWrite(record: record(product: i % 2 == 0 ? "a" : "b", outcome: outcome, at: EpochMilliseconds(i * 300)))
                if i % 4 == 0 {
                    group.addTask { store.recordLater(write) }
                } else {
                    group.addTask { _ = try? await store.record(write) }
                }
            }
        }
        await store.flush()
        for minute in 0..<3 {
            let from = EpochMilliseconds(minute * 60_000)
            let inMinute = (0..<600).filter { $0 * 300 >= from && $0 * 300 < from + 60_000 }
            let counts = try store.activity(since: from).events - (minute < 2 ? try store.activity(since: from + 60_000).events : 0)
            XCTAssertEqual(counts, inMinute.count, "minute \(minute)")
        }
        let total = try store.activity(since: 0)
        XCTAssertEqual(total.events, 600)
        XCTAssertEqual(total.duplicates, 200)
        XCTAssertEqual(total.dispatchFailed, (0..<600).filter { $0 % 3 != 0 && $0 % 10 == 1 }.count)
        XCTAssertEqual(total.delivered, 600 - 200 - total.dispatchFailed)
        let hits = try store.dedupHits(since: 0)
        XCTAssertEqual(hits.map(\.product).sorted(), ["a", "b"])
        XCTAssertEqual(hits.map(\.count).reduce(0, +), 200)
        XCTAssertEqual(hits.first { $0.product == "b" }?.lastAt, 597 * 300, "the newest duplicate of b")
    }

    func testEnvironmentStateFollowsFluxAndRouteStateFollowsDispatches() async throws {
        let store = try StateStore(path: path)
        _ = try await store.record(EventWrite(record: record("ReconciliationSucceeded", at: 1_000)))
        _ = try await store.record(EventWrite(record: record("HealthCheckFailed", outcome: .dispatched, at: 2_000, message: "timeout")))
        _ = try await store.record(EventWrite(record: record("HealthCheckFailed", outcome: .duplicate, at: 3_000, message: "timeout")))
        var state = try store.environmentState(product: "dialogporten", environment: "at23")
        XCTAssertEqual(state?.lastReasonClass, "failure")
        XCTAssertEqual(state?.failingSince, 2_000)
        XCTAssertEqual(state?.consecutiveFailures, 2)
        XCTAssertEqual(state?.lastFailureMessage, "timeout")
        XCTAssertEqual(state?.lastSuccessAt, 1_000)
        _ = try await store.record(EventWrite(record: record("ReconciliationSucceeded", at: 4_000)))
        state = try store.environmentState(product: "dialogporten", environment: "at23")
        XCTAssertNil(state?.failingSince)
        XCTAssertEqual(state?.consecutiveFailures, 0)
        // Ignored reasons do not touch the state.
        _ = try await store.record(EventWrite(record: record("Progressing", outcome: .ignoredReason, at: 5_000)))
        XCTAssertEqual(try store.environmentState(product: "dialogporten", environment: "at23")?.lastEventAt, 4_000)

        _ = try await store.record(EventWrite(record: record(outcome: .dispatchRejected, at: 6_000, githubStatus: 404)))
        _ = try await store.record(EventWrite(record: record(outcome: .dispatchUnavailable, at: 7_000, githubStatus: 500)))
        var route = try store.routeState(product: "dialogporten", environment: "at23", repo: "Altinn/dialogporten", eventType: "flux-deploy")
        XCTAssertEqual(route?.failingSince, 6_000)
        XCTAssertEqual(route?.consecutiveFailures, 2)
        XCTAssertEqual(route?.lastGitHubStatus, 500)
        _ = try await store.record(EventWrite(record: record(outcome: .dispatched, at: 8_000)))
        route = try store.routeState(product: "dialogporten", environment: "at23", repo: "Altinn/dialogporten", eventType: "flux-deploy")
        XCTAssertNil(route?.failingSince)
        XCTAssertEqual(route?.lastDeliveredAt, 8_000)
    }

    func testPruneEventsRemovesOnlyOldOnesWithTheirAttempts() async throws {
        let store = try StateStore(path: path)
        for i in 0..<5000 {
            var write = EventWrite(record: record(at: EpochMilliseconds(i)))
            write.attempts = [DispatchAttempt(startedAt: EpochMilliseconds(i), request: .dispatch, status: 204, durationMilliseconds: 1, error: nil)]
            _ = try await store.record(write)
        }
        let removed = try await store.pruneEvents(before: 4000, batchSize: 1000)
        XCTAssertEqual(removed, 4000)
        XCTAssertEqual(try store.eventCount(), 1000)
        XCTAssertEqual(try store.attemptCount(), 1000)
    }

    func testPruneDedupByAgeAndCap() async throws {
        let store = try StateStore(path: path)
        for i in 0..<10 {
            _ = try await store.record(EventWrite(record: record(at: EpochMilliseconds(i * 100)), recordDedupKey: "k\(i)"))
        }
        // Older than 300 ms goes, then only the 4 newest stay.
        let removed = try await store.pruneDedup(before: 300, keep: 4)
        XCTAssertEqual(removed, 6)
        XCTAssertEqual(try store.dedupEntries(notBefore: 0, limit: 100).map(\.key), ["k6", "k7", "k8", "k9"])
    }

    func testRejectionsAreCountedPerMinuteAndSource() async throws {
        let store = try StateStore(path: path)
        let key = RejectionCountKey(minute: 60_000, sourceAddress: "10.0.0.1", kind: .badSignature)
        try await store.addRejections([key: 3])
        try await store.addRejections([key: 4, RejectionCountKey(minute: 60_000, sourceAddress: "10.0.0.2", kind: .tooLarge): 1])
        let counts = try store.rejectionCounts(since: 0)
        XCTAssertEqual(counts[.badSignature], 7)
        XCTAssertEqual(counts[.tooLarge], 1)
        XCTAssertEqual(try store.eventCount(), 0)
    }

    func testHeartbeatTellsLiveFromStoppedReceivers() async throws {
        let store = try StateStore(path: path)
        let info = ReceiverInfo(
            host: "ops-box", pid: 42, listenAddress: "0.0.0.0:8080", metricsAddress: "0.0.0.0:9090", mode: "serve",
            deliveryMode: "sync", dryRun: false, version: "test", startedAt: 1_000, lastBeatAt: 1_000)
        let id = try await store.registerReceiver(info)
        try await store.beat(receiverID: id, at: 5_000, tokenState: "valid", tokenExpiresAt: 9_000)
        XCTAssertEqual(try store.liveReceivers(freshAfter: 4_000).map(\.tokenState), ["valid"])
        XCTAssertTrue(try store.liveReceivers(freshAfter: 6_000).isEmpty, "a stale beat is not live")
        try await store.markStopped(receiverID: id, at: 5_500)
        XCTAssertTrue(try store.liveReceivers(freshAfter: 0).isEmpty, "a stopped receiver is not live")
    }

    func testASecondProcessSeesCommittedWrites() async throws {
        let writer = try StateStore(path: path)
        let reader = try StateStore(path: path)
        _ = try await writer.record(EventWrite(record: record(at: 1), recordDedupKey: "shared"))
        XCTAssertEqual(try reader.eventCount(), 1)
        let seen = try reader.dedupEntry("shared", notBefore: 0)
        XCTAssertEqual(seen, 1)
    }
}
