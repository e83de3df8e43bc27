/// A GitHub repository named by an event's `metadata.dispatch_repo`, validated.
public struct DispatchRepository: Sendable, Hashable, CustomStringConvertible {
    public let owner: String
    public let name: String

    public var description: String { "\(owner)/\(name)" }

    public enum ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed(String)
        case dotSegment(String)
        case organisationNotAllowed(owner: String, allowed: [String])

        public var description: String {
            switch self {
            case .malformed(let value):
                return "dispatch_repo \"\(value)\" is not OWNER/REPO (letters, digits, '.', '_', '-')"
            case .dotSegment(let value):
                return "dispatch_repo \"\(value)\" has a segment made only of dots"
            case .organisationNotAllowed(let owner, let allowed):
                return "owner \"\(owner)\" is not in ALLOWED_ORGS (\(allowed.joined(separator: ",")))"
            }
        }
    }

    /// Validates `^[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$`, rejects segments of only dots (`..`, `.`),
    /// and requires the owner to be one of `allowedOrganisations` (case-sensitive, as GitHub's API
    /// paths are matched by the reference service).
    public init(validating value: String, allowedOrganisations: [String]) throws(ValidationError) {
        let parts = value.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(Self.isAllowedByte) }) else {
            throw .malformed(value)
        }
        guard parts.allSatisfy({ !$0.allSatisfy { $0 == UInt8(ascii: ".") } }) else {
            throw .dotSegment(value)
        }
        let owner = String(decoding: parts[0], as: UTF8.self)
        guard allowedOrganisations.contains(owner) else {
            throw .organisationNotAllowed(owner: owner, allowed: allowedOrganisations)
        }
        self.owner = owner
        self.name = String(decoding: parts[1], as: UTF8.self)
    }

    private static func isAllowedByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}
