/// A failure callout: GitLab's "failed webhook" banner, per product. Built from the state rows kept
/// on write and the dismissals, never from the event history.
public struct Callout: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// Flux says the deploy failed (the latest reconciliation is a failure reason).
        case reconciliation
        /// Our own outbound webhook failed (GitHub rejected it, was unavailable, or auth failed).
        case dispatch
        /// Outbox mode: delivery to the route's repository is paused (circuit open); dispatches wait.
        case paused
    }

    public var product: String
    public var environment: String
    public var kind: Kind
    /// What failed: the Flux reason, or the GitHub status / outcome.
    public var what: String
    /// Flux's message, or GitHub's error.
    public var message: String
    /// When this run of failures began.
    public var since: EpochMilliseconds
    /// The latest failure.
    public var lastAt: EpochMilliseconds
    /// Failures since it began.
    public var count: Int
    /// The event to open for details.
    public var eventID: Int64
    /// For dispatch callouts: the repository and event type of the route.
    public var dispatchRepo: String
    public var eventType: String
    /// Active dismissals of this product by other operators (still shown, marked).
    public var dismissedByOthers: [Dismissal]

    public init(
        product: String, environment: String, kind: Kind, what: String, message: String, since: EpochMilliseconds,
        lastAt: EpochMilliseconds, count: Int, eventID: Int64, dispatchRepo: String = "", eventType: String = "",
        dismissedByOthers: [Dismissal] = []
    ) {
        self.product = product
        self.environment = environment
        self.kind = kind
        self.what = what
        self.message = message
        self.since = since
        self.lastAt = lastAt
        self.count = count
        self.eventID = eventID
        self.dispatchRepo = dispatchRepo
        self.eventType = eventType
        self.dismissedByOthers = dismissedByOthers
    }
}

public enum CalloutBuilder {
    /// The callouts `operatorName` sees, newest first, and the ones they have dismissed (hidden,
    /// kept so `u` can bring them back and so the hidden count can be shown).
    ///
    /// A dismissal counts only while no failure of that product is newer than it: a newer failure
    /// brings the callout back, for everyone.
    public static func build(
        environments: [EnvironmentState], routes: [RouteState], paused: [PausedRoute] = [], dismissals: [Dismissal],
        operatorName: String
    ) -> (visible: [Callout], hidden: [Callout]) {
        var callouts: [Callout] = []
        for state in environments {
            guard let since = state.failingSince else { continue }
            callouts.append(
                Callout(
                    product: state.product, environment: state.environment, kind: .reconciliation,
                    what: state.lastFailureReason ?? state.lastReason, message: state.lastFailureMessage ?? "",
                    since: since, lastAt: state.lastFailureAt ?? state.lastEventAt, count: state.consecutiveFailures,
                    eventID: state.lastFailureEventID ?? state.lastEventID, dispatchRepo: "", eventType: "", dismissedByOthers: []))
        }
        for state in routes {
            guard let since = state.failingSince else { continue }
            callouts.append(
                Callout(
                    product: state.product, environment: state.environment, kind: .dispatch,
                    what: describe(outcome: state.lastOutcome, status: state.lastGitHubStatus), message: state.lastError ?? "",
                    since: since, lastAt: state.lastAttemptAt, count: state.consecutiveFailures, eventID: state.lastEventID,
                    dispatchRepo: state.dispatchRepo, eventType: state.eventType, dismissedByOthers: []))
        }
        for route in paused {
            let circuit = route.circuit
            let waiting = route.pending == 1 ? "1 dispatch waits" : "\(route.pending) dispatches wait"
            callouts.append(
                Callout(
                    product: route.product, environment: route.environment, kind: .paused,
                    what: "queue paused", message: "\(waiting) for \(circuit.dispatchRepo); \(circuit.lastError ?? "GitHub keeps failing")",
                    since: circuit.openedAt ?? circuit.lastFailureAt, lastAt: circuit.lastFailureAt,
                    count: circuit.consecutiveFailures, eventID: route.oldestEventID, dispatchRepo: circuit.dispatchRepo,
                    eventType: route.eventType, dismissedByOthers: []))
        }
        var latestFailure: [String: EpochMilliseconds] = [:]
        for callout in callouts { latestFailure[callout.product] = max(latestFailure[callout.product] ?? 0, callout.lastAt) }
        var active: [String: [Dismissal]] = [:]
        for dismissal in dismissals where dismissal.dismissedAt >= (latestFailure[dismissal.product] ?? .max) {
            active[dismissal.product, default: []].append(dismissal)
        }
        var visible: [Callout] = []
        var hidden: [Callout] = []
        for var callout in callouts {
            let productDismissals = active[callout.product] ?? []
            if productDismissals.contains(where: { $0.operatorName == operatorName }) {
                hidden.append(callout)
            } else {
                callout.dismissedByOthers = productDismissals.sorted { $0.dismissedAt > $1.dismissedAt }
                visible.append(callout)
            }
        }
        let newestFirst: (Callout, Callout) -> Bool = { ($0.lastAt, $0.product, $0.environment) > ($1.lastAt, $1.product, $1.environment) }
        return (visible.sorted(by: newestFirst), hidden.sorted(by: newestFirst))
    }

    static func describe(outcome: String, status: Int?) -> String {
        switch outcome {
        case "github_auth_failed": return "GitHub auth failed"
        case "dispatch_dead": return "dispatch dead"
        case "dispatch_unavailable": return status.map { "GitHub \($0)" } ?? "GitHub unreachable"
        case "dispatch_rejected": return status.map { "GitHub \($0)" } ?? "GitHub rejected"
        default: return outcome
        }
    }
}

extension StateStore {
    /// The callouts for `operatorName`: a few state rows and the dismissals.
    public func callouts(for operatorName: String) throws -> (visible: [Callout], hidden: [Callout]) {
        try read { view in try view.callouts(for: operatorName) }
    }
}

extension StoreView {
    /// The callouts for `operatorName`, from the state rows, paused repositories and dismissals.
    public func callouts(for operatorName: String) throws -> (visible: [Callout], hidden: [Callout]) {
        let failing = try failingStates()
        return CalloutBuilder.build(
            environments: failing.environments, routes: failing.routes, paused: try StateStore.pausedRoutes(in: db),
            dismissals: try dismissals(), operatorName: operatorName)
    }
}
