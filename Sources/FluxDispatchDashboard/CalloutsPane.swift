import FluxDispatchStore

/// One line per failure callout, newest first:
/// `• product  env  what  [dismissed by bob, 5m ago] message…  12m ago  ×3 since 14:02`
enum CalloutsPane {
    static func draw(into grid: inout CellGrid, snapshot: DashboardSnapshot, state: DashboardState, layout: DashboardLayout, glyphs: Glyphs) {
        let pane = layout.callouts
        let left = 2, contentWidth = grid.width - 4
        let rows = layout.listRows(.callouts)
        let callouts = snapshot.callouts
        if callouts.isEmpty, !layout.hasHiddenSummary {
            grid.put("No failures", x: left, y: pane.top, role: .ok, attributes: .bold)
        }
        let cursor = state.cursor(.callouts)
        let top = DashboardLayout.scrollTop(selected: cursor.selected, top: cursor.top, visible: rows, count: callouts.count)
        let productWidth = min(24, max(12, contentWidth * 16 / 100))
        let envWidth = min(14, max(7, contentWidth * 9 / 100))
        let whatWidth = min(24, max(12, contentWidth * 15 / 100))
        let showSince = contentWidth >= 100
        var index = top
        while index < callouts.count, index - top < rows {
            let callout = callouts[index]
            let y = pane.top + index - top
            var x = grid.put(String(glyphs.bullet), x: left, y: y, role: .fail) + 1
            grid.put(callout.product, x: x, y: y, role: .callout, attributes: .bold, maxWidth: productWidth)
            x += productWidth + 1
            grid.put(callout.environment, x: x, y: y, role: .normal, maxWidth: envWidth)
            x += envWidth + 1
            grid.put(singleLine(callout.what), x: x, y: y, role: .fail, maxWidth: whatWidth)
            x += whatWidth + 1

            // Right side, right-aligned: "12m ago  ×3 since 14:02".
            var count = "\(glyphs.times)\(callout.count)"
            if showSince { count += " since \(TimeText.clock(callout.since))" }
            let ago = TimeText.ago(callout.lastAt, now: snapshot.now)
            let rightEnd = left + contentWidth
            let countX = rightEnd - count.count
            grid.put(count, x: countX, y: y, role: .warn)
            let agoX = countX - 2 - 8
            grid.put(String(repeating: " ", count: 8 - min(8, ago.count)) + ago, x: agoX, y: y, role: .dim, maxWidth: 8)

            // Middle: who else dismissed it, then the message, in what room is left.
            let end = agoX - 1
            if let mark = dismissedMark(callout, now: snapshot.now), x < end {
                x = grid.put(mark, x: x, y: y, role: .dim, maxWidth: end - x) + 1
            }
            if end - x >= 4 { grid.put(singleLine(callout.message), x: x, y: y, role: .normal, maxWidth: end - x) }
            if index == cursor.selected { DashboardRenderer.highlight(into: &grid, row: y, focused: state.focus == .callouts) }
            index += 1
        }
        if layout.hasHiddenSummary {
            let hidden = snapshot.hiddenCallouts.count
            let text = "\(hidden) hidden (dismissed by you) \(glyphs.dash) u to undo"
            grid.put(text, x: left, y: pane.top + pane.height - 1, role: .dim, maxWidth: contentWidth)
        }
    }

    /// "dismissed by bob, 5m ago" (the latest of several: "dismissed by bob, carol, 5m ago").
    static func dismissedMark(_ callout: Callout, now: EpochMilliseconds) -> String? {
        guard let latest = callout.dismissedByOthers.first else { return nil }
        let names = callout.dismissedByOthers.map(\.operatorName).joined(separator: ", ")
        return "dismissed by \(names), \(TimeText.ago(latest.dismissedAt, now: now))"
    }
}
