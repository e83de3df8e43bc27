/// A named mapping from every role to its style. Built from a YAML file by `ThemeLoader`; the
/// built-ins come from `BuiltInThemes`.
public struct Theme: Sendable, Equatable {
    public var name: String
    /// Where it came from: "built-in" or the file's path (shown in errors and the help overlay).
    public var source: String
    /// Indexed by `Role.rawValue`: the backend looks a style up per cell, so no hashing.
    private var styles: [RoleStyle]

    /// Roles missing from `styles` are plain (no color, no attributes).
    public init(name: String, source: String = "built-in", styles: [Role: RoleStyle]) {
        self.name = name
        self.source = source
        self.styles = Role.allCases.map { styles[$0] ?? .plain }
    }

    public func style(for role: Role) -> RoleStyle { styles[role.rawValue] }

    public subscript(role: Role) -> RoleStyle {
        get { styles[role.rawValue] }
        set { styles[role.rawValue] = newValue }
    }

    /// Whether any role sets a color.
    public var usesColor: Bool { styles.contains(where: \.usesColor) }

    /// The theme as it must be drawn: unchanged, or, when `NO_COLOR` is set, the monochrome
    /// theme's styling (attributes only, no color at all) under this theme's name. Taking the
    /// monochrome attributes rather than this theme's keeps roles that were told apart only by
    /// color (ok and fail, both bold in high-contrast) distinguishable.
    public func effective(noColor: Bool) -> Theme {
        guard noColor else { return self }
        var result = BuiltInThemes.monochrome
        result.name = name == result.name ? name : "\(name) (NO_COLOR)"
        result.source = source
        return result
    }
}
