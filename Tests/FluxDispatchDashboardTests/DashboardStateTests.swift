import FluxDispatchDashboard
import FluxDispatchStore
import XCTest

final class DashboardStateTests: XCTestCase {
    let snapshot = Fixtures.live

    func testNavigationStaysWithinBounds() {
        var state = DashboardState()
        XCTAssertEqual(state.apply(.moveUp, snapshot: snapshot), [])
        XCTAssertEqual(state.cursor(.callouts).selected, 0)
        _ = state.apply(.moveDown, snapshot: snapshot)
        _ = state.apply(.moveDown, snapshot: snapshot)
        XCTAssertEqual(state.cursor(.callouts).selected, 1, "two callouts")
        _ = state.apply(.nextPane, snapshot: snapshot)
        _ = state.apply(.bottom, snapshot: snapshot)
        XCTAssertEqual(state.cursor(.feed).selected, 9)
        _ = state.apply(.pageUp, snapshot: snapshot)
        XCTAssertEqual(state.cursor(.feed).selected, 0, "a page up from row 9 of a 12-row pane")
        _ = state.apply(.pageDown, snapshot: snapshot)
        XCTAssertEqual(state.cursor(.feed).selected, 9)
        _ = state.apply(.top, snapshot: snapshot)
        XCTAssertEqual(state.cursor(.feed).selected, 0)
        XCTAssertEqual(state.cursor(.callouts).selected, 1, "each pane keeps its own selection")
        var empty = DashboardState()
        _ = empty.apply(.bottom, snapshot: Fixtures.snapshot())
        XCTAssertEqual(empty.cursor(.callouts).selected, 0)
    }

    func testScrollKeepsTheSelectionInView() {
        let feed = (0..<200).map { Fixtures.entry(Int64(1000 - $0), secondsAgo: Int64($0), product: "p\($0)", outcome: "dispatched", status: 204) }
        let big = Fixtures.snapshot(feed: feed)
        var state = DashboardState()
        state.focus = .feed
        _ = state.apply(.pageDown, snapshot: big)
        _ = state.apply(.pageDown, snapshot: big)
        let visible = DashboardLayout(snapshot: big, state: state).listRows(.feed)
        let cursor = state.cursor(.feed)
        XCTAssertTrue((cursor.top..<cursor.top + visible).contains(cursor.selected))
        let text = DashboardRenderer.render(snapshot: big, state: state, size: .minimum).text
        XCTAssertTrue(text.contains("p\(cursor.selected) "), "selected row on screen")
        XCTAssertTrue(text.contains("/200"), "position shown")
        // Rows disappearing (a new filter) pull the selection back.
        _ = state.apply(.none, snapshot: Fixtures.snapshot(feed: Array(feed.prefix(3))))
        XCTAssertEqual(state.cursor(.feed).selected, 2)
        XCTAssertEqual(state.cursor(.feed).top, 0)
    }

    func testTabCyclesPanes() {
        var state = DashboardState()
        XCTAssertEqual(state.focus, .callouts)
        _ = state.apply(.nextPane, snapshot: snapshot)
        XCTAssertEqual(state.focus, .feed)
        _ = state.apply(.nextPane, snapshot: snapshot)
        XCTAssertEqual(state.focus, .dedup)
        _ = state.apply(.nextPane, snapshot: snapshot)
        XCTAssertEqual(state.focus, .callouts)
        _ = state.apply(.previousPane, snapshot: snapshot)
        XCTAssertEqual(state.focus, .dedup)
    }

    func testFilterEditing() {
        var state = DashboardState()
        state.focus = .feed
        _ = state.apply(.moveDown, snapshot: snapshot)
        XCTAssertEqual(state.apply(.beginFilter, snapshot: snapshot), [])
        XCTAssertTrue(state.isEditingFilter)
        XCTAssertEqual(state.apply(.filterInput("b"), snapshot: snapshot), [.reload])
        XCTAssertEqual(state.apply(.filterInput("i"), snapshot: snapshot), [.reload])
        XCTAssertEqual(state.apply(.filterInput("\u{1B}"), snapshot: snapshot), [], "control characters are not typed")
        XCTAssertEqual(state.filterText, "bi")
        XCTAssertEqual(state.feedFilter, FeedFilter(text: "bi"))
        XCTAssertEqual(state.cursor(.feed).selected, 0, "a new filter starts at the top")
        XCTAssertEqual(state.apply(.filterBackspace, snapshot: snapshot), [.reload])
        XCTAssertEqual(state.apply(.filterApply, snapshot: snapshot), [])
        XCTAssertFalse(state.isEditingFilter)
        XCTAssertEqual(state.filterText, "b")
        XCTAssertEqual(state.apply(.back, snapshot: snapshot), [.reload], "Esc clears an applied filter")
        XCTAssertEqual(state.filterText, "")
        _ = state.apply(.beginFilter, snapshot: snapshot)
        _ = state.apply(.filterInput("x"), snapshot: snapshot)
        XCTAssertEqual(state.apply(.filterCancel, snapshot: snapshot), [.reload])
        XCTAssertEqual(state.filterText, "")
        XCTAssertFalse(state.isEditingFilter)
        XCTAssertEqual(state.apply(.toggleFailuresOnly, snapshot: snapshot), [.reload])
        XCTAssertEqual(state.feedFilter, FeedFilter(text: "", failuresOnly: true))
    }

    func testDismissAndUndoTargetTheSelectedCalloutsProduct() {
        var state = DashboardState()
        _ = state.apply(.moveDown, snapshot: snapshot)
        XCTAssertEqual(state.apply(.dismiss, snapshot: snapshot), [.dismiss(product: "checkout")])
        XCTAssertNotNil(state.notice)
        _ = state.apply(.moveUp, snapshot: snapshot)
        XCTAssertEqual(state.apply(.dismiss, snapshot: snapshot), [.dismiss(product: "billing")])
        XCTAssertEqual(state.apply(.undismiss, snapshot: snapshot), [.undismiss(product: "billing")])
        XCTAssertEqual(state.apply(.undismiss, snapshot: snapshot), [.undismiss(product: "checkout")])
        XCTAssertEqual(state.apply(.undismiss, snapshot: snapshot), [], "nothing left to undo")
        XCTAssertEqual(state.notice, "nothing to undo")
        // Dismissed in an earlier session: u brings back the newest hidden one.
        var fresh = DashboardState()
        let withHidden = Fixtures.snapshot(hidden: [Fixtures.dispatchCallout, Fixtures.reconciliationCallout])
        XCTAssertEqual(fresh.apply(.undismiss, snapshot: withHidden), [.undismiss(product: "billing")])
        // d outside the callouts pane does nothing but explain.
        _ = fresh.apply(.nextPane, snapshot: snapshot)
        XCTAssertEqual(fresh.apply(.dismiss, snapshot: snapshot), [])
        XCTAssertNotNil(fresh.notice)
        var none = DashboardState()
        XCTAssertEqual(none.apply(.dismiss, snapshot: Fixtures.snapshot()), [])
    }

    func testDetailOpenAndClose() {
        var state = DashboardState()
        XCTAssertEqual(state.apply(.openDetail, snapshot: snapshot), [.openDetail(eventID: 109)], "the billing callout's event")
        XCTAssertEqual(state.detailEventID, 109)
        XCTAssertEqual(state.apply(.back, snapshot: snapshot), [])
        XCTAssertNil(state.detailEventID)
        _ = state.apply(.nextPane, snapshot: snapshot)
        _ = state.apply(.moveDown, snapshot: snapshot)
        XCTAssertEqual(state.apply(.openDetail, snapshot: snapshot), [.openDetail(eventID: 111)])
        _ = state.apply(.back, snapshot: snapshot)
        _ = state.apply(.nextPane, snapshot: snapshot)
        XCTAssertEqual(state.apply(.openDetail, snapshot: snapshot), [.reload], "Enter on a dedup row filters the feed")
        XCTAssertEqual(state.filterText, "search")
        XCTAssertEqual(state.focus, .feed)
        var empty = DashboardState()
        XCTAssertEqual(empty.apply(.openDetail, snapshot: Fixtures.snapshot()), [])
        XCTAssertNil(empty.detailEventID)
    }

    func testThemeCyclingHelpQuitAndNotice() {
        var state = DashboardState(themeIndex: 2, themeNames: ["default", "high-contrast", "solarized-dark", "monochrome"])
        XCTAssertEqual(state.apply(.nextTheme, snapshot: snapshot), [.themeChanged(index: 3)])
        XCTAssertEqual(state.notice, "theme: monochrome")
        XCTAssertEqual(state.apply(.nextTheme, snapshot: snapshot), [.themeChanged(index: 0)])
        _ = state.apply(.moveDown, snapshot: snapshot)
        XCTAssertNil(state.notice, "the next key clears the notice")
        _ = state.apply(.toggleHelp, snapshot: snapshot)
        XCTAssertTrue(state.isHelpShown)
        _ = state.apply(.back, snapshot: snapshot)
        XCTAssertFalse(state.isHelpShown)
        XCTAssertEqual(state.apply(.quit, snapshot: snapshot), [.quit])
    }

    func testPauseFreezesTheFeed() {
        var state = DashboardState()
        _ = state.apply(.togglePause, snapshot: snapshot)
        XCTAssertTrue(state.isPaused)
        var newer = snapshot
        newer.feed.insert(Fixtures.entry(200, secondsAgo: 1, product: "new", outcome: "dispatched", status: 204), at: 0)
        XCTAssertEqual(state.visibleFeed(newer), snapshot.feed)
        state.failuresOnly = true
        XCTAssertEqual(state.visibleFeed(newer).map(\.id), [109, 108, 107, 105])
        state.failuresOnly = false
        _ = state.apply(.togglePause, snapshot: newer)
        XCTAssertEqual(state.visibleFeed(newer).first?.id, 200)
    }

    func testRedeliverTargetsTheSelectedFailedDispatchOrTheOpenEvent() {
        var state = DashboardState()
        state.focus = .feed
        // Row 0 is a delivered dispatch: refused, with a reason, and nothing asked of the store.
        XCTAssertEqual(state.apply(.redeliver, snapshot: snapshot), [])
        XCTAssertEqual(state.notice, "event #112 is dispatched: only failed, rejected or dead dispatches can be redelivered")
        // Row 3 was rejected by GitHub.
        for _ in 0..<3 { _ = state.apply(.moveDown, snapshot: snapshot) }
        XCTAssertEqual(state.apply(.redeliver, snapshot: snapshot), [.redeliver(eventID: 109)])
        XCTAssertEqual(state.notice, "redelivery of event #109 requested")
        // The selected callout's event.
        state.focus = .callouts
        XCTAssertEqual(state.apply(.redeliver, snapshot: snapshot), [.redeliver(eventID: 109)])
        // The open detail wins over the selection.
        var detailed = Fixtures.live
        detailed.detail = Fixtures.detail
        _ = state.apply(.openDetail, snapshot: detailed)
        XCTAssertEqual(state.apply(.redeliver, snapshot: detailed), [.redeliver(eventID: 109)])
        // Dedup rows are summaries, not events.
        var dedup = DashboardState()
        dedup.focus = .dedup
        XCTAssertEqual(dedup.apply(.redeliver, snapshot: snapshot), [])
        XCTAssertNotNil(dedup.notice)
    }
}
