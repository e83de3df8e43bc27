import FluxDispatchCore
import XCTest

final class TerminalTextTests: XCTestCase {
    func testPlainTextInAnyScriptIsUnchanged() {
        for text in ["dialogporten at23", "Ærøskøbing 漢字 café 😀", "tab-free, line-free: ~!@#$%^&*()"] {
            XCTAssertEqual(TerminalText.printable(text), text)
        }
    }

    func testCharactersATerminalActsOnAreShownEscaped() {
        // An escape sequence that would clear the screen, a window title, a bell.
        XCTAssertEqual(TerminalText.printable("a\u{1B}[2Jb"), "a\\u{1B}[2Jb")
        XCTAssertEqual(TerminalText.printable("\u{1B}]0;owned\u{07}"), "\\u{1B}]0;owned\\u{7}")
        // C1's CSI and DEL, a right-to-left override, a zero-width space and U+2028.
        XCTAssertEqual(TerminalText.printable("x\u{9B}31m\u{7F}"), "x\\u{9B}31m\\u{7F}")
        XCTAssertEqual(TerminalText.printable("prod\u{202E}uct"), "prod\\u{202E}uct")
        XCTAssertEqual(TerminalText.printable("a\u{200B}b\u{2028}c"), "a\\u{200B}b\\u{2028}c")
        XCTAssertEqual(TerminalText.printable("nul\u{0}"), "nul\\u{0}")
    }

    func testLineBreaksBecomeSpacesUnlessKept() {
        XCTAssertEqual(TerminalText.printable("first\nsecond\r\tthird"), "first second  third")
        XCTAssertEqual(TerminalText.printable("first\nsecond\r\tthird", keepingLineBreaks: true), "first\nsecond \tthird")
    }

    func testWhatIsActedOn() {
        for scalar: Unicode.Scalar in ["\u{0}", "\u{1B}", "\u{7F}", "\u{85}", "\u{9B}", "\u{200E}", "\u{2029}", "\u{FEFF}"] {
            XCTAssertTrue(TerminalText.isActedOn(scalar), "U+\(String(scalar.value, radix: 16))")
        }
        for scalar: Unicode.Scalar in [" ", "~", "é", "\u{A0}", "漢", "😀"] {
            XCTAssertFalse(TerminalText.isActedOn(scalar), "U+\(String(scalar.value, radix: 16))")
        }
    }
}
