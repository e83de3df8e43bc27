import Foundation
import JWTKit

/// The GitHub App's private key, loaded and checked at start-up so a wrong path or a bad file stops
/// the receiver with a clear message instead of failing the first dispatch.
public struct GitHubAppKey: Sendable {
    let key: Insecure.RSA.PrivateKey

    /// Reads a PEM file holding an RSA private key, PKCS#1 (`BEGIN RSA PRIVATE KEY`, what GitHub
    /// hands out) or PKCS#8 (`BEGIN PRIVATE KEY`).
    public static func load(path: String) throws(ConfigurationError) -> GitHubAppKey {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
            throw ConfigurationError(variable: "GITHUB_PRIVATE_KEY_PATH", problem: "cannot read \(path): \(reason)")
        }
        return try parse(pem: text, source: path)
    }

    public static func parse(pem: String, source: String) throws(ConfigurationError) -> GitHubAppKey {
        guard pem.contains("-----BEGIN RSA PRIVATE KEY-----") || pem.contains("-----BEGIN PRIVATE KEY-----") else {
            throw ConfigurationError(
                variable: "GITHUB_PRIVATE_KEY_PATH",
                problem: "\(source) is not a PEM RSA private key (expected BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY)")
        }
        do {
            return GitHubAppKey(key: try Insecure.RSA.PrivateKey(pem: pem))
        } catch {
            // jwt-kit's RSAError is internal; its case name is the only handle on "too small".
            if "\(error)".contains("keySizeTooSmall") {
                throw ConfigurationError(
                    variable: "GITHUB_PRIVATE_KEY_PATH", problem: "\(source): the RSA key is smaller than 2048 bits")
            }
            throw ConfigurationError(
                variable: "GITHUB_PRIVATE_KEY_PATH", problem: "\(source) holds no usable RSA private key (\(error))")
        }
    }
}

/// The claims GitHub wants in an App JWT.
struct GitHubAppClaims: JWTPayload {
    var iss: IssuerClaim
    var iat: IssuedAtClaim
    var exp: ExpirationClaim

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}
