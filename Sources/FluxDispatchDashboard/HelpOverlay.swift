/// The `?` overlay: every key with a one-line explanation, drawn in a box over the screen.
enum HelpOverlay {
    static func draw(into grid: inout CellGrid, state: DashboardState, snapshot: DashboardSnapshot, glyphs: Glyphs) {
        let entries = KeyMap.help(glyphs: glyphs)
        let keyWidth = entries.map(\.keys.count).max() ?? 0
        let boxWidth = min(grid.width - 4, max(60, keyWidth + 4 + (entries.map(\.does.count).max() ?? 0) + 4))
        let boxHeight = min(grid.height - 2, entries.count + 6)
        let left = (grid.width - boxWidth) / 2, top = (grid.height - boxHeight) / 2
        Box.draw(into: &grid, x: left, y: top, width: boxWidth, height: boxHeight, title: "Keys", glyphs: glyphs)
        var y = top + 2
        for entry in entries where y < top + boxHeight - 3 {
            grid.put(entry.keys, x: left + 3, y: y, role: .key, attributes: .bold)
            grid.put(entry.does, x: left + 3 + keyWidth + 2, y: y, role: .normal, maxWidth: boxWidth - keyWidth - 7)
            y += 1
        }
        let theme = state.themeNames.indices.contains(state.themeIndex) ? state.themeNames[state.themeIndex] : "?"
        let footer = "theme \(theme)\(glyphs.separator)operator \(snapshot.operatorName)\(glyphs.separator)any key closes"
        grid.put(footer, x: left + 3, y: top + boxHeight - 2, role: .dim, maxWidth: boxWidth - 6)
    }
}

/// A bordered, cleared rectangle with a title (overlays and the detail view).
enum Box {
    static func draw(into grid: inout CellGrid, x: Int, y: Int, width: Int, height: Int, title: String, glyphs: Glyphs) {
        guard width >= 2, height >= 2 else { return }
        grid.fill(x: x, y: y, width: width, height: height, role: .normal)
        grid.fill(x: x + 1, y: y, width: width - 2, height: 1, character: glyphs.horizontal, role: .borderFocused)
        grid.fill(x: x + 1, y: y + height - 1, width: width - 2, height: 1, character: glyphs.horizontal, role: .borderFocused)
        grid.fill(x: x, y: y + 1, width: 1, height: height - 2, character: glyphs.vertical, role: .borderFocused)
        grid.fill(x: x + width - 1, y: y + 1, width: 1, height: height - 2, character: glyphs.vertical, role: .borderFocused)
        grid[x: x, y: y] = Cell(character: glyphs.topLeft, role: .borderFocused)
        grid[x: x + width - 1, y: y] = Cell(character: glyphs.topRight, role: .borderFocused)
        grid[x: x, y: y + height - 1] = Cell(character: glyphs.bottomLeft, role: .borderFocused)
        grid[x: x + width - 1, y: y + height - 1] = Cell(character: glyphs.bottomRight, role: .borderFocused)
        grid.put(" \(title) ", x: x + 2, y: y, role: .borderFocused, attributes: .bold, maxWidth: width - 4)
    }
}
