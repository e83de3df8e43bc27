/// A key press as the backend reads it, independent of curses key codes.
public enum Key: Sendable, Hashable {
    case character(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case tab, backTab
    case enter, escape, backspace
    /// The terminal was resized (curses `KEY_RESIZE`); set `DashboardState.terminalSize` first.
    case resize
    /// Nothing (a timeout, or a key the dashboard does not use).
    case none
}
