import Foundation

/// The themes `t` cycles through: the built-ins in order, plus the one given with `--theme PATH`
/// when it is not a built-in.
public struct ThemeCatalog: Sendable, Equatable {
    public private(set) var themes: [Theme]

    public init(themes: [Theme] = BuiltInThemes.all) {
        self.themes = themes.isEmpty ? [BuiltInThemes.default] : themes
    }

    public var names: [String] { themes.map(\.name) }

    public func index(named name: String) -> Int? { themes.firstIndex { $0.name == name } }

    /// The theme after `index`, wrapping around (the `t` key).
    public func next(after index: Int) -> Int { themes.isEmpty ? 0 : (index + 1) % themes.count }

    public subscript(index: Int) -> Theme { themes[((index % themes.count) + themes.count) % themes.count] }

    /// Resolves `--theme NAME|PATH`:
    /// - a value with a "/" or ending in .yaml/.yml is a file path;
    /// - otherwise the name of a built-in (the embedded copy, so it works from any directory);
    /// - otherwise `themes/NAME.yaml` under `directory` (the working directory), if it exists.
    /// On success the theme is in the catalog (added at the end if new) and its index returned.
    /// On failure the catalog is unchanged; show the error and use index 0 (the default theme).
    public mutating func select(_ nameOrPath: String, directory: String = FileManager.default.currentDirectoryPath)
        -> Result<Int, ThemeError>
    {
        let isPath = nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") || nameOrPath.hasSuffix(".yml")
        if !isPath, let index = index(named: nameOrPath) { return .success(index) }
        var path = nameOrPath
        if !isPath {
            path = directory + "/themes/" + nameOrPath + ".yaml"
            guard FileManager.default.fileExists(atPath: path) else {
                return .failure(
                    ThemeError(file: nameOrPath, problem: "no such theme (built-in: \(names.joined(separator: ", ")); or give a path to a .yaml file)"))
            }
        }
        switch ThemeLoader.load(path: path) {
        case .failure(let error):
            return .failure(error)
        case .success(let theme):
            if let existing = themes.firstIndex(where: { $0.name == theme.name && $0.source == theme.source }) {
                return .success(existing)
            }
            themes.append(theme)
            return .success(themes.count - 1)
        }
    }
}
