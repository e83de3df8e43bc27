import FluxDispatchCore

/// A plain rectangle of cells: what the renderer produces and the terminal backend blits. No
/// terminal here, so layouts are tested as text.
///
/// Every `Character` takes one column. Characters a terminal would interpret (C0/C1 controls,
/// format and separator characters) are stored as "?" so that data from the store (a Flux message,
/// a GitHub error) can never move the cursor or start an escape sequence.
public struct CellGrid: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Row-major, `width * height` cells.
    public private(set) var cells: [Cell]
    /// Drawn as the last column of text cut short by `maxWidth`.
    public let ellipsis: Character

    public init(width: Int, height: Int, glyphs: Glyphs = .unicode) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.cells = Array(repeating: .blank, count: self.width * self.height)
        self.ellipsis = glyphs.ellipsis
    }

    public subscript(x x: Int, y y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes `text` from column `x` of row `y`, clipped at the grid's edges. With `maxWidth`, text
    /// longer than that is cut to `maxWidth - 1` characters followed by the ellipsis.
    /// Returns the column after the text as written (at most `width`), for placing the next item.
    @discardableResult
    public mutating func put(
        _ text: String, x: Int, y: Int, role: Role = .normal, attributes: CellAttributes = [], maxWidth: Int? = nil
    ) -> Int {
        let limit = maxWidth ?? Int.max
        guard limit > 0, y >= 0, y < height else { return x }
        var column = x
        var iterator = text.makeIterator()
        var next = iterator.next()
        while let character = next, column - x < limit {
            next = iterator.next()
            var shown = character
            if column - x == limit - 1, next != nil { shown = ellipsis }
            if column >= 0, column < width {
                cells[y * width + column] = Cell(character: Self.printable(shown), role: role, attributes: attributes)
            }
            column += 1
            if column >= width { break }
        }
        return column
    }

    /// Fills a rectangle (clipped to the grid) with one character.
    public mutating func fill(
        x: Int = 0, y: Int = 0, width: Int? = nil, height: Int? = nil, character: Character = " ", role: Role = .normal,
        attributes: CellAttributes = []
    ) {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(self.width, x + (width ?? self.width)), y1 = min(self.height, y + (height ?? self.height))
        guard x0 < x1, y0 < y1 else { return }
        let cell = Cell(character: Self.printable(character), role: role, attributes: attributes)
        for row in y0..<y1 {
            let base = row * self.width
            for column in x0..<x1 { cells[base + column] = cell }
        }
    }

    /// Gives a span of a row a new role, keeping the characters (the selection highlight).
    public mutating func restyle(x: Int, y: Int, width: Int, role: Role, attributes: CellAttributes = []) {
        guard y >= 0, y < height else { return }
        let x0 = max(0, x), x1 = min(self.width, x + width)
        guard x0 < x1 else { return }
        for column in x0..<x1 {
            cells[y * self.width + column].role = role
            cells[y * self.width + column].attributes = attributes
        }
    }

    /// One row's characters, trailing spaces included.
    public func row(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        var line = ""
        line.reserveCapacity(width)
        for column in 0..<width { line.append(cells[y * width + column].character) }
        return line
    }

    /// All rows joined by "\n", trailing spaces trimmed per row: the form snapshot tests compare.
    public var text: String {
        (0..<height).map { y -> String in
            var line = Substring(row(y))
            while line.last == " " { line.removeLast() }
            return String(line)
        }.joined(separator: "\n")
    }

    /// `character`, or "?" when a terminal would not print it as one visible column.
    @inline(__always)
    static func printable(_ character: Character) -> Character {
        if let ascii = character.asciiValue { return TerminalText.isActedOn(Unicode.Scalar(ascii)) ? "?" : character }
        guard let first = character.unicodeScalars.first, !TerminalText.isActedOn(first) else { return "?" }
        switch first.properties.generalCategory {
        case .surrogate, .unassigned, .privateUse: return "?"
        default: return character
        }
    }
}
