import FluxDispatchDashboard
import XCTest

final class CellGridTests: XCTestCase {
    func testPutClipsAtTheEdgeWithoutEllipsis() {
        var grid = CellGrid(width: 5, height: 2)
        let next = grid.put("abcdefgh", x: 2, y: 0)
        XCTAssertEqual(grid.row(0), "  abc")
        XCTAssertEqual(next, 5)
        grid.put("xyz", x: -1, y: 1)
        XCTAssertEqual(grid.row(1), "yz   ")
        grid.put("nope", x: 0, y: 2)
        grid.put("nope", x: 0, y: -1)
        XCTAssertEqual(grid.text, "  abc\nyz")
    }

    func testMaxWidthTruncatesWithEllipsis() {
        var grid = CellGrid(width: 10, height: 3)
        grid.put("abcdef", x: 0, y: 0, maxWidth: 4)
        grid.put("abcd", x: 0, y: 1, maxWidth: 4)
        grid.put("abc", x: 0, y: 2, maxWidth: 4)
        XCTAssertEqual(grid.text, "abc…\nabcd\nabc")
        var ascii = CellGrid(width: 10, height: 1, glyphs: .ascii)
        ascii.put("abcdef", x: 0, y: 0, maxWidth: 3)
        XCTAssertEqual(ascii.text, "ab~")
        var zero = CellGrid(width: 4, height: 1)
        XCTAssertEqual(zero.put("abc", x: 0, y: 0, maxWidth: 0), 0)
        XCTAssertEqual(zero.text, "")
    }

    func testControlCharactersBecomeQuestionMarks() {
        var grid = CellGrid(width: 12, height: 1)
        grid.put("a\u{1B}[2Jb\n\t\u{9B}é", x: 0, y: 0)
        XCTAssertEqual(grid.row(0), "a?[2Jb???é  ")
    }

    func testRolesAttributesFillAndRestyle() {
        var grid = CellGrid(width: 4, height: 2)
        grid.put("ok", x: 1, y: 0, role: .ok, attributes: .bold)
        XCTAssertEqual(grid[x: 1, y: 0], Cell(character: "o", role: .ok, attributes: .bold))
        XCTAssertEqual(grid[x: 0, y: 0], .blank)
        grid.fill(x: 2, y: 1, width: 10, height: 10, character: "-", role: .border)
        XCTAssertEqual(grid.row(1), "  --")
        XCTAssertEqual(grid[x: 3, y: 1].role, .border)
        grid.restyle(x: 0, y: 0, width: 4, role: .selection)
        XCTAssertEqual(grid[x: 1, y: 0].character, "o")
        XCTAssertEqual(grid[x: 1, y: 0].role, .selection)
        XCTAssertEqual(grid.text, " ok\n  --")
    }
}
