import FluxDispatchCore
import FuzzDriver

/// Any text as a Go duration (DEDUP_TTL, RETENTION, OUTBOX_MAX_AGE, --duration): either an error
/// or a finite number of seconds, the same from both entry points.
@_cdecl("FuzzDurations_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, count in
        guard let data else { return withUnsafeBytes(of: UInt8(0)) { fuzzDurations($0.baseAddress!, 0) } }
        return fuzzDurations(UnsafeRawPointer(data), count)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDurations(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    let seconds = try? GoDuration.parseSeconds(text)
    if let seconds { precondition(seconds.isFinite, "\(text) parsed to \(seconds)") }
    let duration = try? GoDuration.parse(text)
    precondition((seconds == nil) == (duration == nil), "parse and parseSeconds disagree on \(text)")
    return 0
}
