/// Columns and rows of the terminal.
public struct TerminalSize: Sendable, Hashable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// The smallest size the full layout needs; below it only a notice is drawn.
    public static let minimum = TerminalSize(width: 80, height: 24)

    public var isTooSmall: Bool { width < Self.minimum.width || height < Self.minimum.height }
}
