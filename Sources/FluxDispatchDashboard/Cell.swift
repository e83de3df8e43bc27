/// One terminal column: what to draw there and what it means. Stored by value in `CellGrid`
/// (a `Character` holding one scalar is stored inline, so a grid is one flat allocation).
public struct Cell: Sendable, Equatable {
    public var character: Character
    public var role: Role
    public var attributes: CellAttributes

    public init(character: Character, role: Role = .normal, attributes: CellAttributes = []) {
        self.character = character
        self.role = role
        self.attributes = attributes
    }

    public static let blank = Cell(character: " ")
}
