import FluxDispatchDashboard
import FluxDispatchStore
import XCTest

final class RendererSnapshotTests: XCTestCase {
    let size = TerminalSize(width: 100, height: 24)

    func render(_ snapshot: DashboardSnapshot, _ state: DashboardState = DashboardState(), size: TerminalSize? = nil, glyphs: Glyphs = .unicode) -> CellGrid {
        DashboardRenderer.render(snapshot: snapshot, state: state, size: size ?? self.size, glyphs: glyphs)
    }

    func testEmptyStoreReceiverDown() {
        let snapshot = Fixtures.snapshot(receiver: .down(why: "no HMAC token configured (set FLUX_HMAC_TOKEN)"), info: nil)
        assertSnapshot(render(snapshot, size: .minimum).text, named: "empty-receiver-down")
    }

    func testLiveTrafficEveryOutcome() throws {
        var state = DashboardState(terminalSize: size)
        state.focus = .feed
        let grid = render(Fixtures.snapshot(feed: Fixtures.feedEveryOutcome, dedup: Fixtures.dedup), state)
        assertSnapshot(grid.text, named: "live-traffic")
        // Dry run never looks like a real dispatch.
        let dryRunRow = try rowIndex(containing: "dry-run", in: grid)
        let dispatchedRow = try rowIndex(containing: "dispatched", in: grid)
        XCTAssertEqual(roleOfText("dry-run", in: grid, row: dryRunRow), .dryRunOutcome)
        XCTAssertEqual(roleOfText("dispatched", in: grid, row: dispatchedRow), .selection, "first row is selected in the focused feed")
        XCTAssertEqual(roleOfText("rejected", in: grid, row: try rowIndex(containing: "rejected", in: grid)), .fail)
    }

    func testLiveTrafficWide() {
        assertSnapshot(render(Fixtures.live, size: TerminalSize(width: 160, height: 30)).text, named: "live-traffic-wide")
    }

    func testCallouts() throws {
        let grid = render(Fixtures.live, size: .minimum)
        assertSnapshot(grid.text, named: "callouts")
        let row = try rowIndex(containing: "GitHub 404", in: grid)
        XCTAssertEqual(roleOfText("billing", in: grid, row: row), .selection, "selected callout in the focused pane")
        let other = try rowIndex(containing: "Reconciliat", in: grid)
        XCTAssertEqual(roleOfText("checkout", in: grid, row: other), .callout)
    }

    func testOutboxQueuePausedRepositoryAndDeadDispatches() throws {
        var info = Fixtures.info()
        info.deliveryMode = "outbox"
        let snapshot = Fixtures.snapshot(
            info: info, callouts: [Fixtures.pausedCallout, Fixtures.dispatchCallout], feed: Fixtures.feedEveryOutcome,
            outbox: Fixtures.outbox)
        let grid = render(snapshot, size: .minimum)
        assertSnapshot(grid.text, named: "outbox-paused")
        let header = try rowIndex(containing: "queue 14, old", in: grid)
        XCTAssertEqual(roleOfText("queue 14", in: grid, row: header), .warn, "a queue older than a minute is a warning")
        XCTAssertEqual(roleOfText("1 paused", in: grid, row: header), .fail)
        XCTAssertEqual(roleOfText("2 dead/24h", in: grid, row: header), .fail)
        XCTAssertNoThrow(try rowIndex(containing: "queue paused", in: grid))
        // A queue counted only up to the loader's limit says "at least".
        var deep = Fixtures.outbox
        deep.countLimit = 10_000
        deep.pending = 10_000
        let deepGrid = render(Fixtures.snapshot(info: info, feed: Fixtures.feedEveryOutcome, outbox: deep), size: .minimum)
        XCTAssertNoThrow(try rowIndex(containing: "queue 10000+", in: deepGrid), deepGrid.text)
        // An idle outbox still says so, so nobody wonders whether it is there.
        let idle = render(Fixtures.snapshot(info: info, feed: Fixtures.feedEveryOutcome), size: .minimum)
        XCTAssertNoThrow(try rowIndex(containing: "queue 0", in: idle))
    }

    func testDetailOfAQueuedEventShowsItsDelivery() {
        var state = DashboardState(terminalSize: TerminalSize(width: 100, height: 50))
        state.detailEventID = 131
        let snapshot = Fixtures.snapshot(feed: Fixtures.feedEveryOutcome, detail: Fixtures.queuedDetail)
        assertSnapshot(render(snapshot, state, size: TerminalSize(width: 100, height: 50)).text, named: "detail-queued")
    }

    func testNoFailures() throws {
        let grid = render(Fixtures.snapshot(feed: Fixtures.feedEveryOutcome), size: .minimum)
        let row = try rowIndex(containing: "No failures", in: grid)
        XCTAssertEqual(roleOfText("No failures", in: grid, row: row), .ok)
    }

    func testDismissedBySomeoneElse() throws {
        var callout = Fixtures.dispatchCallout
        callout.dismissedByOthers = [Dismissal(product: "billing", operatorName: "bob", dismissedAt: Fixtures.now - 5 * Fixtures.minute)]
        let grid = render(Fixtures.snapshot(callouts: [callout, Fixtures.reconciliationCallout], feed: Fixtures.feedEveryOutcome), size: .minimum)
        assertSnapshot(grid.text, named: "dismissed-by-other")
        let row = try rowIndex(containing: "dismissed by bob, 5m ago", in: grid)
        var state = DashboardState()
        state.focus = .feed
        let unfocused = render(Fixtures.snapshot(callouts: [callout], feed: Fixtures.feedEveryOutcome), state, size: .minimum)
        XCTAssertEqual(roleOfText("dismissed by bob", in: unfocused, row: row), .dim)
    }

    func testHiddenByMe() {
        let snapshot = Fixtures.snapshot(
            callouts: [Fixtures.reconciliationCallout], hidden: [Fixtures.dispatchCallout], feed: Fixtures.feedEveryOutcome)
        assertSnapshot(render(snapshot, size: .minimum).text, named: "hidden-by-me")
        let onlyHidden = render(Fixtures.snapshot(hidden: [Fixtures.dispatchCallout]), size: .minimum).text
        XCTAssertTrue(onlyHidden.contains("1 hidden (dismissed by you) – u to undo"))
        XCTAssertFalse(onlyHidden.contains("No failures"))
    }

    func testDetailView() {
        var state = DashboardState(terminalSize: size)
        state.detailEventID = 109
        let snapshot = Fixtures.snapshot(callouts: [Fixtures.dispatchCallout], feed: Fixtures.feedEveryOutcome, detail: Fixtures.detail)
        assertSnapshot(render(snapshot, state, size: TerminalSize(width: 100, height: 50)).text, named: "detail")
        state.detailEventID = 7
        XCTAssertTrue(render(snapshot, state).text.contains("Loading event #7"))
    }

    func testDetailScrollsToTheEnd() {
        var state = DashboardState(terminalSize: size)
        state.detailEventID = 109
        let snapshot = Fixtures.snapshot(detail: Fixtures.detail)
        _ = state.apply(.bottom, snapshot: snapshot)
        XCTAssertGreaterThan(state.detailScroll, 0)
        let text = render(snapshot, state).text
        XCTAssertTrue(text.contains("#2"), "the last attempt is visible at the end:\n\(text)")
    }

    func testHelpOverlay() {
        var state = DashboardState()
        state.isHelpShown = true
        assertSnapshot(render(Fixtures.live, state, size: .minimum).text, named: "help")
    }

    func testTooSmall() {
        let text = render(Fixtures.live, size: TerminalSize(width: 79, height: 24)).text
        assertSnapshot(text, named: "too-small")
        XCTAssertEqual(text.split(separator: "\n").count, 1, "nothing but the notice")
        XCTAssertTrue(render(Fixtures.live, size: TerminalSize(width: 120, height: 23)).text.contains("terminal too small: 120x23, need 80x24"))
        XCTAssertEqual(render(Fixtures.live, size: TerminalSize(width: 0, height: 0)).text, "")
    }

    func testDryRunHeader() {
        let snapshot = Fixtures.snapshot(info: Fixtures.info(dryRun: true), feed: Array(Fixtures.feedEveryOutcome.prefix(3)))
        let grid = render(snapshot, size: .minimum)
        assertSnapshot(grid.text, named: "dry-run")
        XCTAssertEqual(roleOfText("DRY RUN", in: grid, row: 0), .dryRun)
        XCTAssertTrue(render(snapshot).row(0).contains("DRY RUN: nothing is sent to GitHub"))
    }

    func testAttachedReceiverAndFailingToken() {
        let snapshot = Fixtures.snapshot(
            receiver: .attached(host: "ops-box", pid: 777, listen: "0.0.0.0:8080"), info: Fixtures.info(token: "failing: 401 Bad credentials"))
        let grid = render(snapshot)
        XCTAssertTrue(grid.row(0).contains("attached ops-box pid 777 0.0.0.0:8080"), grid.row(0))
        XCTAssertEqual(roleOfText("token failing", in: grid, row: 0), .fail)
        XCTAssertTrue(grid.row(1).contains("last event never"))
        XCTAssertTrue(grid.row(1).contains("dispatch ok – (1h)"))
    }

    func testASCIIGlyphs() {
        let text = render(Fixtures.live, size: .minimum, glyphs: .ascii).text
        assertSnapshot(text, named: "ascii")
        XCTAssertTrue(text.unicodeScalars.allSatisfy(\.isASCII), "ASCII mode draws only ASCII")
    }

    func testFilterPausedAndNotice() {
        var state = DashboardState()
        let snapshot = Fixtures.live
        _ = state.apply(.togglePause, snapshot: snapshot)
        _ = state.apply(.beginFilter, snapshot: snapshot)
        for character in "che" { _ = state.apply(.filterInput(character), snapshot: snapshot) }
        let text = render(snapshot, state, size: .minimum).text
        assertSnapshot(text, named: "filter-paused")
        XCTAssertTrue(text.contains("PAUSED"))
        XCTAssertTrue(text.contains("filter: che"))
        XCTAssertTrue(text.contains("Live dispatches (2)"), "the frozen feed is filtered locally")
    }

    func testIdleFramesAreIdentical() {
        var later = Fixtures.live
        later.now += 15_000  // 14:05:30 → 14:05:45: same minute, nothing new
        XCTAssertEqual(render(Fixtures.live), render(later))
    }

    /// Each theme in NO_COLOR mode draws the same: no color, and the attribute mask (one snapshot
    /// for all four) shows the roles still told apart by bold, underline, reverse and dim.
    func testThemesInMonochrome() {
        var state = DashboardState()
        state.focus = .feed
        let grid = render(Fixtures.snapshot(info: Fixtures.info(dryRun: true), callouts: [Fixtures.dispatchCallout], feed: Fixtures.feedEveryOutcome, dedup: Fixtures.dedup), state, size: .minimum)
        for theme in BuiltInThemes.all {
            let effective = theme.effective(noColor: true)
            XCTAssertFalse(effective.usesColor, theme.name)
            assertSnapshot(styled(grid, effective), named: "themes-no-color")
        }
        assertSnapshot(styled(grid, BuiltInThemes.monochrome), named: "themes-no-color")
    }

    // MARK: Helpers

    func rowIndex(containing text: String, in grid: CellGrid, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        try XCTUnwrap((0..<grid.height).first { grid.row($0).contains(text) }, "no row contains \(text)", file: file, line: line)
    }

    func roleOfText(_ text: String, in grid: CellGrid, row: Int) -> Role? {
        guard let range = grid.row(row).range(of: text) else { return nil }
        let column = grid.row(row).distance(from: grid.row(row).startIndex, to: range.lowerBound)
        return grid[x: column, y: row].role
    }

    /// Each row, then under it the attributes its cells get from the theme: one hex digit of
    /// bold(1) underline(2) reverse(4) dim(8) per cell, "." for none.
    func styled(_ grid: CellGrid, _ theme: Theme) -> String {
        var lines: [String] = []
        for y in 0..<grid.height {
            lines.append(grid.row(y))
            var mask = ""
            for x in 0..<grid.width {
                let cell = grid[x: x, y: y]
                let bits = theme.style(for: cell.role).attributes.union(cell.attributes).rawValue
                mask.append(bits == 0 ? "." : Character(String(bits, radix: 16)))
            }
            while mask.last == "." { mask.removeLast() }
            lines.append(mask)
        }
        return lines.map { line in var l = Substring(line); while l.last == " " { l.removeLast() }; return String(l) }.joined(separator: "\n")
    }
}
