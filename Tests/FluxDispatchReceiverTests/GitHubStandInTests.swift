import GitHubStandIn
import XCTest

/// The stand-in as the `github-standin` command runs it for benchmarks and soaks: it answers like
/// GitHub but keeps no dispatch, so its memory stays flat however long it runs.
final class GitHubStandInTests: XCTestCase {
    func testACountingStandInAnswersDispatchesWithoutKeepingThem() async throws {
        let harness = try ReceiverHarness(keepsDispatches: false)
        try await harness.start()
        for digest in ["aa01", "aa02", "aa03"] {
            let answer = try await harness.post(FluxEventBody(digest: digest, message: "Applied revision at23@sha256:\(digest)").json)
            XCTAssertEqual(answer.outcome, "dispatched", "the stand-in answered 204")
        }
        XCTAssertEqual(harness.github.requestCount(to: "Altinn/dialogporten"), 3)
        XCTAssertTrue(harness.github.dispatches.isEmpty, "no dispatch kept")
        await harness.stop()
    }
}
