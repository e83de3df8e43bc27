/// What a cell means, not how it looks: the renderer assigns roles and the theme (applied by the
/// terminal backend) decides colors and attributes. Keeping layout free of colors is what lets the
/// snapshot tests, NO_COLOR, monochrome and the 8-color fallback share one renderer.
public enum Role: Int, CaseIterable, Sendable, Hashable {
    /// The two header lines.
    case header
    /// Ordinary text and empty space.
    case normal
    /// Things that went right: dispatched, "No failures", a valid token.
    case ok
    /// Things that went wrong: failed dispatches, failure reasons, receiver down.
    case fail
    /// Needs attention but is not a failure: no token yet, hidden callouts, notices.
    case warn
    /// Secondary text: times, ignored events, dismissal marks.
    case dim
    /// Duplicates suppressed by dedup.
    case dedup
    /// A failure callout's product (the banner line).
    case callout
    /// The selected row of the focused pane.
    case selection
    /// Pane borders and titles of unfocused panes.
    case border
    /// The focused pane's border and title.
    case borderFocused
    /// The DRY RUN banner in the header: must be impossible to miss.
    case dryRun
    /// A dry-run outcome in the feed: visibly unlike a real dispatch.
    case dryRunOutcome
    /// Key names in the key line and the help overlay.
    case key

    /// The key used for this role in theme files.
    public var name: String {
        switch self {
        case .header: return "header"
        case .normal: return "normal"
        case .ok: return "ok"
        case .fail: return "fail"
        case .warn: return "warn"
        case .dim: return "dim"
        case .dedup: return "dedup"
        case .callout: return "callout"
        case .selection: return "selection"
        case .border: return "border"
        case .borderFocused: return "borderFocused"
        case .dryRun: return "dryRun"
        case .dryRunOutcome: return "dryRunOutcome"
        case .key: return "key"
        }
    }

    /// The role named `name` in a theme file, if there is one.
    public init?(name: String) {
        guard let role = Role.allCases.first(where: { $0.name == name }) else { return nil }
        self = role
    }
}
