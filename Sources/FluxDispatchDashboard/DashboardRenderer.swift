import FluxDispatchStore

/// Lays a snapshot and the view state out into a cell grid: roles only, no colors (the backend
/// applies the theme), no terminal. A pure function, so every screen is a snapshot test.
///
/// Nothing on screen changes at finer than minute granularity unless the data changes (relative
/// times are "just now", minutes, hours; the clock is HH:MM), so an idle dashboard redraws an
/// identical grid and the backend writes nothing.
public enum DashboardRenderer {
    public static func render(
        snapshot: DashboardSnapshot, state: DashboardState, size: TerminalSize, glyphs: Glyphs = .unicode
    ) -> CellGrid {
        var grid = CellGrid(width: size.width, height: size.height, glyphs: glyphs)
        if size.isTooSmall {
            drawTooSmall(into: &grid, size: size)
            return grid
        }
        var state = state
        state.terminalSize = size
        if state.detailEventID != nil {
            DetailView.draw(into: &grid, snapshot: snapshot, state: state, glyphs: glyphs)
        } else {
            drawMain(into: &grid, snapshot: snapshot, state: state, glyphs: glyphs)
        }
        if state.isHelpShown { HelpOverlay.draw(into: &grid, state: state, snapshot: snapshot, glyphs: glyphs) }
        return grid
    }

    static func drawTooSmall(into grid: inout CellGrid, size: TerminalSize) {
        guard size.width > 0, size.height > 0 else { return }
        let message = "terminal too small: \(size.width)x\(size.height), need \(TerminalSize.minimum.width)x\(TerminalSize.minimum.height)"
        let x = max(0, (size.width - message.count) / 2)
        grid.put(message, x: x, y: size.height / 2, role: .warn, maxWidth: size.width)
    }

    static func drawMain(into grid: inout CellGrid, snapshot: DashboardSnapshot, state: DashboardState, glyphs: Glyphs) {
        let layout = DashboardLayout(snapshot: snapshot, state: state)
        HeaderView.draw(into: &grid, snapshot: snapshot, glyphs: glyphs)
        let feed = state.visibleFeed(snapshot)
        PaneFrame.drawBorders(into: &grid, layout: layout, glyphs: glyphs)
        PaneFrame.drawTitle(
            into: &grid, row: layout.callouts.titleRow, title: "\(DashboardPane.callouts.title) (\(snapshot.callouts.count))",
            focused: state.focus == .callouts, position: position(state.cursor(.callouts), visible: layout.listRows(.callouts), count: snapshot.callouts.count),
            glyphs: glyphs, first: true)
        CalloutsPane.draw(into: &grid, snapshot: snapshot, state: state, layout: layout, glyphs: glyphs)
        FeedPane.drawTitle(into: &grid, state: state, layout: layout, count: feed.count, glyphs: glyphs)
        FeedPane.draw(into: &grid, feed: feed, state: state, layout: layout, glyphs: glyphs)
        PaneFrame.drawTitle(
            into: &grid, row: layout.dedup.titleRow, title: "\(DashboardPane.dedup.title) (\(snapshot.dedupHits.count))",
            focused: state.focus == .dedup, position: position(state.cursor(.dedup), visible: layout.listRows(.dedup), count: snapshot.dedupHits.count),
            glyphs: glyphs, first: false)
        DedupPane.draw(into: &grid, snapshot: snapshot, state: state, layout: layout, glyphs: glyphs)
        KeyLine.draw(into: &grid, state: state, row: layout.keyLineRow, glyphs: glyphs)
    }

    /// "1-17/200" when a pane's rows do not all fit; nil when they do.
    static func position(_ cursor: PaneCursor, visible: Int, count: Int) -> String? {
        guard count > visible, visible > 0 else { return nil }
        let top = DashboardLayout.scrollTop(selected: cursor.selected, top: cursor.top, visible: visible, count: count)
        return "\(top + 1)-\(min(count, top + visible))/\(count)"
    }

    /// Highlights a pane's selected row when the pane has the focus.
    static func highlight(into grid: inout CellGrid, row: Int, focused: Bool) {
        guard focused else { return }
        grid.restyle(x: 1, y: row, width: grid.width - 2, role: .selection)
    }
}
