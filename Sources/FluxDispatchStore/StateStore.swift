import FluxDispatchCore
import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// The one SQLite file shared by the receiver, dashboards and CLI commands on a machine.
///
/// WAL mode lets any number of readers work beside one writer; a busy timeout rides out the short
/// moments when two processes write (heartbeats, dismissals). `synchronous = NORMAL` means a commit
/// survives the process being killed (the WAL is in the OS's hands) but not a power cut between
/// checkpoints — the trade the receiver wants for its latency.
public final class StateStore: Sendable {
    public let path: String
    let pool: DatabasePool
    private let writeQueue: EventWriteQueue
    private let fileGuard: StoreFileGuard
    private let dedupLookup: DedupLookup

    /// Opens (creating if needed) the store at `path`. The directory is created mode 0700 and the
    /// file 0600: events carry deployment details and must not be world-readable.
    /// `onDetachedFailure` hears of writes queued with `recordLater` that failed;
    /// `detachedWritePause` is the longest such a write waits for others to share its commit.
    public init(
        path: String, detachedWritePause: Duration = .milliseconds(10),
        onDetachedFailure: @escaping @Sendable (EventWrite, any Error) -> Void = { _, _ in }
    ) throws {
        self.path = path
        try Self.prepareFile(at: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch let error as DatabaseError {
            if error.resultCode == .SQLITE_NOTADB {
                throw StoreError(kind: .notAStore, path: path, problem: "the file is not an SQLite database")
            }
            throw StoreError(kind: .cannotOpen, path: path, problem: error.message ?? "\(error)")
        }
        let migrator = Schema.migrator
        do {
            let superseded = try pool.read { db in try migrator.hasBeenSuperseded(db) }
            if superseded {
                throw StoreError(kind: .newerSchema, path: path, problem: "it has migrations this version does not know")
            }
            try migrator.migrate(pool)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            if error.resultCode == .SQLITE_NOTADB {
                throw StoreError(kind: .notAStore, path: path, problem: "the file is not an SQLite database")
            }
            throw StoreError(kind: .cannotOpen, path: path, problem: error.message ?? "\(error)")
        }
        fileGuard = StoreFileGuard(path: path)
        writeQueue = EventWriteQueue(
            pool: pool, fileGuard: fileGuard, detachedPause: detachedWritePause, onDetachedFailure: onDetachedFailure)
        dedupLookup = DedupLookup(path: path)
    }

    /// Checkpoints the WAL into the database file and closes the connections; call after the last
    /// write has finished. Leaves a self-contained file behind.
    public func close() throws {
        try dedupLookup.close()
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        try pool.close()
    }

    /// Whether the file can still be written by this process (for readiness checks).
    public var isWritable: Bool { access(path, W_OK) == 0 }

    /// Why writes are refused for good, if they are: the file was deleted or replaced while open.
    public var fileProblem: StoreError? {
        fileGuard.hasMoved ? fileGuard.error : nil
    }

    /// One write transaction. Every write goes through here or through the write queue, both of
    /// which refuse to write once the file is gone (`StoreFileGuard`).
    func write<T: Sendable>(_ updates: @Sendable (Database) throws -> T) async throws -> T {
        let fileGuard = self.fileGuard
        return try await pool.write { db in
            try fileGuard.check(db)
            return try updates(db)
        }
    }

    private static func prepareFile(at path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError(kind: .cannotCreateDirectory, path: path, problem: error.localizedDescription)
            }
        }
        // Create the file with 0600 before SQLite does (SQLite would honour the umask, typically 0644);
        // SQLite gives the -wal and -shm files the permissions of the database file.
        let fd = open(path, O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else {
            throw StoreError(kind: .cannotOpen, path: path, problem: String(cString: strerror(errno)))
        }
        Glibc.close(fd)
    }

    // MARK: - Events

    /// Writes one event with everything it changes (attempts, dedup entry, evictions, product and
    /// route state) in one transaction, grouped with concurrent writes into one commit. Returns the
    /// event's id once it is committed.
    public func record(_ write: EventWrite) async throws -> Int64 {
        try await writeQueue.submit(write)
    }

    /// Queues an event's writes for the next group commit without waiting for it. For records whose
    /// loss in a crash costs nothing but the record itself (a duplicate: the event it repeats is
    /// already recorded and dispatched), so their answer need not wait on the disk. A graceful stop
    /// commits them (`flush`); a killed process loses at most the last few milliseconds of them
    /// (`detachedWritePause` and the commit in progress).
    public func recordLater(_ write: consuming EventWrite) {
        writeQueue.submitDetached(write)
    }

    /// Waits until every write queued so far is committed.
    public func flush() async {
        await writeQueue.drain()
    }

    /// Applies one event's writes inside an open transaction, all but its minute counters and its
    /// environment's state, which the write queue adds up for the whole batch (`MinuteCounters`,
    /// `EnvironmentStateChanges`).
    static func apply(_ write: EventWrite, in db: Database) throws -> Int64 {
        let r = write.record
        let e = r.event
        let eventID = try EventRowInsert.insert(r, in: db)
        for attempt in write.attempts {
            try db.cachedStatement(sql: """
                INSERT INTO dispatch_attempt (event_id, started_at, request, status, duration_ms, error)
                VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    eventID, attempt.startedAt, attempt.request.rawValue, attempt.status, attempt.durationMilliseconds,
                    attempt.error,
                ])
        }
        if let key = write.recordDedupKey {
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO dedup_entry (key, recorded_at, event_id) VALUES (?, ?, ?)")
                .execute(arguments: [key, r.receivedAt, eventID])
        }
        for key in write.evictedDedupKeys {
            try db.cachedStatement(sql: "DELETE FROM dedup_entry WHERE key = ?").execute(arguments: [key])
        }
        if let entry = write.enqueue {
            try enqueue(entry, eventID: eventID, product: e.product, environment: e.environment, reason: e.reason,
                at: r.receivedAt, requestedBy: nil, in: db)
        }
        try updateRouteState(for: r, eventID: eventID, in: db)
        return eventID
    }

    /// Adds to one minute's activity counters. A queued dispatch counts as delivered or failed in
    /// the minute its delivery ends.
    static func countActivity(
        minute: EpochMilliseconds, events: Int, delivered: Int, dispatchFailed: Int, duplicates: Int, in db: Database
    ) throws {
        try db.cachedStatement(sql: """
            INSERT INTO activity_minute (minute, events, delivered, dispatch_failed, duplicates) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (minute) DO UPDATE SET events = events + excluded.events, delivered = delivered + excluded.delivered,
                dispatch_failed = dispatch_failed + excluded.dispatch_failed, duplicates = duplicates + excluded.duplicates
            """).execute(arguments: [minute, events, delivered, dispatchFailed, duplicates])
    }

    private static func updateRouteState(for r: EventRecord, eventID: Int64, in db: Database) throws {
        guard r.outcome.isDelivered || r.outcome.isDispatchFailure else { return }
        try updateRouteState(
            RouteKey(product: r.event.product, environment: r.event.environment, dispatchRepo: r.dispatchRepo, eventType: r.eventType),
            at: r.receivedAt, eventID: eventID, outcome: r.outcome, githubStatus: r.githubStatus, error: r.detail, in: db)
    }

    /// A route: one product and environment dispatching one event type to one repository.
    struct RouteKey {
        var product: String
        var environment: String
        var dispatchRepo: String
        var eventType: String
    }

    /// Records the end of one dispatch on its route: delivered resets it, a failure starts or
    /// extends its run of failures (which is what a dispatch callout shows).
    static func updateRouteState(
        _ route: RouteKey, at: EpochMilliseconds, eventID: Int64, outcome: Outcome, githubStatus: Int?, error: String,
        in db: Database
    ) throws {
        if outcome.isDelivered {
            try db.cachedStatement(sql: """
                INSERT INTO route_state (product, environment, dispatch_repo, event_type, last_attempt_at, last_event_id,
                    last_outcome, last_github_status, last_error, last_delivered_at, failing_since, consecutive_failures)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, NULL, 0)
                ON CONFLICT (product, environment, dispatch_repo, event_type) DO UPDATE SET
                    last_attempt_at = excluded.last_attempt_at, last_event_id = excluded.last_event_id,
                    last_outcome = excluded.last_outcome, last_github_status = excluded.last_github_status,
                    last_error = NULL, last_delivered_at = excluded.last_delivered_at,
                    failing_since = NULL, consecutive_failures = 0
                """).execute(arguments: [
                    route.product, route.environment, route.dispatchRepo, route.eventType, at, eventID,
                    outcome.rawValue, githubStatus, at,
                ])
        } else if outcome.isDispatchFailure {
            try db.cachedStatement(sql: """
                INSERT INTO route_state (product, environment, dispatch_repo, event_type, last_attempt_at, last_event_id,
                    last_outcome, last_github_status, last_error, failing_since, consecutive_failures)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
                ON CONFLICT (product, environment, dispatch_repo, event_type) DO UPDATE SET
                    last_attempt_at = excluded.last_attempt_at, last_event_id = excluded.last_event_id,
                    last_outcome = excluded.last_outcome, last_github_status = excluded.last_github_status,
                    last_error = excluded.last_error,
                    failing_since = COALESCE(route_state.failing_since, excluded.failing_since),
                    consecutive_failures = route_state.consecutive_failures + 1
                """).execute(arguments: [
                    route.product, route.environment, route.dispatchRepo, route.eventType, at, eventID,
                    outcome.rawValue, githubStatus, error, at,
                ])
        }
    }

    // MARK: - Dedup

    /// The unexpired dedup entries, oldest first, at most `limit` (the newest ones).
    public func dedupEntries(notBefore: EpochMilliseconds, limit: Int) throws -> [(key: String, recordedAt: EpochMilliseconds)] {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT key, recorded_at FROM (
                        SELECT key, recorded_at FROM dedup_entry WHERE recorded_at >= ? ORDER BY recorded_at DESC LIMIT ?
                    ) ORDER BY recorded_at ASC
                    """,
                arguments: [notBefore, limit]
            ).map { (key: $0["key"], recordedAt: $0["recorded_at"]) }
        }
    }

    /// When `key` was recorded, if it is in the store and not older than `notBefore`. Asked for
    /// every new dedup key, on a connection of its own (`DedupLookup`).
    public func dedupEntry(_ key: String, notBefore: EpochMilliseconds) throws -> EpochMilliseconds? {
        try dedupLookup.recordedAt(key, notBefore: notBefore)
    }

    public func dedupEntryCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dedup_entry") ?? 0 }
    }

    /// Deletes entries older than `before` and, beyond the `keep` newest, the oldest. Returns how many went.
    @discardableResult
    public func pruneDedup(before: EpochMilliseconds, keep: Int) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM dedup_entry WHERE recorded_at < ?", arguments: [before])
            var removed = db.changesCount
            try db.execute(
                sql: """
                    DELETE FROM dedup_entry WHERE key IN (
                        SELECT key FROM dedup_entry ORDER BY recorded_at DESC LIMIT -1 OFFSET ?)
                    """,
                arguments: [keep])
            removed += db.changesCount
            return removed
        }
    }

    // MARK: - Retention

    /// Deletes events (and their attempts) received before `before`, in small batches so readers and
    /// the receiver are never blocked for long. Events whose dispatch is still pending in the outbox are
    /// kept until it ends. Also drops old counters. Returns events deleted.
    @discardableResult
    public func pruneEvents(before: EpochMilliseconds, batchSize: Int = 2000) async throws -> Int {
        var total = 0
        while true {
            let deleted = try await write { db -> Int in
                try db.execute(
                    sql: """
                        DELETE FROM event WHERE id IN (
                            SELECT id FROM event WHERE received_at < ?
                                AND id NOT IN (SELECT event_id FROM outbox WHERE state = 'pending')
                            ORDER BY id LIMIT ?)
                        """,
                    arguments: [before, batchSize])
                return db.changesCount
            }
            total += deleted
            if deleted < batchSize { break }
            await Task.yield()
        }
        try await write { db in
            try db.execute(sql: "DELETE FROM rejected_request WHERE minute < ?", arguments: [before])
            try db.execute(sql: "DELETE FROM activity_minute WHERE minute < ?", arguments: [before])
            try db.execute(sql: "DELETE FROM dedup_hit_minute WHERE minute < ?", arguments: [before])
        }
        return total
    }

    // MARK: - Rejected requests

    /// Adds to the per-minute, per-source counters of refused requests.
    public func addRejections(_ counts: [RejectionCountKey: Int]) async throws {
        guard !counts.isEmpty else { return }
        try await write { db in
            for (key, count) in counts {
                try db.cachedStatement(sql: """
                    INSERT INTO rejected_request (minute, source_address, kind, count) VALUES (?, ?, ?, ?)
                    ON CONFLICT (minute, source_address, kind) DO UPDATE SET count = rejected_request.count + excluded.count
                    """).execute(arguments: [key.minute, key.sourceAddress, key.kind.rawValue, count])
            }
        }
    }

    public func rejectionCounts(since: EpochMilliseconds) throws -> [RejectionKind: Int] {
        try pool.read { db in
            var result: [RejectionKind: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT kind, SUM(count) AS n FROM rejected_request WHERE minute >= ? GROUP BY kind", arguments: [since])
            {
                if let kind = RejectionKind(rawValue: row["kind"]) { result[kind] = row["n"] }
            }
            return result
        }
    }

    // MARK: - Receivers (heartbeat)

    public func registerReceiver(_ info: ReceiverInfo) async throws -> Int64 {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO receiver (host, pid, listen_address, metrics_address, mode, delivery_mode, dry_run, version,
                        started_at, last_beat_at, token_state, token_expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    info.host, info.pid, info.listenAddress, info.metricsAddress, info.mode, info.deliveryMode,
                    info.dryRun, info.version, info.startedAt, info.lastBeatAt, info.tokenState, info.tokenExpiresAt,
                ])
            return db.lastInsertedRowID
        }
    }

    public func beat(receiverID: Int64, at: EpochMilliseconds, tokenState: String, tokenExpiresAt: EpochMilliseconds?) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE receiver SET last_beat_at = ?, token_state = ?, token_expires_at = ? WHERE id = ?",
                arguments: [at, tokenState, tokenExpiresAt, receiverID])
            // Keep the table small: receivers that stopped long ago say nothing useful.
            try db.execute(
                sql: "DELETE FROM receiver WHERE id != ? AND last_beat_at < ?", arguments: [receiverID, at - 7 * 86_400_000])
        }
    }

    public func markStopped(receiverID: Int64, at: EpochMilliseconds) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE receiver SET stopped_at = ?, last_beat_at = ? WHERE id = ?", arguments: [at, at, receiverID])
        }
    }

    /// Receivers that have not stopped and beat at or after `freshAfter`, newest first.
    public func liveReceivers(freshAfter: EpochMilliseconds) throws -> [ReceiverInfo] {
        try pool.read { db in try StoreView(db: db).liveReceivers(freshAfter: freshAfter) }
    }

    // MARK: - Reads used by tests and the CLI

    public func eventCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event") ?? 0 }
    }

    public func outcomeCounts() throws -> [String: Int] {
        try pool.read { db in
            var result: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT outcome, COUNT(*) AS n FROM event GROUP BY outcome") {
                result[row["outcome"]] = row["n"]
            }
            return result
        }
    }

    /// For each dedup key, how many events of each outcome carry it (for crash and soak checks).
    public func outcomesByDedupKey() throws -> [String: [String: Int]] {
        try pool.read { db in
            var result: [String: [String: Int]] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT dedup_key, outcome, COUNT(*) FROM event WHERE dedup_key IS NOT NULL GROUP BY dedup_key, outcome")
            while let row = try rows.next() { result[row[0], default: [:]][row[1]] = row[2] }
            return result
        }
    }

    public func attempts(forEvent eventID: Int64) throws -> [DispatchAttempt] {
        try pool.read { db in try Self.attempts(forEvent: eventID, in: db) }
    }

    /// An event's GitHub exchanges, in the order they were made.
    static func attempts(forEvent eventID: Int64, in db: Database) throws -> [DispatchAttempt] {
        try Row.fetchAll(
            db,
            sql: "SELECT started_at, request, status, duration_ms, error FROM dispatch_attempt WHERE event_id = ? ORDER BY id",
            arguments: [eventID]
        ).map { row in
            DispatchAttempt(
                startedAt: row["started_at"], request: DispatchAttempt.Request(rawValue: row["request"]) ?? .dispatch,
                status: row["status"], durationMilliseconds: row["duration_ms"], error: row["error"])
        }
    }

    public func integrityCheck() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }
}

extension ReceiverInfo {
    init(row: Row) {
        self.init(
            id: row["id"], host: row["host"], pid: row["pid"], listenAddress: row["listen_address"],
            metricsAddress: row["metrics_address"], mode: row["mode"], deliveryMode: row["delivery_mode"],
            dryRun: row["dry_run"], version: row["version"], startedAt: row["started_at"], lastBeatAt: row["last_beat_at"],
            stoppedAt: row["stopped_at"], tokenState: row["token_state"], tokenExpiresAt: row["token_expires_at"])
    }
}
