import FluxDispatchStore

/// The full-screen detail of one event (Enter): its fields, the raw Flux event body, the payload
/// sent to GitHub, and every GitHub attempt. Scrolls with the movement keys; Esc goes back.
enum DetailView {
    struct Line: Equatable {
        var label: String
        var text: String
        var role: Role
        /// Column of `text` within the content area.
        var indent: Int
        var bold = false
    }

    static let labelWidth = 12

    /// Rows of the box's inside: the header takes two, the box borders two, the key line one.
    static func visibleRows(size: TerminalSize) -> Int { max(1, size.height - 5) }

    static func lineCount(snapshot: DashboardSnapshot, state: DashboardState) -> Int {
        guard let detail = loadedDetail(snapshot: snapshot, state: state) else { return 1 }
        return lines(detail, now: snapshot.now, contentWidth: state.terminalSize.width - 4, glyphs: .ascii).count
    }

    static func loadedDetail(snapshot: DashboardSnapshot, state: DashboardState) -> EventDetail? {
        guard let detail = snapshot.detail, detail.entry.id == state.detailEventID else { return nil }
        return detail
    }

    static func draw(into grid: inout CellGrid, snapshot: DashboardSnapshot, state: DashboardState, glyphs: Glyphs) {
        HeaderView.draw(into: &grid, snapshot: snapshot, glyphs: glyphs)
        let boxTop = 2, boxHeight = grid.height - 3
        let id = state.detailEventID ?? 0
        let detail = loadedDetail(snapshot: snapshot, state: state)
        let title = detail.map { "Event #\(id): \($0.entry.product) / \($0.entry.environment)" } ?? "Event #\(id)"
        Box.draw(into: &grid, x: 0, y: boxTop, width: grid.width, height: boxHeight, title: title, glyphs: glyphs)
        KeyLine.draw(
            into: &grid, state: state, row: grid.height - 1, glyphs: glyphs,
            items: [("Esc", "back"), ("r", "redeliver"), ("\(glyphs.up)\(glyphs.down)/jk", "scroll"), ("PgUp/PgDn", "page"), ("g/G", "top/end"), ("?", "help"), ("q", "quit")])

        guard let detail else {
            grid.put("Loading event #\(id)\(glyphs.ellipsis) (if it stays empty, retention has removed it)", x: 2, y: boxTop + 1, role: .dim, maxWidth: grid.width - 4)
            return
        }
        let contentWidth = grid.width - 4
        let all = lines(detail, now: snapshot.now, contentWidth: contentWidth, glyphs: glyphs)
        let visible = boxHeight - 2
        let scroll = min(max(0, state.detailScroll), max(0, all.count - visible))
        var y = boxTop + 1
        for line in all[scroll..<min(all.count, scroll + visible)] {
            if !line.label.isEmpty { grid.put(line.label, x: 2, y: y, role: .dim) }
            let x = 2 + line.indent
            grid.put(line.text, x: x, y: y, role: line.role, attributes: line.bold ? .bold : [], maxWidth: 2 + contentWidth - x)
            y += 1
        }
        if scroll > 0 { grid[x: grid.width - 1, y: boxTop + 1] = Cell(character: glyphs.up, role: .borderFocused) }
        if scroll + visible < all.count { grid[x: grid.width - 1, y: boxTop + boxHeight - 2] = Cell(character: glyphs.down, role: .borderFocused) }
    }

    /// The detail as wrapped lines.
    static func lines(_ detail: EventDetail, now: EpochMilliseconds, contentWidth: Int, glyphs: Glyphs) -> [Line] {
        let valueWidth = max(10, contentWidth - labelWidth - 1)
        var lines: [Line] = []
        func field(_ label: String, _ text: String, _ role: Role = .normal) {
            let wrapped = TextWrap.wrap(text, width: valueWidth)
            for (index, part) in (wrapped.isEmpty ? [""] : wrapped).enumerated() {
                lines.append(Line(label: index == 0 ? label : "", text: part, role: role, indent: labelWidth + 1))
            }
        }
        func section(_ title: String) {
            lines.append(Line(label: "", text: "", role: .normal, indent: 0))
            lines.append(Line(label: "", text: title, role: .key, indent: 0, bold: true))
        }
        func block(_ text: String) {
            for part in TextWrap.wrap(JSONLayout.indent(text), width: max(10, contentWidth - 2)) {
                lines.append(Line(label: "", text: part, role: .normal, indent: 2))
            }
        }
        let entry = detail.entry
        let style = OutcomeStyle.of(entry.outcome)
        field("received", "\(TimeText.dateTime(entry.receivedAt)) (\(TimeText.ago(entry.receivedAt, now: now))) from \(detail.sourceAddress)")
        field("product", "\(entry.product)   env \(entry.environment)")
        field("reason", "\(entry.reason) (\(entry.reasonClass))   severity \(detail.severity)", entry.reasonClass == "failure" ? .fail : .normal)
        field("object", "\(detail.objectKind) \(detail.objectNamespace)/\(detail.objectName)")
        field("revision", detail.revision.isEmpty ? glyphs.none : detail.revision)
        var outcome = style.label
        if let status = entry.githubStatus { outcome += " \(glyphs.dash) GitHub \(status)" }
        outcome += " in \(FeedPane.latencyText(entry.durationMilliseconds))   answered Flux \(detail.httpStatus)"
        field("outcome", outcome, style.role)
        if !entry.dispatchRepo.isEmpty || !entry.eventType.isEmpty {
            field("dispatch", "\(entry.dispatchRepo.isEmpty ? glyphs.none : entry.dispatchRepo)   event type \(entry.eventType.isEmpty ? glyphs.none : entry.eventType)")
        }
        if let key = detail.dedupKey { field("dedup key", key) }
        if !entry.detail.isEmpty { field("detail", entry.detail, style.role == .fail ? .fail : .normal) }
        field("message", detail.message)

        if let delivery = detail.delivery {
            section("Delivery (outbox)")
            switch delivery.state {
            case .pending:
                let next = delivery.nextAttemptAt > now
                    ? "next attempt \(TimeText.clockSeconds(delivery.nextAttemptAt)) (in \(TimeText.duration(delivery.nextAttemptAt - now) ?? "\(max(0, delivery.nextAttemptAt - now) / 1000)s"))"
                    : "next attempt now"
                field("state", "pending, \(delivery.attempts) attempts so far; \(next)", delivery.attempts > 0 ? .warn : .normal)
            case .delivered:
                field("state", "delivered after \(delivery.attempts) attempt\(delivery.attempts == 1 ? "" : "s")", .ok)
            case .rejected, .dead:
                field("state", "\(delivery.state.rawValue) after \(delivery.attempts) attempts \(glyphs.dash) r redelivers", .fail)
            }
            field("queued", "\(TimeText.dateTime(delivery.queuedAt)) (\(TimeText.ago(delivery.queuedAt, now: now)))")
            if let error = delivery.lastError { field("last error", error, .fail) }
        }
        for redelivery in detail.redeliveries {
            field("redelivery", "asked by \(redelivery.operatorName) at \(TimeText.dateTime(redelivery.requestedAt)) (was \(OutcomeStyle.of(redelivery.previousOutcome).label))")
        }

        section("Flux event (as received)")
        block(detail.body)

        if let payload = detail.payload {
            let title = switch entry.outcome {
            case "dry_run": "Payload that would have been sent (dry run: nothing sent)"
            case "queued": "Payload queued for GitHub"
            default: "Payload sent to GitHub"
            }
            section(title)
            block(payload)
        } else {
            section("Payload")
            lines.append(Line(label: "", text: "none: no dispatch for this event", role: .dim, indent: 2))
        }

        section("GitHub attempts (\(detail.attempts.count))")
        if detail.attempts.isEmpty {
            lines.append(Line(label: "", text: "none", role: .dim, indent: 2))
        }
        for (index, attempt) in detail.attempts.enumerated() {
            let status = attempt.status.map(String.init) ?? glyphs.none
            var text = "\(TimeText.clockSeconds(attempt.startedAt))  \(attempt.request == .dispatch ? "dispatch" : "token   ")  \(status)  \(FeedPane.latencyText(attempt.durationMilliseconds))"
            if let error = attempt.error, !error.isEmpty { text += "  \(error)" }
            let ok = attempt.status.map { (200..<300).contains($0) } ?? false
            for (part, wrapped) in TextWrap.wrap(text, width: valueWidth).enumerated() {
                lines.append(Line(label: part == 0 ? "  #\(index + 1)" : "", text: wrapped, role: ok ? .normal : .fail, indent: labelWidth + 1))
            }
        }
        return lines
    }
}
