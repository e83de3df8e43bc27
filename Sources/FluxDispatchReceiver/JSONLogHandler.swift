import FluxDispatchCore
import Foundation
import Logging
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler writing one JSON object per line to stderr: `time`, `level`, `msg`, then the
/// metadata fields (`product`, `env`, `repo`, `reason`, `event_type`, `outcome`, `duration_ms`, …).
///
/// Lines are built by hand, as bytes, rather than with JSONSerialization or by growing a `String`:
/// this runs once per event on the hot path, the shape is fixed, and the receiver's profile showed
/// a string built a character at a time costing as much as the signature check.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let output: LogOutput

    public init(label: String, level: Logger.Level = .info, output: LogOutput = .standardError) {
        self.label = label
        self.logLevel = level
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: Logging.LogEvent) {
        var line: [UInt8] = []
        line.reserveCapacity(512)
        Self.append("{\"time\":\"", to: &line)
        Self.appendTimestamp(to: &line)
        Self.append("\",\"level\":\"", to: &line)
        Self.append(event.level.jsonName, to: &line)
        Self.append("\",\"msg\":", to: &line)
        JSONText.appendString(event.message.description, to: &line)
        var fields = self.metadata
        if let extra = event.metadata {
            if fields.isEmpty { fields = extra } else { fields.merge(extra) { _, new in new } }
        }
        if let error = event.error, fields["error"] == nil { fields["error"] = .string("\(error)") }
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            line.append(UInt8(ascii: ","))
            JSONText.appendString(key, to: &line)
            line.append(UInt8(ascii: ":"))
            Self.appendJSONValue(value, to: &line)
        }
        Self.append("}\n", to: &line)
        output.write(line)
    }

    /// RFC 3339 UTC with milliseconds. The date-and-seconds part is formatted once per second and
    /// cached: this runs for every event, and `String(format:)` showed up in profiles.
    private static func appendTimestamp(to line: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let seconds = Int(now.tv_sec)
        secondCache.withLockedValue { cache in
            if cache.second != seconds {
                var time = now.tv_sec
                var parts = tm()
                gmtime_r(&time, &parts)
                var text: [UInt8] = []
                appendDigits(Int(parts.tm_year) + 1900, width: 4, to: &text)
                for (separator, value) in [
                    ("-", parts.tm_mon + 1), ("-", parts.tm_mday), ("T", parts.tm_hour), (":", parts.tm_min), (":", parts.tm_sec),
                ] {
                    append(separator, to: &text)
                    appendDigits(Int(value), width: 2, to: &text)
                }
                cache = (seconds, text)
            }
            line.append(contentsOf: cache.text)
        }
        line.append(UInt8(ascii: "."))
        appendDigits(Int(now.tv_nsec / 1_000_000), width: 3, to: &line)
        line.append(UInt8(ascii: "Z"))
    }

    private static let secondCache = NIOLockedValueBox<(second: Int, text: [UInt8])>((-1, []))

    /// `value` (not negative) in decimal, zero-padded to at least `width` digits.
    private static func appendDigits(_ value: Int, width: Int, to line: inout [UInt8]) {
        // Most significant digit first, straight into the line (no array of digits per number).
        var divisor = 1
        var count = 1
        while divisor <= value / 10 {
            divisor *= 10
            count += 1
        }
        for _ in count..<max(width, count) { line.append(UInt8(ascii: "0")) }
        var rest = value
        while divisor > 0 {
            line.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// A finite double with three decimals, without Foundation's formatter.
    static func appendMilliseconds(_ d: Double, to line: inout [UInt8]) {
        let thousandths = Int((d * 1000).rounded())
        if thousandths < 0 { line.append(UInt8(ascii: "-")) }
        let magnitude = abs(thousandths)
        appendDigits(magnitude / 1000, width: 1, to: &line)
        line.append(UInt8(ascii: "."))
        appendDigits(magnitude % 1000, width: 3, to: &line)
    }

    private static func appendJSONValue(_ value: Logger.Metadata.Value, to line: inout [UInt8]) {
        switch value {
        case .string(let s):
            JSONText.appendString(s, to: &line)
        case .stringConvertible(let c):
            // Numbers and booleans logged with `.stringConvertible` are written as JSON numbers/booleans.
            switch c {
            case let d as Double where d.isFinite && abs(d) < 1e15: appendMilliseconds(d, to: &line)
            case let n as any BinaryInteger: append(n.description, to: &line)
            case let b as Bool: append(b ? "true" : "false", to: &line)
            default: JSONText.appendString(c.description, to: &line)
            }
        case .array(let values):
            line.append(UInt8(ascii: "["))
            for (i, v) in values.enumerated() {
                if i > 0 { line.append(UInt8(ascii: ",")) }
                appendJSONValue(v, to: &line)
            }
            line.append(UInt8(ascii: "]"))
        case .dictionary(let dict):
            line.append(UInt8(ascii: "{"))
            for (i, key) in dict.keys.sorted().enumerated() {
                if i > 0 { line.append(UInt8(ascii: ",")) }
                JSONText.appendString(key, to: &line)
                line.append(UInt8(ascii: ":"))
                appendJSONValue(dict[key]!, to: &line)
            }
            line.append(UInt8(ascii: "}"))
        }
    }

    private static func append(_ text: String, to line: inout [UInt8]) {
        line.append(contentsOf: text.utf8)
    }
}

/// Where log lines go. Writes are whole lines in one `write(2)` so concurrent lines never interleave.
public final class LogOutput: Sendable {
    private enum Target { case fileDescriptor(Int32), memory, discard }
    private let target: Target
    private let captured = NIOLockedValueBox<[String]>([])

    public static let standardError = LogOutput(target: .fileDescriptor(2))

    private init(target: Target) { self.target = target }

    /// Keeps lines in memory (for tests).
    public static func memory() -> LogOutput { LogOutput(target: .memory) }

    /// Appends to a file (created 0600), e.g. while a dashboard owns the terminal. Nil if it cannot
    /// be opened.
    public static func file(_ path: String) -> LogOutput? {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        return fd < 0 ? nil : LogOutput(target: .fileDescriptor(fd))
    }

    /// Discards everything.
    public static let discard = LogOutput(target: .discard)

    public var lines: [String] { captured.withLockedValue { $0 } }

    func write(_ line: [UInt8]) {
        switch target {
        case .fileDescriptor(let fd):
            line.withUnsafeBufferPointer { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if n <= 0 {
                        if n < 0 && errno == EINTR { continue }
                        return
                    }
                    offset += n
                }
            }
        case .memory:
            captured.withLockedValue { $0.append(String(decoding: line, as: UTF8.self)) }
        case .discard:
            break
        }
    }
}

extension Logger.Level {
    var jsonName: String {
        switch self {
        case .trace: return "trace"
        case .debug: return "debug"
        case .info: return "info"
        case .notice: return "notice"
        case .warning: return "warn"
        case .error: return "error"
        case .critical: return "critical"
        }
    }
}
