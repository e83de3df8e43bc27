import GRDB

/// Flux's latest word on one product's environment, kept current on every write.
public struct EnvironmentState: Sendable, Equatable {
    public var product: String
    public var environment: String
    public var lastEventAt: EpochMilliseconds
    public var lastEventID: Int64
    public var lastReason: String
    /// `success` or `failure`.
    public var lastReasonClass: String
    public var lastSuccessAt: EpochMilliseconds?
    public var lastFailureAt: EpochMilliseconds?
    public var lastFailureReason: String?
    public var lastFailureMessage: String?
    public var lastFailureEventID: Int64?
    /// Set while the latest reconciliation is a failure: when this run of failures began.
    public var failingSince: EpochMilliseconds?
    public var consecutiveFailures: Int

    init(row: Row) {
        product = row["product"]
        environment = row["environment"]
        lastEventAt = row["last_event_at"]
        lastEventID = row["last_event_id"]
        lastReason = row["last_reason"]
        lastReasonClass = row["last_reason_class"]
        lastSuccessAt = row["last_success_at"]
        lastFailureAt = row["last_failure_at"]
        lastFailureReason = row["last_failure_reason"]
        lastFailureMessage = row["last_failure_message"]
        lastFailureEventID = row["last_failure_event_id"]
        failingSince = row["failing_since"]
        consecutiveFailures = row["consecutive_failures"]
    }
}

/// Our own outbound webhook for one route (product, environment, repository, event type).
public struct RouteState: Sendable, Equatable {
    public var product: String
    public var environment: String
    public var dispatchRepo: String
    public var eventType: String
    public var lastAttemptAt: EpochMilliseconds
    public var lastEventID: Int64
    public var lastOutcome: String
    public var lastGitHubStatus: Int?
    public var lastError: String?
    public var lastDeliveredAt: EpochMilliseconds?
    /// Set while the latest dispatch for this route failed.
    public var failingSince: EpochMilliseconds?
    public var consecutiveFailures: Int

    init(row: Row) {
        product = row["product"]
        environment = row["environment"]
        dispatchRepo = row["dispatch_repo"]
        eventType = row["event_type"]
        lastAttemptAt = row["last_attempt_at"]
        lastEventID = row["last_event_id"]
        lastOutcome = row["last_outcome"]
        lastGitHubStatus = row["last_github_status"]
        lastError = row["last_error"]
        lastDeliveredAt = row["last_delivered_at"]
        failingSince = row["failing_since"]
        consecutiveFailures = row["consecutive_failures"]
    }
}

extension StateStore {
    public func environmentState(product: String, environment: String) throws -> EnvironmentState? {
        try pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM environment_state WHERE product = ? AND environment = ?", arguments: [product, environment]
            ).map(EnvironmentState.init(row:))
        }
    }

    public func routeState(product: String, environment: String, repo: String, eventType: String) throws -> RouteState? {
        try pool.read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT * FROM route_state WHERE product = ? AND environment = ? AND dispatch_repo = ? AND event_type = ?",
                arguments: [product, environment, repo, eventType]
            ).map(RouteState.init(row:))
        }
    }

    /// Environments and routes currently failing: what the callouts are made of. Reads only the
    /// state rows kept on write, never the event history.
    public func failingStates() throws -> (environments: [EnvironmentState], routes: [RouteState]) {
        try pool.read { db in try StoreView(db: db).failingStates() }
    }

    public func attemptCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dispatch_attempt") ?? 0 }
    }
}
