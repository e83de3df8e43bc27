// Read by ThreadSanitizer while it starts, when the program is built with -sanitize=thread (as
// `swift test --sanitize=thread` builds it); an ordinary build never calls it. It is C, not Swift,
// because ThreadSanitizer calls it before its own per-thread state exists: an instrumented
// function (any Swift function in a sanitized build) crashes there, so this one is built
// uninstrumented. Linked into the executable and, through it, into the test bundle.
//
// One entry, a false positive in SwiftNIO that no code of ours can avoid:
//
// NIOPooledRecvBufferAllocator._reuseExisting: SwiftNIO reads each socket into a buffer from a
// small pool and reuses a pooled buffer once isKnownUniquelyReferenced says no one else holds it.
// A request body's bytes are copied out of such a buffer on a Swift concurrency thread, which then
// releases it; the event loop then finds the buffer unique and writes into it. The release (an
// atomic decrement with release ordering) and the uniqueness check (an acquiring load) order the
// copy before the write, but both happen inside the Swift runtime, which is not built with
// ThreadSanitizer, so it sees a read and a later write on two threads with nothing between them
// (SwiftNIO issue #303). Reported once in the seventh session's two runs of the whole suite, in
// HTTPLimitsTests.testSeventyKiBBodyIs413AndNothingIsParsed, whose body spans many reads. Only the
// allocator's reuse path is named, so a race anywhere else is still reported.
#include "ThreadSanitizerDefaults.h"

__attribute__((no_sanitize("thread"), used, visibility("default")))
const char *__tsan_default_suppressions(void) {
    return "race:NIOPooledRecvBufferAllocatorV014_reuseExisting\n";
}
