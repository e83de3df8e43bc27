/// Why a theme could not be used. The description names the file and the problem in one line, for
/// the dashboard to show before it falls back to the default theme.
public struct ThemeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (as given), or the theme name that was asked for.
    public var file: String
    public var problem: String

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
