import FluxDispatchCore
import XCTest

final class ReasonClassTests: XCTestCase {
    func testSuccessReason() {
        XCTAssertEqual(ReasonClass(reason: "ReconciliationSucceeded"), .success)
        XCTAssertEqual(ReasonClass.successReasons, ["ReconciliationSucceeded"])
    }

    func testAllSixFailureReasons() {
        for reason in Fixtures.failureReasons {
            XCTAssertEqual(ReasonClass(reason: reason), .failure, reason)
        }
        XCTAssertEqual(ReasonClass.failureReasons, Set(Fixtures.failureReasons))
        XCTAssertEqual(ReasonClass.failureReasons.count, 6)
    }

    func testOtherReasonsAreIgnored() {
        for reason in [
            "", "Progressing", "ReconciliationSucceded", "reconciliationsucceeded", "RECONCILIATIONSUCCEEDED",
            "ReconciliationSucceeded ", " BuildFailed", "buildfailed", "Failed", "Succeeded", "DependencyNotReady\n",
            "ArtifactUpToDate", "HealthCheckSucceeded", "ProgressingWithRetry",
        ] {
            XCTAssertEqual(ReasonClass(reason: reason), .ignored, reason.debugDescription)
        }
    }

    func testSuccessAndFailureSetsAreDisjoint() {
        XCTAssertTrue(ReasonClass.successReasons.isDisjoint(with: ReasonClass.failureReasons))
    }
}
