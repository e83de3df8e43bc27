import Foundation

/// One event as Flux's notification-controller posts it (the `generic` / `generic-hmac` providers).
///
/// Decoding is deliberately lenient about *missing* fields (Flux omits empty ones) and strict about
/// *wrong types*: a number where a string belongs makes the body "not a Flux event", exactly as the
/// reference service's `json.Unmarshal` into Go structs would. Unknown fields are ignored.
public struct FluxEvent: Sendable, Equatable {
    public struct InvolvedObject: Sendable, Equatable, Decodable {
        public var kind: String
        public var name: String
        public var namespace: String

        public init(kind: String = "", name: String = "", namespace: String = "") {
            self.kind = kind
            self.name = name
            self.namespace = namespace
        }

        enum CodingKeys: String, CodingKey { case kind, name, namespace }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? ""
            name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
            namespace = try c.decodeIfPresent(String.self, forKey: .namespace) ?? ""
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

extension FluxEvent: Decodable {
    enum CodingKeys: String, CodingKey {
        case involvedObject, severity, reason, message, metadata, timestamp, reportingController
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        involvedObject = try c.decodeIfPresent(InvolvedObject.self, forKey: .involvedObject) ?? .init()
        severity = try c.decodeIfPresent(String.self, forKey: .severity) ?? ""
        reason = try c.decodeIfPresent(String.self, forKey: .reason) ?? ""
        message = try c.decodeIfPresent(String.self, forKey: .message) ?? ""
        // A null value is an empty string, as Go's decoder leaves it.
        metadata = (try c.decodeIfPresent([String: String?].self, forKey: .metadata) ?? [:]).mapValues { $0 ?? "" }
        timestamp = try c.decodeIfPresent(String.self, forKey: .timestamp) ?? ""
        reportingController = try c.decodeIfPresent(String.self, forKey: .reportingController) ?? ""
    }
}

/// Why a body is not a Flux event. The text is safe to log and to return to the sender.
public struct FluxEventParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
}

extension FluxEvent {
    /// Parses a request body. Anything that is not a JSON object of the Flux event shape throws.
    public static func parse(_ body: some Collection<UInt8>) throws(FluxEventParseError) -> FluxEvent {
        let data = Data(body)
        // JSONDecoder accepts a top-level scalar for a keyed container only to fail later; check
        // the first significant byte so the error says what is wrong.
        guard let first = data.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else {
            throw FluxEventParseError(description: "empty body")
        }
        guard first == UInt8(ascii: "{") else {
            throw FluxEventParseError(description: "body is not a JSON object")
        }
        // JSON text is UTF-8 (RFC 8259). The decoder checks the strings it decodes but skips
        // unknown fields unchecked; the whole body is validated so that what is stored is exactly
        // what was received, and a bad byte anywhere is refused the same way.
        guard String(validating: data, as: UTF8.self) != nil else {
            throw FluxEventParseError(description: "body is not valid UTF-8")
        }
        do {
            return try JSONDecoder().decode(FluxEvent.self, from: data)
        } catch let DecodingError.typeMismatch(_, context) {
            throw FluxEventParseError(description: "wrong type at \(context.codingPath.pathDescription): \(context.debugDescription)")
        } catch let DecodingError.dataCorrupted(context) {
            throw FluxEventParseError(description: "malformed JSON: \(context.debugDescription)")
        } catch {
            throw FluxEventParseError(description: "malformed JSON")
        }
    }
}

extension [any CodingKey] {
    var pathDescription: String {
        isEmpty ? "top level" : map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
