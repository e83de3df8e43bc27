import Crypto
import Foundation

/// Checks Flux's `generic-hmac` signature: header `X-Signature: sha256=<hex>`, HMAC-SHA256 of the
/// raw body under the shared token.
public struct SignatureVerifier: Sendable {
    private let key: SymmetricKey

    public init(token: some DataProtocol) {
        key = SymmetricKey(data: Data(token))
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case missing
        case unsupportedAlgorithm(String)
        case malformed
        case mismatch

        public var description: String {
            switch self {
            case .missing: return "missing X-Signature header"
            case .unsupportedAlgorithm(let algo): return "unsupported signature algorithm \"\(algo)\" (expected sha256)"
            case .malformed: return "X-Signature is not a hex SHA-256 HMAC"
            case .mismatch: return "signature does not match the body"
            }
        }
    }

    /// Accepts `sha256=<hex>` and a bare `<hex>`, hex in either case. Compares in constant time.
    public func verify(signatureHeader: String?, body: some DataProtocol) throws(Failure) {
        guard let header = signatureHeader?.trimmingCharacters(in: .whitespaces), !header.isEmpty else {
            throw .missing
        }
        var hex = Substring(header)
        if let equals = header.firstIndex(of: "=") {
            let algorithm = header[..<equals]
            guard algorithm.lowercased() == "sha256" else { throw .unsupportedAlgorithm(String(algorithm)) }
            hex = header[header.index(after: equals)...]
        }
        guard let provided = Self.decodeHex(hex), provided.count == SHA256.byteCount else {
            throw .malformed
        }
        // HMAC.isValidAuthenticationCode compares in constant time.
        guard HMAC<SHA256>.isValidAuthenticationCode(provided, authenticating: body, using: key) else {
            throw .mismatch
        }
    }

    /// The header value Flux would send for `body`.
    public func signatureHeader(for body: some DataProtocol) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: key)
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    static func decodeHex(_ text: Substring) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
