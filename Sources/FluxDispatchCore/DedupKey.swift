/// Identifies "the same deployment news for the same repository":
/// `{product}/{env}/{reason}/{digest}/{dispatch_repo}`.
public struct DedupKey: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public init(product: String, environment: String, reason: String, digest: String, repository: DispatchRepository) {
        rawValue = "\(product)/\(environment)/\(reason)/\(digest)/\(repository)"
    }

    public init(event: FluxEvent, repository: DispatchRepository) {
        self.init(
            product: event.product,
            environment: event.environment,
            reason: event.reason,
            digest: Revision.digest(of: event.revision),
            repository: repository
        )
    }

    public var description: String { rawValue }
}
