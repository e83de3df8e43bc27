import FluxDispatchStore

/// Dedup hits per product / env / reason over the window: count and last hit.
enum DedupPane {
    static func draw(into grid: inout CellGrid, snapshot: DashboardSnapshot, state: DashboardState, layout: DashboardLayout, glyphs: Glyphs) {
        let pane = layout.dedup
        let left = 2, contentWidth = grid.width - 4
        let hits = snapshot.dedupHits
        if hits.isEmpty {
            grid.put("No duplicates suppressed", x: left, y: pane.top, role: .dim)
            return
        }
        let productWidth = min(24, max(14, contentWidth * 20 / 100))
        let envWidth = min(14, max(8, contentWidth * 10 / 100))
        let reasonWidth = min(32, max(20, contentWidth * 25 / 100))
        let cursor = state.cursor(.dedup)
        let top = DashboardLayout.scrollTop(selected: cursor.selected, top: cursor.top, visible: pane.height, count: hits.count)
        var index = top
        while index < hits.count, index - top < pane.height {
            let hit = hits[index]
            let y = pane.top + index - top
            var x = left
            grid.put(hit.product, x: x, y: y, role: .normal, maxWidth: productWidth)
            x += productWidth + 1
            grid.put(hit.environment, x: x, y: y, role: .normal, maxWidth: envWidth)
            x += envWidth + 1
            grid.put(hit.reason, x: x, y: y, role: .dim, maxWidth: reasonWidth)
            x += reasonWidth + 1
            let count = "\(glyphs.times)\(hit.count)"
            x = grid.put(String(repeating: " ", count: max(0, 7 - count.count)) + count, x: x, y: y, role: .dedup, maxWidth: 7) + 2
            grid.put("last " + TimeText.ago(hit.lastAt, now: snapshot.now), x: x, y: y, role: .dim, maxWidth: left + contentWidth - x)
            if index == cursor.selected { DashboardRenderer.highlight(into: &grid, row: y, focused: state.focus == .dedup) }
            index += 1
        }
    }
}
