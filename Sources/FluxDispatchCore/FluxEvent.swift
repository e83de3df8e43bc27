/// One event as Flux's notification-controller posts it (the `generic` / `generic-hmac` providers).
///
/// Decoding is deliberately lenient about *missing* fields (Flux omits empty ones) and strict about
/// *wrong types*: a number where a string belongs makes the body "not a Flux event", exactly as the
/// reference service's `json.Unmarshal` into Go structs would. Unknown fields are ignored.
/// `FluxEventReader` does the reading.
public struct FluxEvent: Sendable, Equatable {
    public struct InvolvedObject: Sendable, Equatable {
        public var kind: String
        public var name: String
        public var namespace: String

        public init(kind: String = "", name: String = "", namespace: String = "") {
            self.kind = kind
            self.name = name
            self.namespace = namespace
        }
    }

    public var involvedObject: InvolvedObject
    public var severity: String
    public var reason: String
    public var message: String
    public var metadata: [String: String]
    public var timestamp: String
    public var reportingController: String

    public init(
        involvedObject: InvolvedObject = .init(),
        severity: String = "",
        reason: String = "",
        message: String = "",
        metadata: [String: String] = [:],
        timestamp: String = "",
        reportingController: String = ""
    ) {
        self.involvedObject = involvedObject
        self.severity = severity
        self.reason = reason
        self.message = message
        self.metadata = metadata
        self.timestamp = timestamp
        self.reportingController = reportingController
    }

    /// Well-known metadata keys.
    public enum MetadataKey {
        public static let product = "product"
        public static let environment = "env"
        public static let dispatchRepository = "dispatch_repo"
        public static let dispatchEventType = "dispatch_event"
        public static let revision = "kustomize.toolkit.fluxcd.io/revision"
        public static let originRevision = "kustomize.toolkit.fluxcd.io/originRevision"
    }

    public var product: String { metadata[MetadataKey.product] ?? "" }
    public var environment: String { metadata[MetadataKey.environment] ?? "" }
    public var revision: String { metadata[MetadataKey.revision] ?? "" }
    public var originRevision: String { metadata[MetadataKey.originRevision] ?? "" }
}

/// Why a body is not a Flux event. The text is safe to log and to return to the sender.
public struct FluxEventParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
}

extension FluxEvent {
    /// Parses a request body. Anything that is not a JSON object of the Flux event shape throws;
    /// `FluxEventReader` says exactly what is accepted.
    public static func parse(_ body: some Collection<UInt8>) throws(FluxEventParseError) -> FluxEvent {
        let result = body.withContiguousStorageIfAvailable { bytes in
            Result { () throws(FluxEventParseError) in
                var reader = FluxEventReader(bytes)
                return try reader.readEvent()
            }
        }
        if let result { return try result.get() }
        return try parse(Array(body))
    }
}
