import FluxDispatchStore

/// The dashboard's view state: everything on screen that is not data from the store. Changed
/// only by `apply`, which is pure and returns what the shell must do (`DashboardEffect`).
///
/// Pause: pressing `p` copies the feed into `pausedFeed`, and the feed pane shows that copy until
/// `p` again, while the header, callouts and dedup hits stay live. The loader does not need to know;
/// a filter typed while paused narrows the frozen copy locally.
public struct DashboardState: Sendable, Equatable {
    public var focus: DashboardPane = .callouts
    /// Indexed by `DashboardPane.rawValue`.
    public var cursors: [PaneCursor] = [PaneCursor(), PaneCursor(), PaneCursor()]
    /// Product or environment substring the feed is filtered by ("" = none).
    public var filterText: String = ""
    public var isEditingFilter = false
    public var failuresOnly = false
    /// The feed as it was when paused; nil when live.
    public var pausedFeed: [FeedEntry]?
    public var isHelpShown = false
    /// The event shown in the detail view; nil on the main screen.
    public var detailEventID: Int64?
    public var detailScroll = 0
    /// Index into the `ThemeCatalog`; `themeNames` are its names (for the notice and help).
    public var themeIndex: Int
    public var themeNames: [String]
    /// A one-line message in the key line, cleared by the next key.
    public var notice: String?
    /// Set by the backend before applying `.resize` (and at start).
    public var terminalSize: TerminalSize
    /// Products dismissed in this session, latest last: what `u` undoes first.
    public var ownDismissals: [String] = []

    public init(terminalSize: TerminalSize = .minimum, themeIndex: Int = 0, themeNames: [String] = BuiltInThemes.all.map(\.name)) {
        self.terminalSize = terminalSize
        self.themeIndex = themeIndex
        self.themeNames = themeNames
    }

    public var isPaused: Bool { pausedFeed != nil }

    /// What the loader passes to `StateStore.recentEvents(limit:filter:)`.
    public var feedFilter: FeedFilter { FeedFilter(text: filterText, failuresOnly: failuresOnly) }

    public func cursor(_ pane: DashboardPane) -> PaneCursor { cursors[pane.rawValue] }

    /// The feed rows on screen: the live snapshot's (already filtered by the loader), or the frozen
    /// copy filtered here.
    public func visibleFeed(_ snapshot: DashboardSnapshot) -> [FeedEntry] {
        guard let pausedFeed else { return snapshot.feed }
        let filter = feedFilter
        if filter.text.isEmpty && !filter.failuresOnly { return pausedFeed }
        return pausedFeed.filter { $0.matches(filter) }
    }

    public func rowCount(_ pane: DashboardPane, snapshot: DashboardSnapshot) -> Int {
        switch pane {
        case .callouts: return snapshot.callouts.count
        case .feed: return visibleFeed(snapshot).count
        case .dedup: return snapshot.dedupHits.count
        }
    }

    /// The callout under the selection (whatever pane has the focus).
    public func selectedCallout(_ snapshot: DashboardSnapshot) -> Callout? {
        let index = cursor(.callouts).selected
        return snapshot.callouts.indices.contains(index) ? snapshot.callouts[index] : nil
    }

    public func selectedFeedEntry(_ snapshot: DashboardSnapshot) -> FeedEntry? {
        let feed = visibleFeed(snapshot)
        let index = cursor(.feed).selected
        return feed.indices.contains(index) ? feed[index] : nil
    }

    // MARK: Applying actions

    public mutating func apply(_ action: DashboardAction, snapshot: DashboardSnapshot) -> [DashboardEffect] {
        if action != .none && action != .resize { notice = nil }
        var effects: [DashboardEffect] = []
        switch action {
        case .none, .resize:
            break
        case .quit:
            effects.append(.quit)
        case .toggleHelp:
            isHelpShown.toggle()
        case .moveUp: move(by: -1, snapshot: snapshot)
        case .moveDown: move(by: 1, snapshot: snapshot)
        case .pageUp: move(by: -pageSize(snapshot: snapshot), snapshot: snapshot)
        case .pageDown: move(by: pageSize(snapshot: snapshot), snapshot: snapshot)
        case .top: move(by: Int.min / 2, snapshot: snapshot)
        case .bottom: move(by: Int.max / 2, snapshot: snapshot)
        case .nextPane: focus = focus.next
        case .previousPane: focus = focus.previous
        case .openDetail:
            effects += openDetail(snapshot: snapshot)
        case .back:
            if isHelpShown {
                isHelpShown = false
            } else if detailEventID != nil {
                detailEventID = nil
                detailScroll = 0
            } else if !filterText.isEmpty {
                filterText = ""
                effects.append(.reload)
            }
        case .dismiss:
            effects += dismiss(snapshot: snapshot)
        case .undismiss:
            effects += undismiss(snapshot: snapshot)
        case .redeliver:
            effects += redeliver(snapshot: snapshot)
        case .beginFilter:
            isEditingFilter = true
            isHelpShown = false
            detailEventID = nil
        case .filterInput(let character):
            guard filterText.count < 64, character.asciiValue.map({ $0 >= 0x20 && $0 < 0x7F }) ?? !character.isNewline else { break }
            filterText.append(character)
            filterChanged(&effects)
        case .filterBackspace:
            guard !filterText.isEmpty else { break }
            filterText.removeLast()
            filterChanged(&effects)
        case .filterApply:
            isEditingFilter = false
        case .filterCancel:
            isEditingFilter = false
            if !filterText.isEmpty {
                filterText = ""
                filterChanged(&effects)
            }
        case .toggleFailuresOnly:
            failuresOnly.toggle()
            notice = failuresOnly ? "showing failures only (f shows all)" : "showing all events"
            filterChanged(&effects)
        case .togglePause:
            pausedFeed = pausedFeed == nil ? snapshot.feed : nil
            notice = pausedFeed == nil ? "feed live again" : "feed paused (p resumes)"
        case .nextTheme:
            guard !themeNames.isEmpty else { break }
            themeIndex = (themeIndex + 1) % themeNames.count
            notice = "theme: \(themeNames[themeIndex])"
            effects.append(.themeChanged(index: themeIndex))
        }
        clampCursors(snapshot: snapshot)
        return effects
    }

    private mutating func filterChanged(_ effects: inout [DashboardEffect]) {
        cursors[DashboardPane.feed.rawValue] = PaneCursor()
        effects.append(.reload)
    }

    private func pageSize(snapshot: DashboardSnapshot) -> Int {
        if detailEventID != nil { return max(1, terminalSize.height - 4) }
        return max(1, DashboardLayout(snapshot: snapshot, state: self).listRows(focus))
    }

    private mutating func move(by delta: Int, snapshot: DashboardSnapshot) {
        if detailEventID != nil {
            let lines = DetailView.lineCount(snapshot: snapshot, state: self)
            let maximum = max(0, lines - DetailView.visibleRows(size: terminalSize))
            detailScroll = min(max(0, detailScroll.addingReportingOverflow(delta).partialValue), maximum)
            return
        }
        let count = rowCount(focus, snapshot: snapshot)
        let current = cursors[focus.rawValue].selected
        cursors[focus.rawValue].selected = min(max(0, current.addingReportingOverflow(delta).partialValue), max(0, count - 1))
    }

    /// Keeps every selection on an existing row and in view (rows come and go between frames).
    private mutating func clampCursors(snapshot: DashboardSnapshot) {
        let layout = DashboardLayout(snapshot: snapshot, state: self)
        for pane in DashboardPane.allCases {
            let count = rowCount(pane, snapshot: snapshot)
            var cursor = cursors[pane.rawValue]
            cursor.selected = min(max(0, cursor.selected), max(0, count - 1))
            cursor.top = DashboardLayout.scrollTop(selected: cursor.selected, top: cursor.top, visible: layout.listRows(pane), count: count)
            cursors[pane.rawValue] = cursor
        }
    }

    private mutating func openDetail(snapshot: DashboardSnapshot) -> [DashboardEffect] {
        let eventID: Int64?
        switch focus {
        case .callouts: eventID = selectedCallout(snapshot)?.eventID
        case .feed: eventID = selectedFeedEntry(snapshot)?.id
        case .dedup:
            // A dedup summary is many events: show them by filtering the feed to the product.
            let index = cursor(.dedup).selected
            guard snapshot.dedupHits.indices.contains(index) else { return [] }
            filterText = snapshot.dedupHits[index].product
            focus = .feed
            notice = "feed filtered to \(filterText) (Esc clears)"
            var effects: [DashboardEffect] = []
            filterChanged(&effects)
            return effects
        }
        guard let eventID else {
            notice = "nothing selected"
            return []
        }
        detailEventID = eventID
        detailScroll = 0
        return [.openDetail(eventID: eventID)]
    }

    private mutating func dismiss(snapshot: DashboardSnapshot) -> [DashboardEffect] {
        guard focus == .callouts else {
            notice = "d dismisses the selected callout: Tab to the callouts pane"
            return []
        }
        guard let callout = selectedCallout(snapshot) else {
            notice = "no callout to dismiss"
            return []
        }
        ownDismissals.removeAll { $0 == callout.product }
        ownDismissals.append(callout.product)
        notice = "dismissed \(callout.product) for you (u undoes)"
        return [.dismiss(product: callout.product)]
    }

    /// The open event in the detail view, else the selected feed row or callout: its dispatch, if it
    /// failed, was rejected or is dead, is queued again.
    private mutating func redeliver(snapshot: DashboardSnapshot) -> [DashboardEffect] {
        let target: (id: Int64, outcome: String?)?
        if let id = detailEventID {
            target = (id, snapshot.detail.flatMap { $0.entry.id == id ? $0.entry.outcome : nil })
        } else {
            switch focus {
            case .feed: target = selectedFeedEntry(snapshot).map { ($0.id, $0.outcome) }
            case .callouts: target = selectedCallout(snapshot).map { ($0.eventID, nil) }
            case .dedup: target = nil
            }
        }
        guard let target else {
            notice = "r redelivers the selected event's dispatch: select a failed one in the feed or callouts"
            return []
        }
        if let outcome = target.outcome, !OutcomeStyle.isDispatchFailure(outcome) {
            notice = "event #\(target.id) is \(OutcomeStyle.of(outcome).label): only failed, rejected or dead dispatches can be redelivered"
            return []
        }
        notice = "redelivery of event #\(target.id) requested"
        return [.redeliver(eventID: target.id)]
    }

    /// Undoes this session's latest dismissal; failing that, brings back the newest hidden callout
    /// (dismissed in an earlier session).
    private mutating func undismiss(snapshot: DashboardSnapshot) -> [DashboardEffect] {
        let product: String
        if let latest = ownDismissals.popLast() {
            product = latest
        } else if let hidden = snapshot.hiddenCallouts.first {
            product = hidden.product
        } else {
            notice = "nothing to undo"
            return []
        }
        notice = "\(product) shown again"
        return [.undismiss(product: product)]
    }
}

extension FeedEntry {
    /// The store's filter, applied in memory (to a paused feed).
    public func matches(_ filter: FeedFilter) -> Bool {
        if filter.failuresOnly && !(reasonClass == "failure" || OutcomeStyle.isDispatchFailure(outcome)) { return false }
        if filter.text.isEmpty { return true }
        let needle = filter.text.lowercased()
        return product.lowercased().contains(needle) || environment.lowercased().contains(needle)
    }
}
