import FluxDispatchCore
import FuzzDriver

/// The input is split into a token, a signature header and a body. Checking any header against any
/// body must not crash, and the header this verifier makes for a body must verify.
@_cdecl("FuzzSignature_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, count in
        guard let data else { return withUnsafeBytes(of: UInt8(0)) { fuzzSignature($0.baseAddress!, 0) } }
        return fuzzSignature(UnsafeRawPointer(data), count)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSignature(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let first = bytes.first else { return 0 }
    let tokenLength = min(Int(first), bytes.count - 1)
    let token = Array(bytes[1..<(1 + tokenLength)])
    let rest = bytes[(1 + tokenLength)...]
    let newline = rest.firstIndex(of: UInt8(ascii: "\n")) ?? rest.endIndex
    let header = String(decoding: rest[..<newline], as: UTF8.self)
    let body = Array(rest[min(newline + 1, rest.endIndex)...])
    let verifier = SignatureVerifier(token: token)
    _ = try? verifier.verify(signatureHeader: header, body: body)
    do {
        try verifier.verify(signatureHeader: verifier.signatureHeader(for: body), body: body)
    } catch {
        preconditionFailure("a header made for a body does not verify: \(error)")
    }
    return 0
}
