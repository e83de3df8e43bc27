import FluxDispatchDashboard
import FuzzDriver

/// Any text as a theme file (YAML, hand-edited by operators): a theme or an error naming the
/// problem, never a crash.
@_cdecl("FuzzTheme_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, count in
        guard let data else { return withUnsafeBytes(of: UInt8(0)) { fuzzTheme($0.baseAddress!, 0) } }
        return fuzzTheme(UnsafeRawPointer(data), count)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTheme(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    switch ThemeLoader.parse(yaml: text, file: "fuzz.yaml") {
    case .success: break
    case .failure(let error): precondition(!error.problem.isEmpty, "an error without a problem")
    }
    return 0
}
