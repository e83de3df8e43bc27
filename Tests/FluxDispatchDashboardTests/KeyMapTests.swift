import FluxDispatchDashboard
import XCTest

final class KeyMapTests: XCTestCase {
    func action(_ key: Key, _ state: DashboardState = DashboardState()) -> DashboardAction { KeyMap.action(for: key, in: state) }

    func testMainScreenKeys() {
        XCTAssertEqual(action(.character("?")), .toggleHelp)
        XCTAssertEqual(action(.character("q")), .quit)
        XCTAssertEqual(action(.character("r")), .redeliver)
        XCTAssertEqual(action(.character("j")), .moveDown)
        XCTAssertEqual(action(.down), .moveDown)
        XCTAssertEqual(action(.character("k")), .moveUp)
        XCTAssertEqual(action(.up), .moveUp)
        XCTAssertEqual(action(.pageUp), .pageUp)
        XCTAssertEqual(action(.pageDown), .pageDown)
        XCTAssertEqual(action(.character("g")), .top)
        XCTAssertEqual(action(.home), .top)
        XCTAssertEqual(action(.character("G")), .bottom)
        XCTAssertEqual(action(.end), .bottom)
        XCTAssertEqual(action(.tab), .nextPane)
        XCTAssertEqual(action(.backTab), .previousPane)
        XCTAssertEqual(action(.enter), .openDetail)
        XCTAssertEqual(action(.escape), .back)
        XCTAssertEqual(action(.character("d")), .dismiss)
        XCTAssertEqual(action(.character("u")), .undismiss)
        XCTAssertEqual(action(.character("/")), .beginFilter)
        XCTAssertEqual(action(.character("f")), .toggleFailuresOnly)
        XCTAssertEqual(action(.character("p")), .togglePause)
        XCTAssertEqual(action(.character("t")), .nextTheme)
        XCTAssertEqual(action(.resize), .resize)
        XCTAssertEqual(action(.character("z")), .none)
        XCTAssertEqual(action(.none), .none)
    }

    func testWhileEditingTheFilterCharactersGoIntoIt() {
        var state = DashboardState()
        state.isEditingFilter = true
        XCTAssertEqual(action(.character("q"), state), .filterInput("q"))
        XCTAssertEqual(action(.character("/"), state), .filterInput("/"))
        XCTAssertEqual(action(.backspace, state), .filterBackspace)
        XCTAssertEqual(action(.enter, state), .filterApply)
        XCTAssertEqual(action(.escape, state), .filterCancel)
        XCTAssertEqual(action(.down, state), .moveDown)
        XCTAssertEqual(action(.tab, state), .none)
        XCTAssertEqual(action(.resize, state), .resize)
    }

    func testHelpClosesOnAnyKeyButQuit() {
        var state = DashboardState()
        state.isHelpShown = true
        XCTAssertEqual(action(.character("q"), state), .quit)
        XCTAssertEqual(action(.character("x"), state), .toggleHelp)
        XCTAssertEqual(action(.escape, state), .toggleHelp)
        XCTAssertEqual(action(.none, state), .none)
    }

    func testDetailView() {
        var state = DashboardState()
        state.detailEventID = 3
        XCTAssertEqual(action(.escape, state), .back)
        XCTAssertEqual(action(.enter, state), .back)
        XCTAssertEqual(action(.backspace, state), .back)
        XCTAssertEqual(action(.character("j"), state), .moveDown)
        XCTAssertEqual(action(.character("d"), state), .none)
        XCTAssertEqual(action(.tab, state), .none)
        XCTAssertEqual(action(.character("q"), state), .quit)
    }

    func testEveryKeyLineEntryIsInTheHelp() {
        let help = KeyMap.help(glyphs: .unicode).map(\.keys).joined(separator: " ")
        for item in KeyMap.keyLine { XCTAssertTrue(help.contains(item.key.replacingOccurrences(of: "j/k", with: "j k")), item.key) }
    }
}
