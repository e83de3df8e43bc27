/// The body of `POST /repos/{owner}/{repo}/dispatches`: the event type and exactly seven
/// `client_payload` fields, which product workflows read as `github.event.client_payload.*`.
public struct DispatchPayload: Sendable, Equatable, Codable {
    public struct ClientPayload: Sendable, Equatable, Codable {
        public var product: String
        public var environment: String
        public var commit_sha: String
        public var revision: String
        public var kustomization_name: String
        public var reason: String
        public var message: String
    }

    public var event_type: String
    public var client_payload: ClientPayload

    /// GitHub limits what a workflow can usefully show; the reference cuts at 1024 characters.
    public static let maxMessageCharacters = 1024

    public init(event: FluxEvent, eventType: String) {
        event_type = eventType
        client_payload = ClientPayload(
            product: event.product,
            environment: event.environment,
            commit_sha: Revision.commitSHA(ofOriginRevision: event.originRevision),
            revision: event.revision,
            kustomization_name: event.involvedObject.name,
            reason: event.reason,
            message: String(event.message.prefix(Self.maxMessageCharacters))
        )
    }
}
