/// The panes of the main screen that take the focus, in `Tab` order.
public enum DashboardPane: Int, CaseIterable, Sendable, Hashable {
    case callouts, feed, dedup

    public var title: String {
        switch self {
        case .callouts: return "Callouts"
        case .feed: return "Live dispatches"
        case .dedup: return "Dedup hits, last hour"
        }
    }

    var next: DashboardPane { DashboardPane(rawValue: (rawValue + 1) % 3)! }
    var previous: DashboardPane { DashboardPane(rawValue: (rawValue + 2) % 3)! }
}
