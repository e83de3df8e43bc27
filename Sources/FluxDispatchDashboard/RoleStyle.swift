/// How one role looks under a theme.
public struct RoleStyle: Sendable, Hashable {
    public var foreground: Color
    public var background: Color
    /// Used on terminals with 8 (or 16) colors.
    public var fallbackForeground: BasicColor
    public var fallbackBackground: BasicColor
    public var attributes: CellAttributes

    public init(
        foreground: Color = .default, background: Color = .default, fallbackForeground: BasicColor? = nil,
        fallbackBackground: BasicColor? = nil, attributes: CellAttributes = []
    ) {
        self.foreground = foreground
        self.background = background
        self.fallbackForeground = fallbackForeground ?? foreground.nearestBasic
        self.fallbackBackground = fallbackBackground ?? background.nearestBasic
        self.attributes = attributes
    }

    /// No color, no attributes.
    public static let plain = RoleStyle()

    /// Whether this style sets any color at all.
    public var usesColor: Bool {
        foreground != .default || background != .default || fallbackForeground != .default || fallbackBackground != .default
    }

    /// The curses color numbers (-1 = the terminal's default) for a terminal with `support`.
    public func colorNumbers(for support: ColorSupport) -> (foreground: Int16, background: Int16) {
        switch support {
        case .none: return (-1, -1)
        case .basic8: return (fallbackForeground.cursesNumber, fallbackBackground.cursesNumber)
        case .indexed256:
            return (foreground.nearestIndexed256.map(Int16.init) ?? -1, background.nearestIndexed256.map(Int16.init) ?? -1)
        }
    }
}

/// What the terminal can show, as the backend finds out (`has_colors()`, `COLORS`).
public enum ColorSupport: Sendable, Hashable {
    /// No colors (or NO_COLOR): attributes only.
    case none
    /// 8 or 16 colors: the theme's `fallback` colors.
    case basic8
    /// 256 colors or more.
    case indexed256

    /// From curses' `COLORS` (0 when `has_colors()` is false).
    public init(colors: Int) {
        self = colors >= 256 ? .indexed256 : colors >= 8 ? .basic8 : .none
    }
}
