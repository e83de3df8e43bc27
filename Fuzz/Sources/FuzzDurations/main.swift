import FluxDispatchCore

/// Any text as a Go duration (DEDUP_TTL, RETENTION, OUTBOX_MAX_AGE, --duration): either an error
/// or a finite number of seconds, the same from both entry points.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDurations(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    let seconds = try? GoDuration.parseSeconds(text)
    if let seconds { precondition(seconds.isFinite, "\(text) parsed to \(seconds)") }
    let duration = try? GoDuration.parse(text)
    precondition((seconds == nil) == (duration == nil), "parse and parseSeconds disagree on \(text)")
    return 0
}
