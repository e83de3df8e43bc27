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

    /// The request body: keys in sorted order, as compact JSON. Written by hand (`JSONText`), not
    /// with `JSONEncoder`, which cost more than the rest of building a dispatch.
    public var json: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + client_payload.message.utf8.count)
        func field(_ name: String, _ value: String, first: Bool = false) {
            if !first { out.append(UInt8(ascii: ",")) }
            JSONText.appendString(name, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONText.appendString(value, to: &out)
        }
        let c = client_payload
        out.append(contentsOf: "{\"client_payload\":{".utf8)
        field("commit_sha", c.commit_sha, first: true)
        field("environment", c.environment)
        field("kustomization_name", c.kustomization_name)
        field("message", c.message)
        field("product", c.product)
        field("reason", c.reason)
        field("revision", c.revision)
        out.append(UInt8(ascii: "}"))
        field("event_type", event_type)
        out.append(UInt8(ascii: "}"))
        return out
    }
}
