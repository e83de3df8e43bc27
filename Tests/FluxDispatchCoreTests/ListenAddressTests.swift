import FluxDispatchCore
import XCTest

final class ListenAddressTests: XCTestCase {
    private func address(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ListenAddress? {
        do {
            return try ListenAddress(parsing: text)
        } catch {
            XCTFail("\(text.debugDescription) did not parse: \(error)", file: file, line: line)
            return nil
        }
    }

    private func assertRejected(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let parsed = try ListenAddress(parsing: text)
            XCTFail("\(text.debugDescription) parsed as \(parsed)", file: file, line: line)
        } catch {
            XCTAssertTrue(error.description.contains("\"\(text)\""), "error should quote the input: \(error)", file: file, line: line)
        }
    }

    func testPortOnlyListensOnEveryInterface() {
        XCTAssertEqual(address(":8080"), ListenAddress(host: "0.0.0.0", port: 8080))
        XCTAssertEqual(address(":9090"), ListenAddress(host: "0.0.0.0", port: 9090))
    }

    func testHostAndPort() {
        XCTAssertEqual(address("127.0.0.1:9090"), ListenAddress(host: "127.0.0.1", port: 9090))
        XCTAssertEqual(address("localhost:0"), ListenAddress(host: "localhost", port: 0))
        XCTAssertEqual(address("0.0.0.0:65535"), ListenAddress(host: "0.0.0.0", port: 65535))
        XCTAssertEqual(address("ops-box.example.org:80"), ListenAddress(host: "ops-box.example.org", port: 80))
    }

    func testBracketedIPv6() {
        XCTAssertEqual(address("[::1]:8080"), ListenAddress(host: "::1", port: 8080))
        XCTAssertEqual(address("[::]:9090"), ListenAddress(host: "::", port: 9090))
        XCTAssertEqual(address("[fe80::1]:1"), ListenAddress(host: "fe80::1", port: 1))
    }

    func testLeadingZerosInPort() {
        XCTAssertEqual(address(":08080"), ListenAddress(host: "0.0.0.0", port: 8080))
    }

    func testRejected() {
        for text in [
            "", "8080", "localhost", ":", ":99999", ":65536", ":-1", ":+80", "::1:8080", "::1", "fe80::1:80",
            "host:abc", "host:", "host:80a", ":8 0", ": 8080", ":８０８０", ":0x50", "[::1]", "[::1]8080",
            "[]:8080", "[::1:8080", "::1]:8080", "my host:8080", "a/b:8080", "http://x:80",
        ] {
            assertRejected(text)
        }
    }

    func testUnbracketedIPv6ErrorSuggestsBrackets() {
        XCTAssertThrowsError(try ListenAddress(parsing: "::1:8080")) { error in
            XCTAssertTrue("\(error)".contains("[::1]:8080"), "\(error)")
        }
    }

    func testDescription() {
        XCTAssertEqual(ListenAddress(host: "0.0.0.0", port: 8080).description, "0.0.0.0:8080")
        XCTAssertEqual(ListenAddress(host: "::1", port: 8080).description, "[::1]:8080")
    }

    func testDescriptionRoundTrips() {
        for text in [":8080", "127.0.0.1:9090", "[::1]:8080", "localhost:0"] {
            guard let parsed = address(text) else { continue }
            XCTAssertEqual(address(parsed.description), parsed, text)
        }
    }

    /// Found by fuzzing (Fuzz/Corpus/FuzzListenAddress/regression-nested-bracket): a bracket inside
    /// the host was taken as the host, which then could neither be bound nor printed back.
    func testBracketsInsideTheHostAreRefused() {
        for text in ["[[]:8080", "[]]:8080", "[a[b]:80", "a]:80", "[::1]]:80"] {
            XCTAssertThrowsError(try ListenAddress(parsing: text), text)
        }
        XCTAssertEqual(try ListenAddress(parsing: "[::1]:80").description, "[::1]:80")
    }
}
