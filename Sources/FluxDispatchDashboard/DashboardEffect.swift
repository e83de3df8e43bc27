/// Something the shell (the `dash` command) must do after an action: the pure state cannot touch
/// the store or the terminal.
public enum DashboardEffect: Sendable, Hashable {
    case quit
    /// Store a dismissal of `product` for this operator, then reload.
    case dismiss(product: String)
    /// Delete this operator's dismissal of `product`, then reload.
    case undismiss(product: String)
    /// Queue the event's dispatch again, recorded as asked by this operator, then reload.
    case redeliver(eventID: Int64)
    /// Load `EventDetail` for the event into `DashboardSnapshot.detail`.
    case openDetail(eventID: Int64)
    /// The filter (text or failures-only) changed: reload the feed with `DashboardState.feedFilter`.
    case reload
    /// Switch to `ThemeCatalog[index]` (re-initialise the color pairs).
    case themeChanged(index: Int)
}
