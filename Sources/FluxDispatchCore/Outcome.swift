/// What the receiver did with one request. Recorded per event, returned in the response body,
/// and logged; the raw values are the reference service's outcome names.
public enum Outcome: String, Sendable, CaseIterable, Codable {
    case invalidPayload = "invalid_payload"
    case ignoredReason = "ignored_reason"
    case missingDispatchRepo = "missing_dispatch_repo"
    case invalidDispatchRepo = "invalid_dispatch_repo"
    case reasonNotRouted = "reason_not_routed"
    case duplicate
    case dispatched
    case dryRun = "dry_run"
    case dispatchRejected = "dispatch_rejected"
    case dispatchUnavailable = "dispatch_unavailable"
    case githubAuthFailed = "github_auth_failed"
    /// Outbox mode: committed to the outbox, to be delivered by the delivery worker. The event's
    /// outcome changes to `dispatched`, `dispatch_rejected` or `dispatch_dead` when delivery ends.
    case queued
    /// Outbox mode: GitHub never took the dispatch within `OUTBOX_MAX_AGE`; delivery gave up.
    case dispatchDead = "dispatch_dead"

    /// The HTTP status answered to Flux: 502 only where a retry by Flux can help.
    public var httpStatus: Int {
        switch self {
        case .dispatchUnavailable, .githubAuthFailed: return 502
        default: return 200
        }
    }

    /// Whether the dispatch for this event reached (or, in dry run, would have reached) GitHub.
    public var isDelivered: Bool { self == .dispatched || self == .dryRun }

    /// Whether this is a failed attempt to notify GitHub (our own outbound webhook failed).
    public var isDispatchFailure: Bool {
        self == .dispatchRejected || self == .dispatchUnavailable || self == .githubAuthFailed || self == .dispatchDead
    }

    /// Whether delivery of this event's dispatch has ended (sent, refused or given up) so that an
    /// operator may ask for it to be sent again.
    public var canBeRedelivered: Bool { isDispatchFailure }
}
