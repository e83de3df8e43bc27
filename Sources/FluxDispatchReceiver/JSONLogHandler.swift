import Foundation
import Logging
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler writing one JSON object per line to stderr: `time`, `level`, `msg`, then the
/// metadata fields (`product`, `env`, `repo`, `reason`, `event_type`, `outcome`, `duration_ms`, …).
///
/// Lines are built by hand rather than with JSONSerialization: this runs once per event on the hot
/// path, and the shape is fixed.
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

    public func log(event: LogEvent) {
        var line = "{\"time\":\""
        line += Self.timestamp()
        line += "\",\"level\":\""
        line += event.level.jsonName
        line += "\",\"msg\":"
        Self.appendJSONString(event.message.description, to: &line)
        var merged = self.metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for key in merged.keys.sorted() {
            line += ","
            Self.appendJSONString(key, to: &line)
            line += ":"
            Self.appendJSONValue(merged[key]!, to: &line)
        }
        line += "}\n"
        output.write(line)
    }

    public func log(
        level: Logger.Level, message: Logger.Message, metadata explicitMetadata: Logger.Metadata?,
        source: String, file: String, function: String, line: UInt
    ) {
        log(event: LogEvent(level: level, message: message, metadata: explicitMetadata))
    }

    public struct LogEvent {
        var level: Logger.Level
        var message: Logger.Message
        var metadata: Logger.Metadata?
    }

    /// RFC 3339 UTC with milliseconds. The date-and-seconds part is formatted once per second and
    /// cached: this runs for every event, and `String(format:)` showed up in profiles.
    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let seconds = Int(now.tv_sec)
        let prefix = secondCache.withLockedValue { cache -> String in
            if cache.second == seconds { return cache.text }
            var time = now.tv_sec
            var parts = tm()
            gmtime_r(&time, &parts)
            let text = "\(parts.tm_year + 1900)-\(pad2(parts.tm_mon + 1))-\(pad2(parts.tm_mday))T"
                + "\(pad2(parts.tm_hour)):\(pad2(parts.tm_min)):\(pad2(parts.tm_sec))"
            cache = (seconds, text)
            return text
        }
        return prefix + "." + pad3(Int(now.tv_nsec / 1_000_000)) + "Z"
    }

    private static let secondCache = NIOLockedValueBox<(second: Int, text: String)>((-1, ""))

    private static func pad2(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
    private static func pad3(_ n: Int) -> String { n < 10 ? "00\(n)" : n < 100 ? "0\(n)" : "\(n)" }

    /// A finite double with three decimals, without Foundation's formatter.
    static func formatMilliseconds(_ d: Double) -> String {
        let thousandths = Int((d * 1000).rounded())
        let sign = thousandths < 0 ? "-" : ""
        let magnitude = abs(thousandths)
        return "\(sign)\(magnitude / 1000).\(pad3(magnitude % 1000))"
    }

    private static func appendJSONValue(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let s):
            appendJSONString(s, to: &line)
        case .stringConvertible(let c):
            // Numbers and booleans logged with `.stringConvertible` are written as JSON numbers/booleans.
            switch c {
            case let n as any BinaryInteger: line += n.description
            case let d as Double where d.isFinite && abs(d) < 1e15: line += formatMilliseconds(d)
            case let b as Bool: line += b ? "true" : "false"
            default: appendJSONString(c.description, to: &line)
            }
        case .array(let values):
            line += "["
            for (i, v) in values.enumerated() {
                if i > 0 { line += "," }
                appendJSONValue(v, to: &line)
            }
            line += "]"
        case .dictionary(let dict):
            line += "{"
            for (i, key) in dict.keys.sorted().enumerated() {
                if i > 0 { line += "," }
                appendJSONString(key, to: &line)
                line += ":"
                appendJSONValue(dict[key]!, to: &line)
            }
            line += "}"
        }
    }

    static func appendJSONString(_ s: String, to line: inout String) {
        line += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20:
                line += String(format: "\\u%04x", scalar.value)
            default:
                line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
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

    func write(_ line: String) {
        switch target {
        case .fileDescriptor(let fd):
            var line = line
            line.withUTF8 { buffer in
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
            captured.withLockedValue { $0.append(line) }
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
