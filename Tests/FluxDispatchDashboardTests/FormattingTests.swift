import FluxDispatchDashboard
import FluxDispatchStore
import XCTest

final class FormattingTests: XCTestCase {
    func testOutcomeRoles() {
        XCTAssertEqual(OutcomeStyle.of("dispatched"), OutcomeStyle(label: "dispatched", role: .ok))
        XCTAssertEqual(OutcomeStyle.of("dry_run"), OutcomeStyle(label: "dry-run", role: .dryRunOutcome))
        XCTAssertEqual(OutcomeStyle.of("duplicate").role, .dedup)
        for failure in ["dispatch_rejected", "dispatch_unavailable", "github_auth_failed"] {
            XCTAssertEqual(OutcomeStyle.of(failure).role, .fail, failure)
        }
        for quiet in ["ignored_reason", "reason_not_routed", "invalid_payload", "missing_dispatch_repo", "invalid_dispatch_repo"] {
            XCTAssertEqual(OutcomeStyle.of(quiet).role, .dim, quiet)
        }
        XCTAssertEqual(OutcomeStyle.of("something_new"), OutcomeStyle(label: "something_new", role: .normal))
        XCTAssertNotEqual(OutcomeStyle.of("dry_run").role, OutcomeStyle.of("dispatched").role)
    }

    func testTimes() {
        let now = Fixtures.now
        XCTAssertEqual(TimeText.clock(now), "14:05")
        XCTAssertEqual(TimeText.clockSeconds(now), "14:05:30")
        XCTAssertEqual(TimeText.clockSeconds(0), "00:00:00")
        XCTAssertEqual(TimeText.dateTime(now), "2026-05-01 14:05:30 UTC")
        XCTAssertEqual(TimeText.dateTime(951_782_400_000), "2000-02-29 00:00:00 UTC")
        XCTAssertEqual(TimeText.ago(now - 59_999, now: now), "just now")
        XCTAssertEqual(TimeText.ago(now + 5_000, now: now), "just now")
        XCTAssertEqual(TimeText.ago(now - 60_000, now: now), "1m ago")
        XCTAssertEqual(TimeText.ago(now - 3_599_000, now: now), "59m ago")
        XCTAssertEqual(TimeText.ago(now - 3_600_000, now: now), "1h ago")
        XCTAssertEqual(TimeText.ago(now - 47 * 3_600_000, now: now), "47h ago")
        XCTAssertEqual(TimeText.ago(now - 72 * 3_600_000, now: now), "3d ago")
    }

    /// Large inputs render without trapping and fill the panes (frame time is measured by
    /// `flux-dispatch bench-dashboard`, not here).
    func testLargeSnapshotRenders() {
        let feed = (0..<200).map { (index: Int) -> FeedEntry in
            let outcome = index % 3 == 0 ? "dry_run" : "dispatched"
            return Fixtures.entry(Int64(10_000 - index), secondsAgo: Int64(index * 7), product: "product-\(index)", outcome: outcome, status: 204)
        }
        let callouts = (0..<200).map { index -> Callout in
            var callout = Fixtures.dispatchCallout
            callout.product = "product-\(index)"
            callout.lastAt -= Int64(index) * 1000
            return callout
        }
        let snapshot = Fixtures.snapshot(callouts: callouts, feed: feed, dedup: [])
        let size = TerminalSize(width: 200, height: 60)
        let grid = DashboardRenderer.render(snapshot: snapshot, state: DashboardState(terminalSize: size), size: size)
        XCTAssertTrue(grid.text.contains("product-0"))
        XCTAssertTrue(grid.text.contains("Callouts (200)"), grid.text)
    }
}
