import Crypto
import Foundation

/// Checks Flux's `generic-hmac` signature: header `X-Signature: sha256=<hex>`, HMAC-SHA256 of the
/// raw body under the shared token.
public struct SignatureVerifier: Sendable {
    private let key: SymmetricKey
    /// An HMAC that has absorbed the key, copied for each body: keying costs two SHA-256 blocks,
    /// and this runs for every request.
    private let keyed: HMAC<SHA256>

    public init(token: some DataProtocol) {
        key = SymmetricKey(data: Data(token))
        keyed = HMAC<SHA256>(key: key)
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case missing
        case unsupportedAlgorithm(String)
        case malformed
        /// More than one value: the field repeated (the receiver joins repeated fields with ", ",
        /// as HTTP does) or a list in one field. Refused, whatever the values: one of them may be
        /// the valid one, and there is no telling which a sender meant.
        case repeated
        case mismatch

        public var description: String {
            switch self {
            case .missing: return "missing X-Signature header"
            case .unsupportedAlgorithm(let algo): return "unsupported signature algorithm \"\(algo)\" (expected sha256)"
            case .malformed: return "X-Signature is not a hex SHA-256 HMAC"
            case .repeated: return "more than one X-Signature value (the field repeated, or a list); send exactly one"
            case .mismatch: return "signature does not match the body"
            }
        }
    }

    /// Accepts `sha256=<hex>` and a bare `<hex>`, hex in either case, with spaces or tabs around
    /// it. Compares in constant time.
    public func verify(signatureHeader: String?, body: some DataProtocol) throws(Failure) {
        guard let signatureHeader else { throw .missing }
        let header = Array(signatureHeader.utf8)
        var start = 0
        var end = header.count
        while start < end, header[start] == 0x20 || header[start] == 0x09 { start += 1 }
        while end > start, header[end - 1] == 0x20 || header[end - 1] == 0x09 { end -= 1 }
        guard start < end else { throw .missing }
        var hex = header[start..<end]
        if hex.contains(UInt8(ascii: ",")) { throw .repeated }
        if let equals = hex.firstIndex(of: UInt8(ascii: "=")) {
            let algorithm = hex[..<equals]
            guard algorithm.count == 6, zip(algorithm, "sha256".utf8).allSatisfy({ Self.lowercased($0) == $1 }) else {
                throw .unsupportedAlgorithm(String(decoding: algorithm, as: UTF8.self))
            }
            hex = hex[(equals + 1)...]
        }
        guard let provided = Self.decodeHex(hex), provided.count == SHA256.byteCount else {
            throw .malformed
        }
        var mac = keyed
        mac.update(data: body)
        // `==` against bytes compares in constant time (swift-crypto's safeCompare).
        guard mac.finalize() == provided else { throw .mismatch }
    }

    /// The header value Flux would send for `body`.
    public func signatureHeader(for body: some DataProtocol) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: key)
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    static func decodeHex(_ utf8: ArraySlice<UInt8>) -> [UInt8]? {
        guard utf8.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2)
        var index = utf8.startIndex
        while index < utf8.endIndex {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// An ASCII capital letter lowered; any other byte as it is.
    private static func lowercased(_ c: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c) ? c | 0x20 : c
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
