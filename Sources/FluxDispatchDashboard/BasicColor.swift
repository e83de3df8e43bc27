/// The eight ANSI colors (plus the terminal's default): what a theme falls back to on terminals
/// with fewer than 256 colors (vt100-era, `TERM=screen`, the Linux console).
public enum BasicColor: String, CaseIterable, Sendable, Hashable {
    case `default`, black, red, green, yellow, blue, magenta, cyan, white

    /// The curses color number (`COLOR_RED` is 1, …); -1 is the terminal's default color.
    public var cursesNumber: Int16 {
        switch self {
        case .default: return -1
        case .black: return 0
        case .red: return 1
        case .green: return 2
        case .yellow: return 3
        case .blue: return 4
        case .magenta: return 5
        case .cyan: return 6
        case .white: return 7
        }
    }

    init(number: Int) {
        self = [.black, .red, .green, .yellow, .blue, .magenta, .cyan, .white][number & 7]
    }
}
