import FluxDispatchCore
import Foundation

/// The event parser the receiver used before `FluxEventReader`: Foundation's `JSONDecoder` with
/// the same lenient-about-missing, strict-about-types rules. Kept here as an independent oracle
/// for the differential tests; it differs from the reader only where the reader follows Go
/// (repeated and differently-cased field names), which those tests avoid, and in checking unknown
/// fields, which `decode` adds.
struct ReferenceEvent: Decodable {
    var event: FluxEvent

    private enum CodingKeys: String, CodingKey {
        case involvedObject, severity, reason, message, metadata, timestamp, reportingController
    }

    private struct InvolvedObject: Decodable {
        var kind: String?
        var name: String?
        var namespace: String?
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let object = try c.decodeIfPresent(InvolvedObject.self, forKey: .involvedObject)
        event = FluxEvent(
            involvedObject: .init(kind: object?.kind ?? "", name: object?.name ?? "", namespace: object?.namespace ?? ""),
            severity: try c.decodeIfPresent(String.self, forKey: .severity) ?? "",
            reason: try c.decodeIfPresent(String.self, forKey: .reason) ?? "",
            message: try c.decodeIfPresent(String.self, forKey: .message) ?? "",
            metadata: (try c.decodeIfPresent([String: String?].self, forKey: .metadata) ?? [:]).mapValues { $0 ?? "" },
            timestamp: try c.decodeIfPresent(String.self, forKey: .timestamp) ?? "",
            reportingController: try c.decodeIfPresent(String.self, forKey: .reportingController) ?? "")
    }

    /// The event, or nil where the reference refuses the body.
    static func decode(_ bytes: [UInt8]) -> FluxEvent? {
        guard bytes.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) == UInt8(ascii: "{"),
            String(validating: bytes, as: UTF8.self) != nil
        else { return nil }
        // JSONDecoder skips unknown fields without checking them (it accepted a raw control character
        // or a bad escape there); JSONSerialization checks the whole text.
        guard (try? JSONSerialization.jsonObject(with: Data(bytes))) != nil else { return nil }
        return try? JSONDecoder().decode(ReferenceEvent.self, from: Data(bytes)).event
    }
}
