import FluxDispatchCore
import GRDB

/// What a batch of event writes does to `environment_state`, folded in memory in the batch's order
/// and written once per product and environment at the end of the batch's transaction.
///
/// A flood of one product's events (duplicates from a Flux retry loop, mostly) is hundreds per
/// batch: one upsert for them instead of one each, where SQLite alone spent about 6 µs per event on
/// that upsert (BENCHMARKS.md, "What limits it"). The row ends exactly as if each event had been
/// applied in turn, which `EnvironmentStateFoldTests` checks against one-at-a-time writes.
struct EnvironmentStateChanges {
    private struct Key: Hashable {
        var product: String
        var environment: String
    }

    private struct LastFailure {
        var at: EpochMilliseconds
        var reason: String
        var message: String
        var eventID: Int64
    }

    /// The batch's events of one product and environment, summed up.
    private struct Change {
        var lastEventAt: EpochMilliseconds
        var lastEventID: Int64
        var lastReason: String
        var lastReasonClass: ReasonClass
        /// The last success in the batch; nil if none, so the row's earlier one stays.
        var lastSuccessAt: EpochMilliseconds?
        /// The last failure in the batch; nil if none, so the row's earlier one stays.
        var lastFailure: LastFailure?
        /// Failures after the batch's last success (all of the batch's failures if it has none):
        /// they add to the row's run of failures, or after a success start a new one.
        var failuresSinceSuccess = 0
        /// The first of those failures.
        var firstFailureSinceSuccess: EpochMilliseconds?

        /// Before the batch's first event of the environment is folded in.
        init(first r: EventRecord, eventID: Int64) {
            lastEventAt = r.receivedAt
            lastEventID = eventID
            lastReason = r.event.reason
            lastReasonClass = r.reasonClass
        }
    }

    /// Few per batch (usually one), written in the order first seen.
    private var keys: [Key] = []
    private var changes: [Key: Change] = [:]

    /// Folds in one recorded event; events of an ignored reason change nothing.
    mutating func add(_ r: EventRecord, eventID: Int64) {
        guard r.reasonClass != .ignored else { return }
        let key = Key(product: r.event.product, environment: r.event.environment)
        if changes[key] == nil { keys.append(key) }
        Self.fold(r, eventID: eventID, into: &changes[key, default: Change(first: r, eventID: eventID)])
    }

    /// What applying the event's own upsert after the batch's earlier ones would leave.
    private static func fold(_ r: EventRecord, eventID: Int64, into change: inout Change) {
        change.lastEventAt = r.receivedAt
        change.lastEventID = eventID
        change.lastReason = r.event.reason
        change.lastReasonClass = r.reasonClass
        if r.reasonClass == .failure {
            change.lastFailure = LastFailure(at: r.receivedAt, reason: r.event.reason, message: r.event.message, eventID: eventID)
            change.failuresSinceSuccess += 1
            if change.firstFailureSinceSuccess == nil { change.firstFailureSinceSuccess = r.receivedAt }
        } else {
            change.lastSuccessAt = r.receivedAt
            change.failuresSinceSuccess = 0
            change.firstFailureSinceSuccess = nil
        }
    }

    func write(in db: Database) throws {
        guard !keys.isEmpty else { return }
        // A success in the batch ends the row's run of failures; without one the batch's failures
        // extend it (and keep when it began).
        let statement = try db.cachedStatement(sql: """
            INSERT INTO environment_state (product, environment, last_event_at, last_event_id, last_reason,
                last_reason_class, last_success_at, last_failure_at, last_failure_reason, last_failure_message,
                last_failure_event_id, failing_since, consecutive_failures)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (product, environment) DO UPDATE SET
                last_event_at = excluded.last_event_at, last_event_id = excluded.last_event_id,
                last_reason = excluded.last_reason, last_reason_class = excluded.last_reason_class,
                last_success_at = COALESCE(excluded.last_success_at, environment_state.last_success_at),
                last_failure_at = COALESCE(excluded.last_failure_at, environment_state.last_failure_at),
                last_failure_reason = CASE WHEN excluded.last_failure_at IS NULL
                    THEN environment_state.last_failure_reason ELSE excluded.last_failure_reason END,
                last_failure_message = CASE WHEN excluded.last_failure_at IS NULL
                    THEN environment_state.last_failure_message ELSE excluded.last_failure_message END,
                last_failure_event_id = CASE WHEN excluded.last_failure_at IS NULL
                    THEN environment_state.last_failure_event_id ELSE excluded.last_failure_event_id END,
                failing_since = CASE WHEN excluded.last_success_at IS NULL
                    THEN COALESCE(environment_state.failing_since, excluded.failing_since) ELSE excluded.failing_since END,
                consecutive_failures = CASE WHEN excluded.last_success_at IS NULL
                    THEN environment_state.consecutive_failures + excluded.consecutive_failures
                    ELSE excluded.consecutive_failures END
            """)
        for key in keys {
            guard let change = changes[key] else { continue }
            try statement.execute(arguments: [
                key.product, key.environment, change.lastEventAt, change.lastEventID, change.lastReason,
                change.lastReasonClass.rawValue, change.lastSuccessAt, change.lastFailure?.at, change.lastFailure?.reason,
                change.lastFailure?.message, change.lastFailure?.eventID, change.firstFailureSinceSuccess,
                change.failuresSinceSuccess,
            ])
        }
    }
}
