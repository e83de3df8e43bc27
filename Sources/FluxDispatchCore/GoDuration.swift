/// Parses durations in Go's `time.ParseDuration` syntax (`24h`, `90m`, `1h30m`, `1.5s`, `300ms`),
/// so configuration written for the reference service keeps working.
public enum GoDuration {
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    private static let units: [(String, Double)] = [
        ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("μs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600),
    ]

    /// Returns the duration in seconds.
    public static func parseSeconds(_ text: String) throws(ParseError) -> Double {
        var rest = Substring(text)
        var sign = 1.0
        if let first = rest.first, first == "-" || first == "+" {
            sign = first == "-" ? -1 : 1
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { throw ParseError(description: "\"\(text)\" is not a duration") }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1,
                let value = Double(number.hasPrefix(".") ? "0" + number : number)
            else {
                throw ParseError(description: "\"\(text)\" is not a duration (use Go syntax such as 24h, 90m, 1h30m)")
            }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard let unit = units.first(where: { $0.0 == unitText }) else {
                let problem = unitText.isEmpty ? "missing unit" : "unknown unit \"\(unitText)\""
                throw ParseError(description: "\"\(text)\" is not a duration: \(problem) (use ns, us, ms, s, m or h)")
            }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.1
        }
        // Go's time.Duration is an int64 of nanoseconds.
        guard total <= 9_223_372_036 else { throw ParseError(description: "\"\(text)\" is out of range") }
        return sign * total
    }

    public static func parse(_ text: String) throws(ParseError) -> Duration {
        let seconds = try parseSeconds(text)
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    /// Formats like Go's `Duration.String()` for whole seconds and above (`24h0m0s`, `1h30m0s`, `90s` → `1m30s`).
    public static func format(seconds: Double) -> String {
        if seconds == 0 { return "0s" }
        if abs(seconds) < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        var remaining = Int(seconds.rounded())
        let negative = remaining < 0
        remaining = abs(remaining)
        let hours = remaining / 3600, minutes = remaining % 3600 / 60, secs = remaining % 60
        var out = negative ? "-" : ""
        if hours > 0 { out += "\(hours)h\(minutes)m\(secs)s" } else if minutes > 0 { out += "\(minutes)m\(secs)s" } else { out += "\(secs)s" }
        return out
    }
}
