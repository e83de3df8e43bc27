/// Maps keys to actions, depending on what is on screen: while the filter is edited, typed
/// characters go into it; the help overlay closes on any key but `q`; the detail view scrolls.
public enum KeyMap {
    public static func action(for key: Key, in state: DashboardState) -> DashboardAction {
        if key == .resize { return .resize }
        if state.isEditingFilter {
            switch key {
            case .character(let character): return .filterInput(character)
            case .backspace: return .filterBackspace
            case .enter: return .filterApply
            case .escape: return .filterCancel
            case .up: return .moveUp
            case .down: return .moveDown
            default: return .none
            }
        }
        if state.isHelpShown {
            switch key {
            case .character("q"): return .quit
            case .none: return .none
            default: return .toggleHelp
            }
        }
        switch key {
        case .character(let character):
            switch character {
            case "q": return .quit
            case "?": return .toggleHelp
            case "j": return .moveDown
            case "k": return .moveUp
            case "g": return .top
            case "G": return .bottom
            case "d": return state.detailEventID == nil ? .dismiss : .none
            case "u": return .undismiss
            case "r": return .redeliver
            case "/": return .beginFilter
            case "f": return .toggleFailuresOnly
            case "p": return .togglePause
            case "t": return .nextTheme
            default: return .none
            }
        case .up: return .moveUp
        case .down: return .moveDown
        case .pageUp: return .pageUp
        case .pageDown: return .pageDown
        case .home: return .top
        case .end: return .bottom
        case .tab, .right: return state.detailEventID == nil ? .nextPane : .none
        case .backTab, .left: return state.detailEventID == nil ? .previousPane : .none
        case .enter: return state.detailEventID == nil ? .openDetail : .back
        case .escape: return .back
        case .backspace: return state.detailEventID == nil ? .none : .back
        case .resize: return .resize
        case .none: return .none
        }
    }

    /// The keys as the help overlay lists them: (keys, what they do).
    public static func help(glyphs: Glyphs) -> [(keys: String, does: String)] {
        [
        ("?", "show or hide this help"),
        ("q", "quit (the embedded receiver stops cleanly)"),
        ("\(glyphs.up) \(glyphs.down)  j k", "move the selection"),
        ("PgUp PgDn", "move a page"),
        ("g G  Home End", "first / last row"),
        ("Tab  Shift-Tab", "next / previous pane (callouts, feed, dedup)"),
        ("Enter", "details: Flux event, payload sent, GitHub attempts"),
        ("Esc", "back; clears the filter"),
        ("d", "dismiss the selected callout's product (for you only)"),
        ("u", "undo your latest dismissal"),
        ("r", "redeliver a failed, rejected or dead dispatch"),
        ("/", "filter by product or env (Enter keeps, Esc clears)"),
        ("f", "show failures only"),
        ("p", "pause / resume the live feed"),
        ("t", "next theme"),
        ]
    }

    /// The key line, most important first; the renderer shows as many as fit.
    public static let keyLine: [(key: String, does: String)] = [
        ("?", "help"), ("q", "quit"), ("Tab", "pane"), ("Enter", "details"), ("d", "dismiss"), ("u", "undo"),
        ("r", "redeliver"), ("/", "filter"), ("f", "failures"), ("p", "pause"), ("t", "theme"), ("j/k", "move"),
    ]
}
