import FluxDispatchStore

/// The live dispatch feed, newest first, under a column header:
/// time, product, env, event type, outcome, GitHub status, latency, short commit (and, when the
/// terminal is wide, the outcome's detail).
enum FeedPane {
    /// Column positions for a content width (at least 76 on an 80-column terminal).
    struct Columns {
        var time = 0, product = 0, env = 0, type = 0, outcome = 0, status = 0, latency = 0, commit = 0, detail = 0
        var productWidth = 13, envWidth = 8, typeWidth = 13, detailWidth = 0

        init(left: Int, contentWidth: Int) {
            // Fixed: time 8, outcome 11, status 3, latency 6, commit 7, and 7 gaps = 42.
            var extra = max(0, contentWidth - 42 - productWidth - envWidth - typeWidth)
            func grow(_ width: inout Int, to maximum: Int) {
                let step = min(extra, maximum - width)
                width += step
                extra -= step
            }
            grow(&productWidth, to: 22)
            grow(&envWidth, to: 12)
            grow(&typeWidth, to: 22)
            detailWidth = extra >= 12 ? extra - 1 : 0
            time = left
            product = time + 9
            env = product + productWidth + 1
            type = env + envWidth + 1
            outcome = type + typeWidth + 1
            status = outcome + 12
            latency = status + 4
            commit = latency + 7
            detail = commit + 8
        }
    }

    static func drawTitle(into grid: inout CellGrid, state: DashboardState, layout: DashboardLayout, count: Int, glyphs: Glyphs) {
        var extras: [(String, Role)] = []
        if state.isPaused { extras.append(("PAUSED", .warn)) }
        if state.failuresOnly { extras.append(("failures only", .warn)) }
        if !state.filterText.isEmpty || state.isEditingFilter { extras.append(("filter: \(state.filterText)", .key)) }
        PaneFrame.drawTitle(
            into: &grid, row: layout.feed.titleRow, title: "\(DashboardPane.feed.title) (\(count))", focused: state.focus == .feed,
            position: DashboardRenderer.position(state.cursor(.feed), visible: layout.listRows(.feed), count: count), glyphs: glyphs,
            first: false, extras: extras)
    }

    static func draw(into grid: inout CellGrid, feed: [FeedEntry], state: DashboardState, layout: DashboardLayout, glyphs: Glyphs) {
        let pane = layout.feed
        let columns = Columns(left: 2, contentWidth: grid.width - 4)
        let header = pane.top
        grid.put("TIME", x: columns.time, y: header, role: .dim)
        grid.put("PRODUCT", x: columns.product, y: header, role: .dim)
        grid.put("ENV", x: columns.env, y: header, role: .dim)
        grid.put("EVENT TYPE", x: columns.type, y: header, role: .dim)
        grid.put("OUTCOME", x: columns.outcome, y: header, role: .dim)
        grid.put("GH", x: columns.status, y: header, role: .dim)
        grid.put("TOOK", x: columns.latency + 2, y: header, role: .dim)
        grid.put("COMMIT", x: columns.commit, y: header, role: .dim)
        if columns.detailWidth > 0 { grid.put("DETAIL", x: columns.detail, y: header, role: .dim) }

        let rows = layout.listRows(.feed)
        if feed.isEmpty {
            let text = state.filterText.isEmpty && !state.failuresOnly ? "No events yet" : "No events match the filter"
            grid.put(text, x: columns.time, y: header + 1, role: .dim)
            return
        }
        let cursor = state.cursor(.feed)
        let top = DashboardLayout.scrollTop(selected: cursor.selected, top: cursor.top, visible: rows, count: feed.count)
        var index = top
        while index < feed.count, index - top < rows {
            let entry = feed[index]
            let y = header + 1 + index - top
            drawRow(entry, y: y, columns: columns, into: &grid, glyphs: glyphs)
            if index == cursor.selected { DashboardRenderer.highlight(into: &grid, row: y, focused: state.focus == .feed) }
            index += 1
        }
    }

    static func drawRow(_ entry: FeedEntry, y: Int, columns: Columns, into grid: inout CellGrid, glyphs: Glyphs) {
        let style = OutcomeStyle.of(entry.outcome)
        let isFailureReason = entry.reasonClass == "failure"
        grid.put(TimeText.clockSeconds(entry.receivedAt), x: columns.time, y: y, role: .dim)
        grid.put(entry.product, x: columns.product, y: y, role: .normal, maxWidth: columns.productWidth)
        grid.put(entry.environment, x: columns.env, y: y, role: .normal, maxWidth: columns.envWidth)
        let type = entry.eventType.isEmpty ? entry.reason : entry.eventType
        grid.put(type, x: columns.type, y: y, role: isFailureReason ? .fail : .normal, maxWidth: columns.typeWidth)
        grid.put(style.label, x: columns.outcome, y: y, role: style.role, maxWidth: 11)
        if let status = entry.githubStatus {
            grid.put(String(status), x: columns.status, y: y, role: (200..<300).contains(status) ? .ok : .fail, maxWidth: 3)
        } else {
            grid.put(glyphs.none, x: columns.status, y: y, role: .dim)
        }
        let latency = latencyText(entry.durationMilliseconds)
        grid.put(latency, x: columns.latency + 6 - latency.count, y: y, role: .dim, maxWidth: 6)
        grid.put(String(entry.commitSHA.prefix(7)), x: columns.commit, y: y, role: .dim)
        if columns.detailWidth > 0, !entry.detail.isEmpty {
            grid.put(singleLine(entry.detail), x: columns.detail, y: y, role: style.role == .fail ? .fail : .dim, maxWidth: columns.detailWidth)
        }
    }

    /// "85ms", "1234ms", "12s".
    static func latencyText(_ milliseconds: Double) -> String {
        guard milliseconds.isFinite, milliseconds >= 0 else { return "?" }
        let whole = Int(milliseconds.rounded())
        return whole < 10_000 ? "\(whole)ms" : "\(min(whole / 1000, 99_999))s"
    }
}
