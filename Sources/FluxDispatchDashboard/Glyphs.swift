/// The characters used for borders and marks. The backend picks `.unicode` when the locale is
/// UTF-8 and `.ascii` otherwise (vt100, C locale), so the layout code never branches on it.
public struct Glyphs: Sendable, Equatable {
    public var horizontal: Character
    public var vertical: Character
    public var topLeft: Character
    public var topRight: Character
    public var bottomLeft: Character
    public var bottomRight: Character
    /// A horizontal line meeting a vertical one from the left (`├`) and from the right (`┤`).
    public var teeLeft: Character
    public var teeRight: Character
    public var bullet: Character
    /// Marks text cut short to fit.
    public var ellipsis: Character
    public var up: Character
    public var down: Character
    /// "×3" in counts.
    public var times: Character
    /// A separating dash in prose ("2 hidden – u to undo").
    public var dash: String
    /// A placeholder for "no value" (no success rate yet, no GitHub status).
    public var none: String
    /// Between items of a header line.
    public var separator: String
    /// Marks the end of the filter being typed.
    public var cursor: Character

    public static let unicode = Glyphs(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        teeLeft: "├", teeRight: "┤", bullet: "•", ellipsis: "…", up: "▲", down: "▼", times: "×", dash: "–", none: "–", separator: " · ", cursor: "▏")

    public static let ascii = Glyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        teeLeft: "+", teeRight: "+", bullet: "*", ellipsis: "~", up: "^", down: "v", times: "x", dash: "-", none: "-", separator: " | ", cursor: "_")
}
