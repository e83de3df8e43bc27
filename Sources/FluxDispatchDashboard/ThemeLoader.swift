import Foundation
import Yams

/// Reads theme files (k9s-skin-like YAML):
///
/// ```yaml
/// name: default
/// roles:
///   header: { fg: "#ffffff", bg: 24, fallback: { fg: white, bg: blue }, bold: true }
///   fail:   { fg: 196, fallback: { fg: red }, bold: true }
/// ```
///
/// `fg`/`bg`: `default`, a 256-color index `0`–`255`, `#rrggbb`, or a basic color name.
/// `fallback`: basic color names (black red green yellow blue magenta cyan white default) for
/// 8-color terminals; when absent, the nearest basic color of `fg`/`bg`. `bold`, `underline`,
/// `reverse`, `dim`: booleans.
///
/// Missing roles take the default theme's style for that role, so a user theme written for an
/// older version keeps working when a role is added; unknown roles and keys are errors, so a typo
/// never passes silently. Any problem is returned as a `ThemeError` naming the file; the caller
/// shows it and uses the default theme.
public enum ThemeLoader {
    /// Loads the theme file at `path`.
    public static func load(path: String) -> Result<Theme, ThemeError> {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read as UTF-8 text" : "no such file"
            return .failure(ThemeError(file: path, problem: reason))
        }
        let defaultName = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return parse(yaml: text, file: path, defaultName: defaultName)
    }

    /// Parses a theme. `base` supplies roles the file leaves out; with no base every role is
    /// required (how the built-in themes are checked).
    public static func parse(
        yaml: String, file: String, defaultName: String = "theme", base: Theme? = BuiltInThemes.default
    ) -> Result<Theme, ThemeError> {
        do {
            return .success(try parseOrThrow(yaml: yaml, file: file, defaultName: defaultName, base: base))
        } catch let error as ThemeError {
            return .failure(error)
        } catch {
            return .failure(ThemeError(file: file, problem: "\(error)"))
        }
    }

    static func parseOrThrow(yaml: String, file: String, defaultName: String, base: Theme?) throws -> Theme {
        func fail(_ problem: String) -> ThemeError { ThemeError(file: file, problem: problem) }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            let firstLine = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
            throw fail("YAML syntax error: \(firstLine)")
        }
        guard let root else { throw fail("the file is empty") }
        guard let top = root.mapping else { throw fail("expected a mapping with \"name\" and \"roles\"") }

        var name = defaultName
        var rolesNode: Node.Mapping?
        for (keyNode, value) in top {
            let key = keyNode.string ?? "?"
            switch key {
            case "name":
                guard let text = value.string, !text.isEmpty else { throw fail("\"name\" must be a string") }
                name = text
            case "description":
                break
            case "roles":
                guard let mapping = value.mapping else { throw fail("\"roles\" must be a mapping of role to style") }
                rolesNode = mapping
            default:
                throw fail("unknown key \"\(key)\" (expected name, description, roles)")
            }
        }
        guard let rolesNode else { throw fail("no \"roles\" mapping") }

        var styles: [Role: RoleStyle] = [:]
        for (keyNode, value) in rolesNode {
            let roleName = keyNode.string ?? "?"
            guard let role = Role(name: roleName) else {
                throw fail("unknown role \"\(roleName)\" (roles: \(Role.allCases.map(\.name).joined(separator: ", ")))")
            }
            styles[role] = try parseStyle(value, role: roleName, fail: fail)
        }
        for role in Role.allCases where styles[role] == nil {
            guard let base else { throw fail("role \"\(role.name)\" is missing") }
            styles[role] = base[role]
        }
        return Theme(name: name, source: file, styles: styles)
    }

    private static func parseStyle(_ node: Node, role: String, fail: (String) -> ThemeError) throws -> RoleStyle {
        guard let mapping = node.mapping else { throw fail("role \"\(role)\": expected a mapping like { fg: 196, bold: true }") }
        var foreground = Color.default, background = Color.default
        var fallbackForeground: BasicColor?, fallbackBackground: BasicColor?
        var attributes: CellAttributes = []
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? "?"
            switch key {
            case "fg", "bg":
                let text = value.string ?? "?"
                guard value.scalar != nil, let color = Color(themeValue: text) else {
                    throw fail("role \"\(role)\": color \"\(text)\" is not #rrggbb or 0-255")
                }
                if key == "fg" { foreground = color } else { background = color }
            case "fallback":
                guard let fallback = value.mapping else { throw fail("role \"\(role)\": \"fallback\" must be a mapping like { fg: red }") }
                for (fallbackKey, fallbackValue) in fallback {
                    let which = fallbackKey.string ?? "?"
                    let text = fallbackValue.string ?? "?"
                    guard let color = BasicColor(rawValue: text.lowercased()) else {
                        throw fail(
                            "role \"\(role)\": fallback color \"\(text)\" is not one of "
                                + BasicColor.allCases.map(\.rawValue).joined(separator: " "))
                    }
                    switch which {
                    case "fg": fallbackForeground = color
                    case "bg": fallbackBackground = color
                    default: throw fail("role \"\(role)\": unknown fallback key \"\(which)\" (expected fg, bg)")
                    }
                }
            case "bold", "underline", "reverse", "dim":
                guard let flag = value.bool else { throw fail("role \"\(role)\": \"\(key)\" must be true or false") }
                let attribute: CellAttributes =
                    key == "bold" ? .bold : key == "underline" ? .underline : key == "reverse" ? .reverse : .dim
                if flag { attributes.insert(attribute) }
            default:
                throw fail("role \"\(role)\": unknown key \"\(key)\" (expected fg, bg, fallback, bold, underline, reverse, dim)")
            }
        }
        return RoleStyle(
            foreground: foreground, background: background, fallbackForeground: fallbackForeground,
            fallbackBackground: fallbackBackground, attributes: attributes)
    }
}
