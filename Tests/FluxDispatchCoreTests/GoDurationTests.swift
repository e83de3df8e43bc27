import FluxDispatchCore
import XCTest

final class GoDurationTests: XCTestCase {
    private func seconds(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Double? {
        do {
            return try GoDuration.parseSeconds(text)
        } catch {
            XCTFail("\(text.debugDescription) did not parse: \(error)", file: file, line: line)
            return nil
        }
    }

    private func assertRejected(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let value = try GoDuration.parseSeconds(text)
            XCTFail("\(text.debugDescription) parsed as \(value)", file: file, line: line)
        } catch {
            XCTAssertTrue(error.description.contains("\"\(text)\""), "error should quote the input: \(error)", file: file, line: line)
        }
    }

    func testWholeUnits() {
        XCTAssertEqual(seconds("24h"), 86_400)
        XCTAssertEqual(seconds("336h"), 1_209_600)
        XCTAssertEqual(seconds("90m"), 5_400)
        XCTAssertEqual(seconds("45s"), 45)
        XCTAssertEqual(seconds("1h"), 3_600)
    }

    func testCombinedUnits() {
        XCTAssertEqual(seconds("1h30m"), 5_400)
        XCTAssertEqual(seconds("2h45m30s"), 9_930)
        XCTAssertEqual(seconds("1m30s"), 90)
        XCTAssertEqual(seconds("30s1h"), 3_630, "Go accepts units in any order")
        XCTAssertEqual(seconds("1h1h"), 7_200, "Go adds repeated units")
    }

    func testFractionsAndSubSecondUnits() throws {
        XCTAssertEqual(try XCTUnwrap(seconds("1.5s")), 1.5, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(seconds("300ms")), 0.3, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(seconds(".5s")), 0.5, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(seconds("1.5h")), 5_400, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(seconds("1s500ms")), 1.5, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(seconds("250us")), 0.000_25, accuracy: 1e-15)
        XCTAssertEqual(try XCTUnwrap(seconds("250µs")), 0.000_25, accuracy: 1e-15)
        XCTAssertEqual(try XCTUnwrap(seconds("250μs")), 0.000_25, accuracy: 1e-15)
        XCTAssertEqual(try XCTUnwrap(seconds("1500ns")), 0.000_001_5, accuracy: 1e-18)
    }

    func testZero() {
        XCTAssertEqual(seconds("0"), 0)
        XCTAssertEqual(seconds("-0"), 0)
        XCTAssertEqual(seconds("+0"), 0)
        XCTAssertEqual(seconds("0s"), 0)
        XCTAssertEqual(seconds("0h0m"), 0)
    }

    func testSigns() {
        XCTAssertEqual(seconds("-1h"), -3_600)
        XCTAssertEqual(seconds("+1h"), 3_600)
        XCTAssertEqual(seconds("-1h30m"), -5_400, "the sign applies to the whole duration")
    }

    func testRejectedInputs() {
        for text in [
            "", "abc", "10", "1d", "h", "1..5s", "1.5.s", ".s", "-", "+", "1h30", "1 h", " 1h", "1h ", "1H", "1S",
            "1w", "1y", "ms", "s1", "1e3s", "--1h", "-+1h", "٣s", "1h-30m", "1.h.", "inf", "nan", "0x10s",
        ] {
            assertRejected(text)
        }
    }

    func testMissingAndUnknownUnitsAreNamedInTheError() {
        XCTAssertThrowsError(try GoDuration.parseSeconds("10")) { error in
            XCTAssertTrue("\(error)".contains("missing unit"), "\(error)")
        }
        XCTAssertThrowsError(try GoDuration.parseSeconds("1d")) { error in
            XCTAssertTrue("\(error)".contains("\"d\""), "\(error)")
        }
    }

    func testOutOfRangeForGo() {
        // Go's time.Duration tops out at about 2562047h.
        assertRejected("3000000h")
        XCTAssertEqual(seconds("2562047h"), 2_562_047 * 3_600)
    }

    func testParseAsDuration() throws {
        XCTAssertEqual(try GoDuration.parse("1h30m"), .seconds(5_400))
        XCTAssertEqual(try GoDuration.parse("300ms"), .milliseconds(300))
        XCTAssertEqual(try GoDuration.parse("1.5s"), .milliseconds(1_500))
        XCTAssertEqual(try GoDuration.parse("-1h"), .seconds(-3_600))
        XCTAssertThrowsError(try GoDuration.parse("1d"))
    }

    func testFormat() {
        XCTAssertEqual(GoDuration.format(seconds: 0), "0s")
        XCTAssertEqual(GoDuration.format(seconds: 86_400), "24h0m0s")
        XCTAssertEqual(GoDuration.format(seconds: 5_400), "1h30m0s")
        XCTAssertEqual(GoDuration.format(seconds: 90), "1m30s")
        XCTAssertEqual(GoDuration.format(seconds: 45), "45s")
        XCTAssertEqual(GoDuration.format(seconds: 9_930), "2h45m30s")
        XCTAssertEqual(GoDuration.format(seconds: 3_601), "1h0m1s")
        XCTAssertEqual(GoDuration.format(seconds: 0.3), "300ms")
        XCTAssertEqual(GoDuration.format(seconds: -3_600), "-1h0m0s")
        XCTAssertEqual(GoDuration.format(seconds: 1_209_600), "336h0m0s")
    }

    func testFormatRoundTripsThroughParse() {
        for value in [1.0, 59, 60, 61, 3_599, 3_600, 5_400, 86_400, 1_209_600, 0.25] {
            let text = GoDuration.format(seconds: value)
            XCTAssertEqual(seconds(text) ?? .nan, value, accuracy: 1e-9, text)
        }
    }

    /// What `duration_ms` and the benchmarks report: both of `Duration`'s components, fractions kept.
    func testDurationInMillisecondsKeepsSecondsAndFractions() {
        XCTAssertEqual(Duration.zero.inMilliseconds, 0)
        XCTAssertEqual((Duration.seconds(2) + .microseconds(500)).inMilliseconds, 2000.5, accuracy: 1e-9)
        XCTAssertEqual(Duration.nanoseconds(7).inMilliseconds, 0.000007, accuracy: 1e-12)
        XCTAssertEqual(Duration.milliseconds(-1500).inMilliseconds, -1500, accuracy: 1e-9)
    }
}
