/// The bottom line: the keys (as many as fit, most important first), or the filter being typed,
/// or the latest notice.
enum KeyLine {
    static func draw(into grid: inout CellGrid, state: DashboardState, row: Int, glyphs: Glyphs, items: [(key: String, does: String)] = KeyMap.keyLine) {
        let width = grid.width
        if state.isEditingFilter {
            var x = grid.put(" filter (product or env): ", x: 0, y: row, role: .key, attributes: .bold)
            x = grid.put(state.filterText, x: x, y: row, role: .normal, maxWidth: max(1, width - x - 24))
            x = grid.put(String(glyphs.cursor), x: x, y: row, role: .key)
            x = putItem("Enter", "keep", at: x + 2, row: row, into: &grid)
            putItem("Esc", "clear", at: x + 2, row: row, into: &grid)
            return
        }
        if let notice = state.notice {
            grid.put(" " + singleLine(notice), x: 0, y: row, role: .warn, maxWidth: width)
            return
        }
        // Two spaces between items when everything fits that way, else one; then drop from the end.
        let total = items.reduce(0) { $0 + $1.key.count + 1 + $1.does.count }
        let gap = 1 + total + 2 * (items.count - 1) <= width ? 2 : 1
        var x = 1
        for item in items {
            let length = item.key.count + 1 + item.does.count
            guard x + length <= width - 1 else { break }
            x = putItem(item.key, item.does, at: x, row: row, into: &grid) + gap
        }
    }

    @discardableResult
    private static func putItem(_ key: String, _ does: String, at x: Int, row: Int, into grid: inout CellGrid) -> Int {
        let afterKey = grid.put(key, x: x, y: row, role: .key, attributes: .bold)
        return grid.put(does, x: afterKey + 1, y: row, role: .dim)
    }
}
