import FluxDispatchCore
import GRDB

/// One operator's dismissal of a product's callout.
public struct Dismissal: Sendable, Equatable {
    public var product: String
    public var operatorName: String
    public var dismissedAt: EpochMilliseconds

    public init(product: String, operatorName: String, dismissedAt: EpochMilliseconds) {
        self.product = product
        self.operatorName = operatorName
        self.dismissedAt = dismissedAt
    }
}

/// One recorded event as the live feed shows it.
public struct FeedEntry: Sendable, Equatable {
    public var id: Int64
    public var receivedAt: EpochMilliseconds
    public var product: String
    public var environment: String
    public var reason: String
    public var reasonClass: String
    public var dispatchRepo: String
    public var eventType: String
    public var outcome: String
    public var githubStatus: Int?
    public var durationMilliseconds: Double
    public var commitSHA: String
    public var detail: String

    public init(
        id: Int64, receivedAt: EpochMilliseconds, product: String, environment: String, reason: String,
        reasonClass: String, dispatchRepo: String, eventType: String, outcome: String, githubStatus: Int?,
        durationMilliseconds: Double, commitSHA: String, detail: String
    ) {
        self.id = id
        self.receivedAt = receivedAt
        self.product = product
        self.environment = environment
        self.reason = reason
        self.reasonClass = reasonClass
        self.dispatchRepo = dispatchRepo
        self.eventType = eventType
        self.outcome = outcome
        self.githubStatus = githubStatus
        self.durationMilliseconds = durationMilliseconds
        self.commitSHA = commitSHA
        self.detail = detail
    }

    /// The event columns a feed entry is read from, for every query that returns feed entries.
    static let columns = """
        id, received_at, product, environment, reason, reason_class, dispatch_repo, event_type, outcome, \
        github_status, duration_ms, commit_sha, detail
        """

    /// From a row that starts with `columns`, by position: the feed reads hundreds of rows a frame,
    /// and looking columns up by name costs more than the rest of the row.
    init(row: Row) {
        self.init(
            id: row[0], receivedAt: row[1], product: row[2], environment: row[3], reason: row[4], reasonClass: row[5],
            dispatchRepo: row[6], eventType: row[7], outcome: row[8], githubStatus: row[9], durationMilliseconds: row[10],
            commitSHA: row[11], detail: row[12])
    }

    /// The entries a query whose rows start with `columns` returns. A cursor reads each row straight
    /// from the statement (`fetchAll` copied every row's values into a `Row` first, for the 200 rows
    /// of every dashboard frame), and the statement is cached: the feed and `events --follow` ask the
    /// same query again on every reload and poll.
    static func fetchAll(_ db: Database, sql: String, arguments: StatementArguments) throws -> [FeedEntry] {
        try Array(Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments).map(FeedEntry.init(row:)))
    }
}

/// Dedup hits for one product, environment and reason over a window.
public struct DedupHitSummary: Sendable, Equatable {
    public var product: String
    public var environment: String
    public var reason: String
    public var count: Int
    public var lastAt: EpochMilliseconds

    public init(product: String, environment: String, reason: String, count: Int, lastAt: EpochMilliseconds) {
        self.product = product
        self.environment = environment
        self.reason = reason
        self.count = count
        self.lastAt = lastAt
    }

    /// The newest `limit` (ties in product, environment, reason order).
    static func newestFirst(_ hits: [DedupHitSummary], limit: Int) -> [DedupHitSummary] {
        // Sorts positions, not the summaries: moving three strings per swap was most of the cost.
        let order = hits.indices.sorted { i, j in
            if hits[i].lastAt != hits[j].lastAt { return hits[i].lastAt > hits[j].lastAt }
            return (hits[i].product, hits[i].environment, hits[i].reason) < (hits[j].product, hits[j].environment, hits[j].reason)
        }
        return order.prefix(limit).map { hits[$0] }
    }
}

/// Totals over a window, from the per-minute counters.
public struct ActivitySummary: Sendable, Equatable {
    public var events: Int
    public var delivered: Int
    public var dispatchFailed: Int
    public var duplicates: Int

    public init(events: Int = 0, delivered: Int = 0, dispatchFailed: Int = 0, duplicates: Int = 0) {
        self.events = events
        self.delivered = delivered
        self.dispatchFailed = dispatchFailed
        self.duplicates = duplicates
    }
}

/// Everything recorded about one event: the Flux event, the payload sent, every GitHub attempt.
public struct EventDetail: Sendable, Equatable {
    public var entry: FeedEntry
    public var sourceAddress: String
    public var severity: String
    public var message: String
    public var objectKind: String
    public var objectName: String
    public var objectNamespace: String
    public var revision: String
    public var dedupKey: String?
    public var httpStatus: Int
    public var body: String
    public var payload: String?
    public var attempts: [DispatchAttempt]
    /// Outbox mode: where delivery of this event's dispatch stands.
    public var delivery: OutboxItem?
    /// Operators who asked for the dispatch to be sent again, oldest first.
    public var redeliveries: [Redelivery]

    public init(
        entry: FeedEntry, sourceAddress: String, severity: String, message: String, objectKind: String, objectName: String,
        objectNamespace: String, revision: String, dedupKey: String?, httpStatus: Int, body: String, payload: String?,
        attempts: [DispatchAttempt], delivery: OutboxItem? = nil, redeliveries: [Redelivery] = []
    ) {
        self.entry = entry
        self.sourceAddress = sourceAddress
        self.severity = severity
        self.message = message
        self.objectKind = objectKind
        self.objectName = objectName
        self.objectNamespace = objectNamespace
        self.revision = revision
        self.dedupKey = dedupKey
        self.httpStatus = httpStatus
        self.body = body
        self.payload = payload
        self.attempts = attempts
        self.delivery = delivery
        self.redeliveries = redeliveries
    }
}

/// An operator's request to send a dispatch again.
public struct Redelivery: Sendable, Equatable {
    public var operatorName: String
    public var requestedAt: EpochMilliseconds
    /// The event's outcome before the request (`dispatch_dead`, `dispatch_rejected`, …).
    public var previousOutcome: String

    public init(operatorName: String, requestedAt: EpochMilliseconds, previousOutcome: String) {
        self.operatorName = operatorName
        self.requestedAt = requestedAt
        self.previousOutcome = previousOutcome
    }
}

/// What a filter keeps: a product or environment containing the text, and optionally only failures.
public struct FeedFilter: Sendable, Equatable {
    public var text: String
    public var failuresOnly: Bool

    public init(text: String = "", failuresOnly: Bool = false) {
        self.text = text
        self.failuresOnly = failuresOnly
    }
}

extension StateStore {
    // MARK: Dismissals

    /// Hides `product`'s callout for `operatorName` (replacing an earlier dismissal).
    public func dismiss(product: String, operatorName: String, at: EpochMilliseconds) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO dismissal (product, operator, dismissed_at) VALUES (?, ?, ?)",
                arguments: [product, operatorName, at])
        }
    }

    /// Removes the dismissal; returns whether there was one.
    @discardableResult
    public func undismiss(product: String, operatorName: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM dismissal WHERE product = ? AND operator = ?", arguments: [product, operatorName])
            return db.changesCount > 0
        }
    }

    public func dismissals() throws -> [Dismissal] {
        try pool.read { db in try StoreView(db: db).dismissals() }
    }

    // MARK: Feed, detail, counters

    static let failureOutcomes = ["dispatch_rejected", "dispatch_unavailable", "github_auth_failed"]

    /// The newest events first, at most `limit`, optionally filtered.
    public func recentEvents(limit: Int, filter: FeedFilter = FeedFilter(), before: Int64? = nil) throws -> [FeedEntry] {
        try pool.read { db in try StoreView(db: db).recentEvents(limit: limit, filter: filter, before: before) }
    }

    public func eventDetail(id: Int64) throws -> EventDetail? {
        try pool.read { db in try StoreView(db: db).eventDetail(id: id) }
    }

    /// Counters summed over the minutes starting at or after `since`.
    public func activity(since: EpochMilliseconds) throws -> ActivitySummary {
        try pool.read { db in try StoreView(db: db).activity(since: since) }
    }

    /// When the newest event was received.
    public func lastEventAt() throws -> EpochMilliseconds? {
        try pool.read { db in try StoreView(db: db).lastEventAt() }
    }

    /// Dedup hits per product, environment and reason in the minutes since `since`, busiest first.
    public func dedupHits(since: EpochMilliseconds, limit: Int = 200) throws -> [DedupHitSummary] {
        try pool.read { db in try StoreView(db: db).dedupHits(since: since, limit: limit) }
    }
}

/// What `flux-dispatch events` selects.
public struct EventQuery: Sendable, Equatable {
    public var since: EpochMilliseconds?
    public var product: String?
    public var environment: String?
    public var outcome: String?
    /// Only events after this id (for following).
    public var afterID: Int64?

    public init(
        since: EpochMilliseconds? = nil, product: String? = nil, environment: String? = nil, outcome: String? = nil,
        afterID: Int64? = nil
    ) {
        self.since = since
        self.product = product
        self.environment = environment
        self.outcome = outcome
        self.afterID = afterID
    }
}

extension StateStore {
    /// Matching events, oldest first (the newest `limit` of them).
    public func events(matching query: EventQuery, limit: Int) throws -> [FeedEntry] {
        try pool.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let since = query.since {
                conditions.append("received_at >= ?")
                _ = arguments.append(contentsOf: [since])
            }
            if let product = query.product {
                conditions.append("product = ?")
                _ = arguments.append(contentsOf: [product])
            }
            if let environment = query.environment {
                conditions.append("environment = ?")
                _ = arguments.append(contentsOf: [environment])
            }
            if let outcome = query.outcome {
                conditions.append("outcome = ?")
                _ = arguments.append(contentsOf: [outcome])
            }
            if let afterID = query.afterID {
                conditions.append("id > ?")
                _ = arguments.append(contentsOf: [afterID])
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            _ = arguments.append(contentsOf: [limit])
            return try FeedEntry.fetchAll(
                db,
                sql: """
                    SELECT * FROM (
                        SELECT \(FeedEntry.columns) FROM event \(whereClause) ORDER BY id DESC LIMIT ?
                    ) ORDER BY id ASC
                    """,
                arguments: arguments)
        }
    }

    /// The latest dispatch result of every route, newest first.
    public func routeStates() throws -> [RouteState] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM route_state ORDER BY last_attempt_at DESC").map(RouteState.init(row:))
        }
    }
}
