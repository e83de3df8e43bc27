/// The border around the three stacked panes: one box, with a title line between panes.
enum PaneFrame {
    static func drawBorders(into grid: inout CellGrid, layout: DashboardLayout, glyphs: Glyphs) {
        let right = grid.width - 1
        for row in layout.callouts.titleRow...layout.bottomBorderRow {
            grid[x: 0, y: row] = Cell(character: glyphs.vertical, role: .border)
            grid[x: right, y: row] = Cell(character: glyphs.vertical, role: .border)
        }
        let bottom = layout.bottomBorderRow
        grid.fill(x: 1, y: bottom, width: grid.width - 2, height: 1, character: glyphs.horizontal, role: .border)
        grid[x: 0, y: bottom] = Cell(character: glyphs.bottomLeft, role: .border)
        grid[x: right, y: bottom] = Cell(character: glyphs.bottomRight, role: .border)
    }

    /// A title line: `┌─ Title ───── 1-17/200 ─┐` (or `├ … ┤` between panes); the focused pane's
    /// line and title in `borderFocused`, its title bold.
    static func drawTitle(
        into grid: inout CellGrid, row: Int, title: String, focused: Bool, position: String?, glyphs: Glyphs, first: Bool,
        extras: [(String, Role)] = []
    ) {
        let role: Role = focused ? .borderFocused : .border
        let right = grid.width - 1
        grid.fill(x: 1, y: row, width: grid.width - 2, height: 1, character: glyphs.horizontal, role: role)
        grid[x: 0, y: row] = Cell(character: first ? glyphs.topLeft : glyphs.teeLeft, role: role)
        grid[x: right, y: row] = Cell(character: first ? glyphs.topRight : glyphs.teeRight, role: role)
        var reserved = 2
        if let position { reserved += position.count + 2 }
        var x = grid.put(" \(title) ", x: 2, y: row, role: role, attributes: focused ? .bold : [], maxWidth: grid.width - 4 - reserved)
        for (text, extraRole) in extras where x + text.count + 1 < grid.width - reserved {
            x = grid.put(" \(text) ", x: x, y: row, role: extraRole, attributes: .bold)
        }
        if let position { grid.put(" \(position) ", x: right - 2 - position.count - 1, y: row, role: role) }
    }
}
