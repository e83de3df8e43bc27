/// Read by LeakSanitizer at exit when the program is built with `-sanitize=address` (as
/// `swift test --sanitize=address` builds it); an ordinary build never calls it.
///
/// The test runner reads this same function: the end-to-end tests depend on this target, so it is
/// linked into the test bundle, where a second `__lsan_default_suppressions` would not link. So the
/// list holds the executable's entry and the test runner's; frames of one never occur in the other.
/// Nothing of ours is suppressed; each entry is a leak inside a library, or a block LeakSanitizer
/// cannot see is still in use:
///
/// - `withBignumPointer`: swift-crypto's `withBignumPointer` (CryptoExtras,
///   `Util/BoringSSLHelpers.swift`) sets a stack `BIGNUM` and releases it with `BN_clear`, which
///   zeroes the digits but does not free them, so every RSA key *generated* leaks its 16-byte public
///   exponent. Only `demo` (for its stand-in GitHub App) and the receiver tests' harness generate a
///   key, once per run; the receiver reads its key from a file and is not affected.
/// - `XCTestCaseRun.init(test:)`, `XCTestSuiteRun.init(test:)` (the test runner): swift-corelibs-xctest
///   never frees a test: `XCTest.testRun` holds its `XCTestRun` and `XCTestRun.test` holds the test
///   back, and neither is ever cleared. A suppressed block counts as in use, so what a test case
///   object still holds is not reported either: test cases let go in `tearDown` of what they start
///   (receivers, stores, clients), and with these two entries removed the report shows only
///   XCTest's objects, the test case objects and their small fixed values (paths, dictionaries).
/// - `awaitUsingExpectation` (the test runner): XCTest's `XCTWaiter` keeps a weak reference to its
///   thread's `WaiterManager`, which lives until exit. The weak reference gives the manager a
///   32-byte side table whose address Swift keeps only in the object's reference count word,
///   shifted and tagged, where LeakSanitizer does not recognise it as a pointer.
/// - `Process.run()` (the test runner, `DeployManifestTests`): the same with Foundation's `Process`,
///   whose weak `runLoop` gives the calling thread's run loop (alive until exit) a side table.
/// - `readBytesFromFile` (the test runner, `String(contentsOfFile:)` in the end-to-end tests'
///   `Subprocess`): on Linux, swift-foundation reads a file whose size is 0 into a 4 KB buffer it
///   allocates, and when nothing was read returns an empty `Data` without freeing the buffer, so
///   every empty file read leaks 4 KB.
@_cdecl("__lsan_default_suppressions")
public func leakSanitizerSuppressions() -> UnsafePointer<CChar> {
    let text: StaticString = """
        leak:withBignumPointer
        leak:6XCTest0A7CaseRunC4test
        leak:6XCTest0A8SuiteRunC4test
        leak:6XCTest21awaitUsingExpectation
        leak:10Foundation7ProcessC3run
        leak:20FoundationEssentials17readBytesFromFile
        \0
        """
    return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}
