/// What a key means in the current context (see `KeyMap`); applied by `DashboardState.apply`.
public enum DashboardAction: Sendable, Hashable {
    case quit
    case toggleHelp
    case moveUp, moveDown, pageUp, pageDown, top, bottom
    case nextPane, previousPane
    /// Enter: details of the selected row.
    case openDetail
    /// Esc: close the overlay or detail view, else clear the filter.
    case back
    /// `d`: dismiss the selected callout's product for this operator.
    case dismiss
    /// `u`: undo the latest dismissal.
    case undismiss
    /// `r`: queue the selected (or open) event's failed, rejected or dead dispatch again.
    case redeliver
    /// `/`: start editing the filter.
    case beginFilter
    case filterInput(Character)
    case filterBackspace
    /// Enter while editing: keep the filter and stop editing.
    case filterApply
    /// Esc while editing: clear the filter and stop editing.
    case filterCancel
    case toggleFailuresOnly
    case togglePause
    case nextTheme
    /// The terminal size changed (`DashboardState.terminalSize` already updated).
    case resize
    case none
}
