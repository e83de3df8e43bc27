import FluxDispatchCore
import GRDB

/// One dispatch in the outbox, as the delivery worker sees it.
public struct OutboxItem: Sendable, Equatable {
    /// Position in the outbox: delivery per repository follows this order.
    public var id: Int64
    public var eventID: Int64
    public var dispatchRepo: String
    public var eventType: String
    public var product: String
    public var environment: String
    public var reason: String
    public var dedupKey: String
    public var payload: String
    public var state: DeliveryState
    public var queuedAt: EpochMilliseconds
    /// Attempts made so far.
    public var attempts: Int
    public var nextAttemptAt: EpochMilliseconds
    public var lastAttemptAt: EpochMilliseconds?
    public var lastStatus: Int?
    public var lastError: String?
    public var finishedAt: EpochMilliseconds?
    /// The operator who asked for this delivery, when it is a redelivery.
    public var requestedBy: String?

    public init(
        id: Int64, eventID: Int64, dispatchRepo: String, eventType: String, product: String, environment: String, reason: String,
        dedupKey: String, payload: String, state: DeliveryState, queuedAt: EpochMilliseconds, attempts: Int,
        nextAttemptAt: EpochMilliseconds, lastAttemptAt: EpochMilliseconds? = nil, lastStatus: Int? = nil, lastError: String? = nil,
        finishedAt: EpochMilliseconds? = nil, requestedBy: String? = nil
    ) {
        self.id = id
        self.eventID = eventID
        self.dispatchRepo = dispatchRepo
        self.eventType = eventType
        self.product = product
        self.environment = environment
        self.reason = reason
        self.dedupKey = dedupKey
        self.payload = payload
        self.state = state
        self.queuedAt = queuedAt
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastAttemptAt = lastAttemptAt
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.finishedAt = finishedAt
        self.requestedBy = requestedBy
    }

    /// What to select (after SELECT) to read items: the outbox row with its event's payload.
    static let columns = "o.*, e.payload AS payload FROM outbox o JOIN event e ON e.id = o.event_id"

    init(row: Row) {
        id = row["id"]
        eventID = row["event_id"]
        dispatchRepo = row["dispatch_repo"]
        eventType = row["event_type"]
        product = row["product"]
        environment = row["environment"]
        reason = row["reason"]
        dedupKey = row["dedup_key"]
        payload = row["payload"] ?? ""
        state = DeliveryState(rawValue: row["state"]) ?? .pending
        queuedAt = row["queued_at"]
        attempts = row["attempts"]
        nextAttemptAt = row["next_attempt_at"]
        lastAttemptAt = row["last_attempt_at"]
        lastStatus = row["last_status"]
        lastError = row["last_error"]
        finishedAt = row["finished_at"]
        requestedBy = row["requested_by"]
    }
}

public enum DeliveryState: String, Sendable, Equatable {
    case pending, delivered, rejected, dead
}

/// What one delivery attempt (or the expiry sweep) decided for an item; recorded in one transaction.
public struct DeliveryReport: Sendable {
    public enum Result: Sendable, Equatable {
        /// GitHub took it.
        case delivered(status: Int)
        /// GitHub refused it (4xx); no retry.
        case rejected(status: Int?, detail: String)
        /// Failed for now (5xx, timeout, connection, auth, rate limit); try again at `at`.
        case retry(at: EpochMilliseconds, status: Int?, detail: String)
        /// Past the maximum age: given up.
        case dead(status: Int?, detail: String)
    }

    public var item: OutboxItem
    public var result: Result
    /// When the attempt ended (or the item expired).
    public var at: EpochMilliseconds
    /// The HTTP exchanges of this attempt (none for an expiry).
    public var exchanges: [DispatchAttempt]

    public init(item: OutboxItem, result: Result, at: EpochMilliseconds, exchanges: [DispatchAttempt]) {
        self.item = item
        self.result = result
        self.at = at
        self.exchanges = exchanges
    }

    /// Whether this ends delivery with the dedup claim released (rejected or dead).
    public var releasesDedupClaim: Bool {
        switch result {
        case .rejected, .dead: return true
        case .delivered, .retry: return false
        }
    }
}

/// A repository's delivery circuit as persisted, for the dashboard and status.
public struct DeliveryCircuit: Sendable, Equatable {
    public var dispatchRepo: String
    public var consecutiveFailures: Int
    public var openedAt: EpochMilliseconds?
    public var probeAt: EpochMilliseconds?
    public var lastError: String?
    public var lastFailureAt: EpochMilliseconds

    public init(
        dispatchRepo: String, consecutiveFailures: Int, openedAt: EpochMilliseconds?, probeAt: EpochMilliseconds?,
        lastError: String?, lastFailureAt: EpochMilliseconds
    ) {
        self.dispatchRepo = dispatchRepo
        self.consecutiveFailures = consecutiveFailures
        self.openedAt = openedAt
        self.probeAt = probeAt
        self.lastError = lastError
        self.lastFailureAt = lastFailureAt
    }

    /// Paused: the circuit is open.
    public var isPaused: Bool { openedAt != nil }
}

/// The outbox at a glance: for the dashboard header, `status` and the gauges.
public struct OutboxSummary: Sendable, Equatable {
    public var pending: Int
    /// Pending dispatches that have failed at least once; nil when counts are limited (counting
    /// them reads the whole queue).
    public var retrying: Int?
    public var oldestQueuedAt: EpochMilliseconds?
    /// Counts of pending dispatches stop here (the dashboard's header: "queue 10000+").
    public var countLimit: Int = .max
    /// Ended as dead or rejected in the window asked for.
    public var dead: Int
    public var rejected: Int
    /// Repositories whose delivery is paused, with how many dispatches wait for each.
    public var paused: [PausedRepository]

    /// Whether `pending` stopped at `countLimit`: there are at least that many.
    public var pendingReachedLimit: Bool { pending >= countLimit }

    public init(
        pending: Int = 0, retrying: Int? = 0, oldestQueuedAt: EpochMilliseconds? = nil, dead: Int = 0, rejected: Int = 0,
        paused: [PausedRepository] = [], countLimit: Int = .max
    ) {
        self.countLimit = countLimit
        self.pending = pending
        self.retrying = retrying
        self.oldestQueuedAt = oldestQueuedAt
        self.dead = dead
        self.rejected = rejected
        self.paused = paused
    }
}

/// A product and environment whose dispatches wait on a paused repository.
public struct PausedRoute: Sendable, Equatable {
    public var circuit: DeliveryCircuit
    public var product: String
    public var environment: String
    public var eventType: String
    public var pending: Int
    public var oldestEventID: Int64

    public init(
        circuit: DeliveryCircuit, product: String, environment: String, eventType: String, pending: Int, oldestEventID: Int64
    ) {
        self.circuit = circuit
        self.product = product
        self.environment = environment
        self.eventType = eventType
        self.pending = pending
        self.oldestEventID = oldestEventID
    }
}

public struct PausedRepository: Sendable, Equatable {
    public var circuit: DeliveryCircuit
    public var pending: Int

    public init(circuit: DeliveryCircuit, pending: Int) {
        self.circuit = circuit
        self.pending = pending
    }
}

/// Why a redelivery was refused.
public struct RedeliveryError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case noSuchEvent, alreadyQueued, notRedeliverable
    }

    public let kind: Kind
    public let description: String
}

extension StateStore {
    // MARK: - Writes

    /// Puts one dispatch in the outbox, pending and due at once.
    static func enqueue(
        _ entry: OutboxEntry, eventID: Int64, product: String, environment: String, reason: String, at: EpochMilliseconds,
        requestedBy: String?, in db: Database
    ) throws {
        try db.cachedStatement(sql: """
            INSERT INTO outbox (event_id, dispatch_repo, event_type, product, environment, reason, dedup_key,
                state, queued_at, next_attempt_at, requested_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)
            """).execute(arguments: [
                eventID, entry.dispatchRepo, entry.eventType, product, environment, reason, entry.dedupKey, at, at, requestedBy,
            ])
    }

    /// Records what delivery attempts decided, each with everything it changes, in one transaction:
    /// the attempts' HTTP exchanges, the outbox row, the event's outcome, the route's state, the
    /// activity counters, and — when delivery ended rejected or dead — the release of the dedup claim.
    /// `circuits` are the repositories' circuits after these attempts (nil: healthy, no row).
    public func recordDeliveries(_ reports: [DeliveryReport], circuits: [String: DeliveryCircuit?] = [:]) async throws {
        guard !reports.isEmpty || !circuits.isEmpty else { return }
        try await write { db in
            for report in reports { try Self.apply(report, in: db) }
            for (repo, circuit) in circuits { try Self.save(circuit: circuit, repo: repo, in: db) }
        }
    }

    private static func apply(_ report: DeliveryReport, in db: Database) throws {
        let item = report.item
        for exchange in report.exchanges {
            try db.cachedStatement(sql: """
                INSERT INTO dispatch_attempt (event_id, started_at, request, status, duration_ms, error)
                VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    item.eventID, exchange.startedAt, exchange.request.rawValue, exchange.status,
                    exchange.durationMilliseconds, exchange.error,
                ])
        }
        let attempted = report.exchanges.isEmpty ? 0 : 1
        let state: DeliveryState
        let outcome: Outcome
        let status: Int?
        let detail: String
        var nextAttemptAt = item.nextAttemptAt
        switch report.result {
        case .delivered(let s):
            (state, outcome, status, detail) = (.delivered, .dispatched, s, "")
        case .rejected(let s, let d):
            (state, outcome, status, detail) = (.rejected, .dispatchRejected, s, d)
        case .dead(let s, let d):
            (state, outcome, status, detail) = (.dead, .dispatchDead, s, d)
        case .retry(let at, let s, let d):
            (state, outcome, status, detail) = (.pending, .queued, s, d)
            nextAttemptAt = at
        }
        let finishedAt: EpochMilliseconds? = state == .pending ? nil : report.at
        try db.cachedStatement(sql: """
            UPDATE outbox SET state = ?, attempts = attempts + ?, next_attempt_at = ?,
                last_attempt_at = CASE WHEN ? THEN ? ELSE last_attempt_at END,
                last_status = COALESCE(?, last_status), last_error = ?, finished_at = ?
            WHERE id = ?
            """).execute(arguments: [
                state.rawValue, attempted, nextAttemptAt, attempted == 1, report.at, status,
                detail.isEmpty ? nil : detail, finishedAt, item.id,
            ])
        try db.cachedStatement(sql: "UPDATE event SET outcome = ?, github_status = COALESCE(?, github_status), detail = ? WHERE id = ?")
            .execute(arguments: [outcome.rawValue, status, detail, item.eventID])
        guard state != .pending else { return }
        try updateRouteState(
            RouteKey(product: item.product, environment: item.environment, dispatchRepo: item.dispatchRepo, eventType: item.eventType),
            at: report.at, eventID: item.eventID, outcome: outcome, githubStatus: status, error: detail, in: db)
        try countActivity(
            minute: report.at.minuteStart, events: 0, delivered: state == .delivered ? 1 : 0,
            dispatchFailed: state == .delivered ? 0 : 1, duplicates: 0, in: db)
        if report.releasesDedupClaim {
            // Only this event's claim: a later event may have claimed the key since.
            try db.cachedStatement(sql: "DELETE FROM dedup_entry WHERE key = ? AND event_id = ?")
                .execute(arguments: [item.dedupKey, item.eventID])
        }
    }

    private static func save(circuit: DeliveryCircuit?, repo: String, in db: Database) throws {
        guard let circuit else {
            try db.cachedStatement(sql: "DELETE FROM delivery_circuit WHERE dispatch_repo = ?").execute(arguments: [repo])
            return
        }
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO delivery_circuit (dispatch_repo, consecutive_failures, opened_at, probe_at, last_error,
                last_failure_at)
            VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                repo, circuit.consecutiveFailures, circuit.openedAt, circuit.probeAt, circuit.lastError, circuit.lastFailureAt,
            ])
    }

    /// On start: every pending dispatch, and the probe of every paused repository, is due now. A
    /// restart is when an operator expects delivery to resume, not minutes later when a backoff from
    /// before the restart runs out. Returns how many dispatches are pending.
    @discardableResult
    public func resumePending(at now: EpochMilliseconds) async throws -> Int {
        try await write { db in
            try db.execute(
                sql: "UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending' AND next_attempt_at > ?", arguments: [now, now])
            try db.execute(
                sql: "UPDATE delivery_circuit SET probe_at = ? WHERE probe_at IS NOT NULL AND probe_at > ?", arguments: [now, now])
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE state = 'pending'") ?? 0
        }
    }

    /// Queues a failed, rejected or dead dispatch again, at the end of its repository's queue, and
    /// records who asked. The dedup claim is taken again, so an identical event arriving meanwhile
    /// is a duplicate. Throws `RedeliveryError` when the event has nothing to redeliver.
    @discardableResult
    public func redeliver(eventID: Int64, operatorName: String, at: EpochMilliseconds) async throws -> OutboxItem {
        try await write { db in
            guard let event = try Row.fetchOne(
                db, sql: "SELECT outcome, dispatch_repo, event_type, dedup_key, payload, product, environment, reason FROM event WHERE id = ?",
                arguments: [eventID])
            else {
                throw RedeliveryError(kind: .noSuchEvent, description: "there is no event \(eventID) in the store (see flux-dispatch events)")
            }
            let outcomeText: String = event["outcome"]
            if outcomeText == Outcome.queued.rawValue {
                throw RedeliveryError(kind: .alreadyQueued, description: "event \(eventID) is already queued for delivery")
            }
            guard let outcome = Outcome(rawValue: outcomeText), outcome.canBeRedelivered,
                (event["payload"] as String?) != nil, let dedupKey: String = event["dedup_key"]
            else {
                throw RedeliveryError(
                    kind: .notRedeliverable,
                    description: "event \(eventID) is \(outcomeText): only failed, rejected or dead dispatches can be redelivered")
            }
            try db.execute(sql: "DELETE FROM outbox WHERE event_id = ?", arguments: [eventID])
            try Self.enqueue(
                OutboxEntry(dispatchRepo: event["dispatch_repo"], eventType: event["event_type"], dedupKey: dedupKey),
                eventID: eventID, product: event["product"], environment: event["environment"], reason: event["reason"], at: at,
                requestedBy: operatorName, in: db)
            try db.execute(
                sql: "UPDATE event SET outcome = 'queued', detail = ? WHERE id = ?",
                arguments: ["redelivery requested by \(operatorName)", eventID])
            try db.execute(
                sql: "INSERT OR REPLACE INTO dedup_entry (key, recorded_at, event_id) VALUES (?, ?, ?)",
                arguments: [dedupKey, at, eventID])
            try db.execute(
                sql: "INSERT INTO redelivery (event_id, operator, requested_at, previous_outcome) VALUES (?, ?, ?, ?)",
                arguments: [eventID, operatorName, at, outcomeText])
            return try OutboxItem(row: Row.fetchOne(db, sql: "SELECT \(OutboxItem.columns) WHERE o.event_id = ?", arguments: [eventID])!)
        }
    }

    // MARK: - Reads

    /// Every repository with pending dispatches, and when its next one (the head of its queue) is
    /// due. One small query: the delivery worker runs it on every pass.
    public func pendingRepositories() async throws -> [String: EpochMilliseconds] {
        try await pool.read { db in
            var result: [String: EpochMilliseconds] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT dispatch_repo, next_attempt_at FROM outbox WHERE id IN (
                        SELECT MIN(id) FROM outbox WHERE state = 'pending' GROUP BY dispatch_repo)
                    """)
            while let row = try rows.next() { result[row[0]] = row[1] }
            return result
        }
    }

    /// The next pending dispatches of one repository, in outbox order.
    public func pendingItems(repo: String, limit: Int) async throws -> [OutboxItem] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(OutboxItem.columns) WHERE o.state = 'pending' AND o.dispatch_repo = ? ORDER BY o.id LIMIT ?",
                arguments: [repo, limit]
            ).map(OutboxItem.init(row:))
        }
    }

    /// Pending dispatches queued at or before `queuedAtOrBefore` (past their maximum age).
    public func expiredPending(queuedAtOrBefore: EpochMilliseconds, limit: Int = 1000) async throws -> [OutboxItem] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(OutboxItem.columns) WHERE o.state = 'pending' AND o.queued_at <= ? ORDER BY o.id LIMIT ?",
                arguments: [queuedAtOrBefore, limit]
            ).map(OutboxItem.init(row:))
        }
    }

    /// The oldest pending dispatch's queue time, if any.
    public func oldestPendingQueuedAt() async throws -> EpochMilliseconds? {
        try await pool.read { db in
            try EpochMilliseconds.fetchOne(db, sql: "SELECT MIN(queued_at) FROM outbox WHERE state = 'pending'")
        }
    }

    public func pendingCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE state = 'pending'") ?? 0 }
    }

    public func outboxItem(eventID: Int64) throws -> OutboxItem? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(OutboxItem.columns) WHERE o.event_id = ?", arguments: [eventID]).map(OutboxItem.init(row:))
        }
    }

    public func deliveryCircuits() throws -> [DeliveryCircuit] {
        try pool.read { db in try Self.deliveryCircuits(in: db) }
    }

    static func deliveryCircuits(in db: Database) throws -> [DeliveryCircuit] {
        try Row.fetchAll(db, sql: "SELECT * FROM delivery_circuit ORDER BY dispatch_repo").map { row in
            DeliveryCircuit(
                dispatchRepo: row["dispatch_repo"], consecutiveFailures: row["consecutive_failures"], openedAt: row["opened_at"],
                probeAt: row["probe_at"], lastError: row["last_error"], lastFailureAt: row["last_failure_at"])
        }
    }

    /// Pending and retrying counts, the oldest pending, paused repositories, and how many ended
    /// dead or rejected since `endedSince`.
    public func outboxSummary(endedSince: EpochMilliseconds, countLimit: Int = .max) throws -> OutboxSummary {
        try pool.read { db in try StoreView(db: db).outboxSummary(endedSince: endedSince, countLimit: countLimit) }
    }

    /// For paused repositories: the products and environments whose dispatches wait on them, with
    /// how many, the oldest, and the oldest's event (to open).
    static func pausedRoutes(in db: Database) throws -> [PausedRoute] {
        var result: [PausedRoute] = []
        for circuit in try Self.deliveryCircuits(in: db) where circuit.isPaused {
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT product, environment, event_type, COUNT(*) AS n, MIN(event_id) AS oldest FROM outbox
                    WHERE state = 'pending' AND dispatch_repo = ? GROUP BY product, environment, event_type
                    """,
                arguments: [circuit.dispatchRepo])
            {
                result.append(
                    PausedRoute(
                        circuit: circuit, product: row["product"], environment: row["environment"], eventType: row["event_type"],
                        pending: row["n"], oldestEventID: row["oldest"]))
            }
        }
        return result
    }

    /// Who asked for an event's dispatch to be sent again, oldest first.
    static func redeliveries(eventID: Int64, in db: Database) throws -> [Redelivery] {
        try Row.fetchAll(
            db, sql: "SELECT operator, requested_at, previous_outcome FROM redelivery WHERE event_id = ? ORDER BY id",
            arguments: [eventID]
        ).map { Redelivery(operatorName: $0["operator"], requestedAt: $0["requested_at"], previousOutcome: $0["previous_outcome"]) }
    }
}
