/// A `:port` or `host:port` listen address, as the reference's `LISTEN_ADDR` / `METRICS_ADDR`.
/// `:8080` listens on every interface; `[::1]:8080` takes an IPv6 literal; port 0 asks for any free port.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    public init(parsing text: String) throws(ParseError) {
        let hint = "use :PORT or HOST:PORT, e.g. :8080 or 127.0.0.1:8080"
        guard let colon = text.lastIndex(of: ":") else {
            throw ParseError(description: "\"\(text)\" has no port (\(hint))")
        }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }), portText.count <= 5,
            let port = Int(portText), port <= 65535
        else {
            throw ParseError(description: "\"\(text)\" has no valid port 0-65535 (\(hint))")
        }
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else {
                throw ParseError(description: "\"\(text)\" has an unterminated IPv6 literal (\(hint))")
            }
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            throw ParseError(description: "\"\(text)\": put an IPv6 host in brackets, e.g. [::1]:8080")
        }
        guard !host.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "[" || $0 == "]" }) else {
            throw ParseError(description: "\"\(text)\" has an invalid host (\(hint))")
        }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
