import FluxDispatchCore
import GRDB

/// The store's reads against one open read transaction. `StateStore.read` hands one out, so the
/// dashboard loads everything a frame shows in a single transaction: one consistent picture (the
/// header's counts agree with the feed) and one connection checkout instead of a dozen. Each query
/// is also a `StateStore` method of the same name that runs it alone.
public struct StoreView {
    let db: Database
}

extension StateStore {
    /// Runs `body` with a view of the store inside one read transaction.
    public func read<T>(_ body: (StoreView) throws -> T) throws -> T {
        try pool.read { db in try body(StoreView(db: db)) }
    }
}

extension StoreView {
    public func dismissals() throws -> [Dismissal] {
        try Row.fetchAll(db, sql: "SELECT product, operator, dismissed_at FROM dismissal ORDER BY dismissed_at DESC").map {
            Dismissal(product: $0["product"], operatorName: $0["operator"], dismissedAt: $0["dismissed_at"])
        }
    }

    /// The newest events first, at most `limit`, optionally filtered.
    public func recentEvents(limit: Int, filter: FeedFilter = FeedFilter(), before: Int64? = nil) throws -> [FeedEntry] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let before {
            conditions.append("id < ?")
            _ = arguments.append(contentsOf: [before])
        }
        if !filter.text.isEmpty {
            conditions.append("(instr(lower(product), lower(?)) > 0 OR instr(lower(environment), lower(?)) > 0)")
            _ = arguments.append(contentsOf: [filter.text, filter.text])
        }
        if filter.failuresOnly {
            conditions.append("(reason_class = 'failure' OR outcome IN ('dispatch_rejected', 'dispatch_unavailable', 'github_auth_failed', 'dispatch_dead'))")
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        _ = arguments.append(contentsOf: [limit])
        return try FeedEntry.fetchAll(
            db, sql: "SELECT \(FeedEntry.columns) FROM event \(whereClause) ORDER BY id DESC LIMIT ?", arguments: arguments)
    }

    public func eventDetail(id: Int64) throws -> EventDetail? {
        guard let row = try Row.fetchOne(
            db,
            sql: """
                SELECT \(FeedEntry.columns), source_address, severity, message, object_kind, object_name,
                    object_namespace, revision, dedup_key, http_status, body, payload
                FROM event WHERE id = ?
                """,
            arguments: [id])
        else { return nil }
        let attempts = try StateStore.attempts(forEvent: id, in: db)
        let delivery = try Row.fetchOne(db, sql: "SELECT \(OutboxItem.columns) WHERE o.event_id = ?", arguments: [id])
            .map(OutboxItem.init(row:))
        return EventDetail(
            entry: FeedEntry(row: row), sourceAddress: row["source_address"], severity: row["severity"],
            message: row["message"], objectKind: row["object_kind"], objectName: row["object_name"],
            objectNamespace: row["object_namespace"], revision: row["revision"], dedupKey: row["dedup_key"],
            httpStatus: row["http_status"], body: row["body"], payload: row["payload"], attempts: attempts,
            delivery: delivery, redeliveries: try StateStore.redeliveries(eventID: id, in: db))
    }

    /// Counters summed over the minutes starting at or after `since`.
    public func activity(since: EpochMilliseconds) throws -> ActivitySummary {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT COALESCE(SUM(events), 0) AS events, COALESCE(SUM(delivered), 0) AS delivered,
                    COALESCE(SUM(dispatch_failed), 0) AS failed, COALESCE(SUM(duplicates), 0) AS duplicates
                FROM activity_minute WHERE minute >= ?
                """,
            arguments: [since.minuteStart])
        return ActivitySummary(
            events: row?["events"] ?? 0, delivered: row?["delivered"] ?? 0, dispatchFailed: row?["failed"] ?? 0,
            duplicates: row?["duplicates"] ?? 0)
    }

    /// When the newest event was received.
    public func lastEventAt() throws -> EpochMilliseconds? {
        try EpochMilliseconds.fetchOne(db, sql: "SELECT MAX(received_at) FROM event")
    }

    /// Dedup hits per product, environment and reason in the minutes since `since`, newest first.
    public func dedupHits(since: EpochMilliseconds, limit: Int = 200) throws -> [DedupHitSummary] {
        DedupHitSummary.newestFirst(try dedupHitGroups(fromMinute: since.minuteStart), limit: limit)
    }

    /// Dedup hits per product, environment and reason in the minutes from `fromMinute` up to (not
    /// including) `toMinute`, in no particular order.
    func dedupHitGroups(fromMinute: EpochMilliseconds, toMinute: EpochMilliseconds = .max) throws -> [DedupHitSummary] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT product, environment, reason, SUM(count), MAX(last_at)
                FROM dedup_hit_minute WHERE minute >= ? AND minute < ?
                GROUP BY product, environment, reason
                """,
            arguments: [fromMinute, toMinute]
        ).map {
            DedupHitSummary(product: $0[0], environment: $0[1], reason: $0[2], count: $0[3], lastAt: $0[4])
        }
    }

    /// Environments and routes currently failing: what the callouts are made of. Reads only the
    /// state rows kept on write, never the event history.
    public func failingStates() throws -> (environments: [EnvironmentState], routes: [RouteState]) {
        let environments = try Row.fetchAll(
            db, sql: "SELECT * FROM environment_state WHERE failing_since IS NOT NULL ORDER BY last_failure_at DESC"
        ).map(EnvironmentState.init(row:))
        let routes = try Row.fetchAll(
            db, sql: "SELECT * FROM route_state WHERE failing_since IS NOT NULL ORDER BY last_attempt_at DESC"
        ).map(RouteState.init(row:))
        return (environments, routes)
    }

    /// Receivers that have not stopped and beat at or after `freshAfter`, newest first.
    public func liveReceivers(freshAfter: EpochMilliseconds) throws -> [ReceiverInfo] {
        try Row.fetchAll(
            db,
            sql: "SELECT * FROM receiver WHERE stopped_at IS NULL AND last_beat_at >= ? ORDER BY last_beat_at DESC",
            arguments: [freshAfter]
        ).map(ReceiverInfo.init(row:))
    }

    /// Pending and retrying counts, the oldest pending, paused repositories, and how many ended
    /// dead or rejected since `endedSince`. With a `countLimit`, counts of pending dispatches stop
    /// there and retrying ones are not counted: a dashboard asks for this ten times a second, and a
    /// queue of 100,000 during a long outage should not make each frame read all of it.
    public func outboxSummary(endedSince: EpochMilliseconds, countLimit: Int = .max) throws -> OutboxSummary {
        let limited = countLimit != .max
        let pending = try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE state = 'pending' LIMIT ?)", arguments: [countLimit]) ?? 0
        let retrying = limited ? nil : try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND attempts > 0")
        // The partial index on (queued_at, attempts) gives the oldest at once.
        let oldest = try EpochMilliseconds.fetchOne(db, sql: "SELECT MIN(queued_at) FROM outbox WHERE state = 'pending'")
        var ended: [String: Int] = [:]
        for row in try Row.fetchAll(
            db,
            sql: "SELECT state, COUNT(*) AS n FROM outbox WHERE state IN ('dead', 'rejected') AND finished_at >= ? GROUP BY state",
            arguments: [endedSince])
        {
            ended[row["state"]] = row["n"]
        }
        let paused = try StateStore.deliveryCircuits(in: db).filter(\.isPaused).map { circuit in
            PausedRepository(
                circuit: circuit,
                pending: try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE state = 'pending' AND dispatch_repo = ? LIMIT ?)",
                    arguments: [circuit.dispatchRepo, countLimit]) ?? 0)
        }.filter { $0.pending > 0 }  // a paused repository nothing waits on is no one's problem
        return OutboxSummary(
            pending: pending, retrying: retrying, oldestQueuedAt: oldest, dead: ended["dead"] ?? 0,
            rejected: ended["rejected"] ?? 0, paused: paused, countLimit: countLimit)
    }
}
