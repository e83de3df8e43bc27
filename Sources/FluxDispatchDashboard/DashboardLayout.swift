import FluxDispatchStore

/// Where the main screen's parts go for a terminal size and the current content. Shared by the
/// renderer and by `DashboardState` (page sizes, keeping the selection in view), so both agree.
///
/// Rows: two header lines; the three panes stacked, sharing border lines; the key line. The
/// callouts and dedup panes take the rows they need up to a cap; the feed gets the rest.
public struct DashboardLayout: Sendable, Equatable {
    public struct Pane: Sendable, Equatable {
        /// The border line carrying the pane's title.
        public var titleRow: Int
        /// First content row and number of content rows.
        public var top: Int
        public var height: Int
    }

    public var callouts: Pane
    public var feed: Pane
    public var dedup: Pane
    public var bottomBorderRow: Int
    public var keyLineRow: Int
    /// The callouts pane's last row holds the "N hidden" summary.
    public var hasHiddenSummary: Bool

    public init(size: TerminalSize, calloutCount: Int, hiddenCount: Int, dedupCount: Int) {
        let content = max(3, size.height - 7)
        hasHiddenSummary = hiddenCount > 0
        let calloutsWanted = max(1, calloutCount + (hasHiddenSummary ? 1 : 0))
        let dedupWanted = max(1, dedupCount)
        let calloutRows = min(calloutsWanted, max(3, content * 35 / 100))
        let dedupRows = min(dedupWanted, max(2, content / 5))
        let feedRows = max(1, content - calloutRows - dedupRows)
        callouts = Pane(titleRow: 2, top: 3, height: calloutRows)
        feed = Pane(titleRow: 3 + calloutRows, top: 4 + calloutRows, height: feedRows)
        dedup = Pane(titleRow: feed.top + feedRows, top: feed.top + feedRows + 1, height: dedupRows)
        bottomBorderRow = dedup.top + dedupRows
        keyLineRow = size.height - 1
    }

    public init(snapshot: DashboardSnapshot, state: DashboardState) {
        self.init(
            size: state.terminalSize, calloutCount: snapshot.callouts.count, hiddenCount: snapshot.hiddenCallouts.count,
            dedupCount: snapshot.dedupHits.count)
    }

    /// Rows available to a pane's list (the feed's first row is its column header; the callouts
    /// pane may end with the hidden summary).
    public func listRows(_ pane: DashboardPane) -> Int {
        switch pane {
        case .callouts: return max(0, callouts.height - (hasHiddenSummary ? 1 : 0))
        case .feed: return max(1, feed.height - 1)
        case .dedup: return dedup.height
        }
    }

    /// The first row to show so that `selected` is visible, starting from `top`.
    public static func scrollTop(selected: Int, top: Int, visible: Int, count: Int) -> Int {
        guard visible > 0, count > visible else { return 0 }
        var result = min(max(0, top), count - visible)
        if selected < result { result = selected }
        if selected >= result + visible { result = selected - visible + 1 }
        return max(0, result)
    }
}
