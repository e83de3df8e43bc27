/// The four shipped themes, embedded so the binary works from any directory. These texts are the
/// files in `themes/` at the repository root, byte for byte (a test checks it): edit the file, then
/// copy it here.
public enum BuiltInThemes {
    /// In the order `t` cycles through them.
    public static let all: [Theme] = [`default`, highContrast, solarizedDark, monochrome]

    public static let `default` = builtIn(defaultYAML, name: "default")
    public static let highContrast = builtIn(highContrastYAML, name: "high-contrast")
    public static let solarizedDark = builtIn(solarizedDarkYAML, name: "solarized-dark")
    public static let monochrome = builtIn(monochromeYAML, name: "monochrome")

    /// The embedded texts by file name (`default.yaml`, …), for the test against `themes/`.
    public static let texts: [(file: String, yaml: String)] = [
        ("default.yaml", defaultYAML), ("high-contrast.yaml", highContrastYAML),
        ("solarized-dark.yaml", solarizedDarkYAML), ("monochrome.yaml", monochromeYAML),
    ]

    /// Built-ins must define every role (no base to fall back on); a broken one is a bug caught by
    /// the tests, so failing loudly here is right.
    private static func builtIn(_ yaml: String, name: String) -> Theme {
        switch ThemeLoader.parse(yaml: yaml, file: "built-in \(name).yaml", defaultName: name, base: nil) {
        case .success(var theme):
            theme.source = "built-in"
            return theme
        case .failure(let error):
            fatalError("built-in theme is broken: \(error)")
        }
    }

    static let defaultYAML = #"""
        # The default theme: readable on dark and light terminals alike (the terminal's own background).
        # Colors: a 256-color index (0-255), "#rrggbb" (drawn as the nearest 256-color index) or default;
        # fallback: one of black red green yellow blue magenta cyan white default, for 8-color terminals.
        name: default
        roles:
          header:        { fg: "#ffffff", bg: 24, fallback: { fg: white, bg: blue }, bold: true }
          normal:        { fg: default, bg: default }
          ok:            { fg: 71, fallback: { fg: green } }
          fail:          { fg: 196, fallback: { fg: red }, bold: true }
          warn:          { fg: 214, fallback: { fg: yellow } }
          dim:           { fg: 245, fallback: { fg: default }, dim: true }
          dedup:         { fg: 75, fallback: { fg: cyan } }
          callout:       { fg: 203, fallback: { fg: red }, bold: true }
          selection:     { fg: 16, bg: 153, fallback: { fg: black, bg: cyan } }
          border:        { fg: 240, fallback: { fg: default } }
          borderFocused: { fg: 45, fallback: { fg: cyan }, bold: true }
          dryRun:        { fg: 16, bg: 220, fallback: { fg: black, bg: yellow }, bold: true }
          dryRunOutcome: { fg: 177, fallback: { fg: magenta }, underline: true }
          key:           { fg: 45, fallback: { fg: cyan }, bold: true }

        """#

    static let highContrastYAML = #"""
        # High contrast: white on black, saturated colors, bold wherever it matters.
        name: high-contrast
        roles:
          header:        { fg: 16, bg: 231, fallback: { fg: black, bg: white }, bold: true }
          normal:        { fg: 231, bg: 16, fallback: { fg: white, bg: black } }
          ok:            { fg: 46, bg: 16, fallback: { fg: green, bg: black }, bold: true }
          fail:          { fg: 196, bg: 16, fallback: { fg: red, bg: black }, bold: true }
          warn:          { fg: 226, bg: 16, fallback: { fg: yellow, bg: black }, bold: true }
          dim:           { fg: 250, bg: 16, fallback: { fg: white, bg: black } }
          dedup:         { fg: 51, bg: 16, fallback: { fg: cyan, bg: black }, bold: true }
          callout:       { fg: 231, bg: 160, fallback: { fg: white, bg: red }, bold: true }
          selection:     { fg: 16, bg: 226, fallback: { fg: black, bg: yellow }, bold: true }
          border:        { fg: 250, bg: 16, fallback: { fg: white, bg: black } }
          borderFocused: { fg: 226, bg: 16, fallback: { fg: yellow, bg: black }, bold: true }
          dryRun:        { fg: 16, bg: 201, fallback: { fg: black, bg: magenta }, bold: true }
          dryRunOutcome: { fg: 201, bg: 16, fallback: { fg: magenta, bg: black }, bold: true, underline: true }
          key:           { fg: 226, bg: 16, fallback: { fg: yellow, bg: black }, bold: true }

        """#

    static let solarizedDarkYAML = #"""
        # Solarized dark (Ethan Schoonover's palette): base03 background, base0 text.
        name: solarized-dark
        roles:
          header:        { fg: "#93a1a1", bg: "#073642", fallback: { fg: white, bg: black }, bold: true }
          normal:        { fg: "#839496", bg: "#002b36", fallback: { fg: white, bg: black } }
          ok:            { fg: "#859900", bg: "#002b36", fallback: { fg: green, bg: black } }
          fail:          { fg: "#dc322f", bg: "#002b36", fallback: { fg: red, bg: black }, bold: true }
          warn:          { fg: "#b58900", bg: "#002b36", fallback: { fg: yellow, bg: black } }
          dim:           { fg: "#586e75", bg: "#002b36", fallback: { fg: white, bg: black } }
          dedup:         { fg: "#2aa198", bg: "#002b36", fallback: { fg: cyan, bg: black } }
          callout:       { fg: "#cb4b16", bg: "#002b36", fallback: { fg: red, bg: black }, bold: true }
          selection:     { fg: "#fdf6e3", bg: "#268bd2", fallback: { fg: white, bg: blue } }
          border:        { fg: "#586e75", bg: "#002b36", fallback: { fg: white, bg: black } }
          borderFocused: { fg: "#268bd2", bg: "#002b36", fallback: { fg: blue, bg: black }, bold: true }
          dryRun:        { fg: "#002b36", bg: "#b58900", fallback: { fg: black, bg: yellow }, bold: true }
          dryRunOutcome: { fg: "#d33682", bg: "#002b36", fallback: { fg: magenta, bg: black }, underline: true }
          key:           { fg: "#268bd2", bg: "#002b36", fallback: { fg: blue, bg: black }, bold: true }

        """#

    static let monochromeYAML = #"""
        # Monochrome: no colors at all; roles differ only by bold, underline, reverse and dim.
        # Also the basis of NO_COLOR mode, which keeps each role at least this distinct.
        name: monochrome
        roles:
          header:        { reverse: true, bold: true }
          normal:        { }
          ok:            { }
          fail:          { bold: true }
          warn:          { underline: true }
          dim:           { dim: true }
          dedup:         { dim: true }
          callout:       { bold: true }
          selection:     { reverse: true }
          border:        { dim: true }
          borderFocused: { bold: true }
          dryRun:        { reverse: true, bold: true, underline: true }
          dryRunOutcome: { underline: true }
          key:           { bold: true }

        """#
}
