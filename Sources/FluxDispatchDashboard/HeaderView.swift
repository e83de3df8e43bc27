import FluxDispatchStore

/// The two header lines: who and where (host, receiver, LIVE / DRY RUN, token, clock), then how
/// traffic is going (events/min, dispatch success rate, time since the last event).
enum HeaderView {
    static func draw(into grid: inout CellGrid, snapshot: DashboardSnapshot, glyphs: Glyphs) {
        let width = grid.width
        grid.fill(x: 0, y: 0, width: width, height: 2, role: .header)
        let clock = TimeText.clock(snapshot.now) + " UTC"
        let clockX = width - clock.count - 1
        grid.put(clock, x: clockX, y: 0, role: .header)
        let limit = clockX - 2

        var x = grid.put(" flux-dispatch", x: 0, y: 0, role: .header, attributes: .bold)
        switch snapshot.receiver {
        case .down: break
        case .embedded, .attached:
            if snapshot.isDryRun {
                let banner = width >= 100 ? " DRY RUN: nothing is sent to GitHub " : " DRY RUN "
                x = grid.put(banner, x: x + 2, y: 0, role: .dryRun, attributes: .bold) + 1
            } else {
                x = grid.put("LIVE", x: x + 2, y: 0, role: .header, attributes: .bold)
            }
        }
        x = put(snapshot.host, at: x, limit: limit, role: .header, into: &grid, glyphs: glyphs, leadingSeparator: true)
        switch snapshot.receiver {
        case .embedded(let listen):
            x = put("embedded \(listen)", at: x, limit: limit, role: .header, into: &grid, glyphs: glyphs)
        case .attached(let host, let pid, let listen):
            x = put("attached \(host) pid \(pid) \(listen)", at: x, limit: limit, role: .header, into: &grid, glyphs: glyphs)
        case .down(let why):
            let text = why.map { "receiver DOWN: \(singleLine($0))" } ?? "receiver DOWN"
            x = put(text, at: x, limit: limit, role: .fail, into: &grid, glyphs: glyphs)
        }
        if let info = snapshot.receiverInfo, !info.tokenState.isEmpty, !snapshot.isDryRun {
            let role: Role = info.tokenState == "valid" ? .header : info.tokenState.hasPrefix("failing") ? .fail : .warn
            x = put("token \(singleLine(info.tokenState))", at: x, limit: limit, role: role, into: &grid, glyphs: glyphs)
        }

        // Second line: traffic.
        var parts: [(String, Role)] = [("\(snapshot.lastMinute.events) events/min", .header)]
        if let rate = snapshot.dispatchSuccessRate {
            parts.append(("dispatch ok \(percent(rate)) (1h)", rate < 0.95 ? .warn : .header))
        } else {
            parts.append(("dispatch ok \(glyphs.none) (1h)", .header))
        }
        // The outbox before the rest: a paused repository or a dead dispatch must show at 80 columns.
        parts += outboxParts(snapshot)
        if snapshot.lastHour.dispatchFailed > 0 { parts.append(("\(snapshot.lastHour.dispatchFailed) failed (1h)", .warn)) }
        let last = snapshot.lastEventAt.map { "last event \(TimeText.ago($0, now: snapshot.now))" } ?? "last event never"
        parts.append((last, .header))
        parts.append(("operator \(snapshot.operatorName)", .header))
        var x2 = 1
        for (index, part) in parts.enumerated() {
            x2 = put(part.0, at: x2, limit: width - 1, role: part.1, into: &grid, glyphs: glyphs, row: 1, leadingSeparator: index > 0)
        }
    }

    /// The outbox, when there is one to speak of: "2 paused", "1 dead/24h", "queue 12, oldest 4m".
    /// A queue that has waited over a minute is a warning; a paused repository or a dead dispatch is
    /// a failure.
    static func outboxParts(_ snapshot: DashboardSnapshot) -> [(String, Role)] {
        let outbox = snapshot.outbox
        var parts: [(String, Role)] = []
        if !outbox.paused.isEmpty { parts.append(("\(outbox.paused.count) paused", .fail)) }
        if outbox.dead > 0 { parts.append(("\(outbox.dead) dead/24h", .fail)) }
        if outbox.pending > 0 {
            let oldest = outbox.oldestQueuedAt ?? snapshot.now
            let waited = snapshot.now - oldest
            let depth = outbox.pendingReachedLimit ? "\(outbox.countLimit)+" : "\(outbox.pending)"
            parts.append(("queue \(depth), oldest \(TimeText.duration(waited) ?? "\(max(0, waited) / 1000)s")", waited > 60_000 ? .warn : .header))
        } else if snapshot.receiverInfo?.deliveryMode == "outbox" {
            parts.append(("queue 0", .header))
        }
        return parts
    }

    /// Writes a separator then `text`, cut to fit before `limit`; returns the next column.
    private static func put(
        _ text: String, at x: Int, limit: Int, role: Role, into grid: inout CellGrid, glyphs: Glyphs, row: Int = 0,
        leadingSeparator: Bool = true
    ) -> Int {
        var x = x
        if leadingSeparator, x > 1 {
            guard x + glyphs.separator.count < limit else { return x }
            x = grid.put(glyphs.separator, x: x, y: row, role: .header)
        }
        guard x < limit else { return x }
        return grid.put(text, x: x, y: row, role: role, maxWidth: limit - x)
    }

    /// "98.5%" with integer arithmetic; never shows 100% unless every dispatch succeeded.
    static func percent(_ rate: Double) -> String {
        let tenths = rate >= 1 ? 1000 : min(999, Int((rate * 1000).rounded(.down)))
        return tenths == 1000 ? "100%" : "\(tenths / 10).\(tenths % 10)%"
    }
}

/// Store text (messages, errors) on one line: newlines and tabs become spaces.
func singleLine(_ text: String) -> String {
    guard text.contains(where: { $0.isNewline || $0 == "\t" }) else { return text }
    return String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
}
