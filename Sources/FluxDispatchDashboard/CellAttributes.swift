/// Text attributes a cell or a theme role can ask for. The backend draws a cell with the union of
/// its own attributes and its role's attributes from the theme.
public struct CellAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = CellAttributes(rawValue: 1 << 0)
    public static let underline = CellAttributes(rawValue: 1 << 1)
    public static let reverse = CellAttributes(rawValue: 1 << 2)
    /// Half-bright. Themes use it (mostly the monochrome one) to push secondary text back.
    public static let dim = CellAttributes(rawValue: 1 << 3)
}
