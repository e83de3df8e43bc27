/// How the feed shows an outcome: a short label and its role. A dry run gets its own label and
/// role so it can never be mistaken for a real dispatch.
public struct OutcomeStyle: Sendable, Equatable {
    public var label: String
    public var role: Role

    public init(label: String, role: Role) {
        self.label = label
        self.role = role
    }

    /// For an outcome as stored (`Outcome.rawValue`); unknown values are shown as they are.
    public static func of(_ outcome: String) -> OutcomeStyle {
        switch outcome {
        case "dispatched": return OutcomeStyle(label: "dispatched", role: .ok)
        case "dry_run": return OutcomeStyle(label: "dry-run", role: .dryRunOutcome)
        case "duplicate": return OutcomeStyle(label: "duplicate", role: .dedup)
        case "dispatch_rejected": return OutcomeStyle(label: "rejected", role: .fail)
        case "dispatch_unavailable": return OutcomeStyle(label: "unavailable", role: .fail)
        case "github_auth_failed": return OutcomeStyle(label: "auth failed", role: .fail)
        case "queued": return OutcomeStyle(label: "queued", role: .warn)
        case "dispatch_dead": return OutcomeStyle(label: "dead", role: .fail)
        case "ignored_reason": return OutcomeStyle(label: "ignored", role: .dim)
        case "reason_not_routed": return OutcomeStyle(label: "not routed", role: .dim)
        case "invalid_payload": return OutcomeStyle(label: "invalid", role: .dim)
        case "missing_dispatch_repo": return OutcomeStyle(label: "no repo", role: .dim)
        case "invalid_dispatch_repo": return OutcomeStyle(label: "bad repo", role: .dim)
        default: return OutcomeStyle(label: outcome, role: .normal)
        }
    }

    /// Whether the outcome is our own outbound webhook failing.
    public static func isDispatchFailure(_ outcome: String) -> Bool {
        outcome == "dispatch_rejected" || outcome == "dispatch_unavailable" || outcome == "github_auth_failed"
            || outcome == "dispatch_dead"
    }
}
