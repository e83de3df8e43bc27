/// The selected row of a pane and the first row shown.
public struct PaneCursor: Sendable, Hashable {
    public var selected: Int
    public var top: Int

    public init(selected: Int = 0, top: Int = 0) {
        self.selected = selected
        self.top = top
    }
}
