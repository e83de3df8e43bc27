import FluxDispatchCore
import FuzzDriver

/// Any text as LISTEN_ADDR / METRICS_ADDR: an error, or an address whose description parses back
/// to the same address.
@_cdecl("FuzzListenAddress_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, count in
        guard let data else { return withUnsafeBytes(of: UInt8(0)) { fuzzListenAddress($0.baseAddress!, 0) } }
        return fuzzListenAddress(UnsafeRawPointer(data), count)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzListenAddress(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    guard let address = try? ListenAddress(parsing: text) else { return 0 }
    precondition((0...65535).contains(address.port), "port \(address.port) from \(text)")
    let again = try? ListenAddress(parsing: address.description)
    precondition(again == address, "\(text) -> \(address.description) does not round-trip")
    return 0
}
