/// Read by LeakSanitizer at exit when the program is built with `-sanitize=address` (as
/// `swift test --sanitize=address` builds it); an ordinary build never calls it.
///
/// One suppression, for a leak that is not ours: swift-crypto's `withBignumPointer`
/// (CryptoExtras, `Util/BoringSSLHelpers.swift`) sets a stack `BIGNUM` and releases it with
/// `BN_clear`, which zeroes the digits but does not free them, so every RSA key *generated* leaks
/// its 16-byte public exponent. Only `demo` generates a key (once per run, for its stand-in GitHub
/// App); the receiver reads its key from a file and is not affected.
@_cdecl("__lsan_default_suppressions")
public func leakSanitizerSuppressions() -> UnsafePointer<CChar> {
    let text: StaticString = "leak:withBignumPointer\n\0"
    return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}
