import Foundation

/// Reads Flux's generic-hmac token from a file, as the receiver, `send` and `bench` all do.
public enum HMACTokenFile {
    /// The file's bytes without trailing whitespace: secret files written with `echo` end in a
    /// newline that is not part of the token. Throws a `ConfigurationError` for `HMAC_TOKEN_PATH`.
    public static func read(_ path: String) throws(ConfigurationError) -> [UInt8] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
            throw ConfigurationError(variable: "HMAC_TOKEN_PATH", problem: "cannot read \(path): \(reason)")
        }
        var token = Array(data)
        while let last = token.last, last == 0x0A || last == 0x0D || last == 0x20 || last == 0x09 { token.removeLast() }
        guard !token.isEmpty else {
            throw ConfigurationError(variable: "HMAC_TOKEN_PATH", problem: "\(path) is empty")
        }
        return token
    }
}
