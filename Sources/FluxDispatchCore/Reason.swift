/// How a Flux reason is treated: a deploy that succeeded, one that failed, or something we ignore
/// (progress reports, dependency notices we do not act on, …).
public enum ReasonClass: String, Sendable, Equatable {
    case success
    case failure
    case ignored

    public static let successReasons: Set<String> = ["ReconciliationSucceeded"]
    public static let failureReasons: Set<String> = [
        "ReconciliationFailed", "BuildFailed", "HealthCheckFailed",
        "PruneFailed", "DependencyNotReady", "ArtifactFailed",
    ]

    public init(reason: String) {
        if Self.successReasons.contains(reason) {
            self = .success
        } else if Self.failureReasons.contains(reason) {
            self = .failure
        } else {
            self = .ignored
        }
    }
}
