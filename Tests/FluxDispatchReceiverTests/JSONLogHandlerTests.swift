import FluxDispatchReceiver
import Foundation
import Logging
import XCTest

final class JSONLogHandlerTests: XCTestCase {
    func testEachLineIsOneJSONObjectWithTypedFields() throws {
        let output = LogOutput.memory()
        let logger = Logger(label: "test") { label in JSONLogHandler(label: label, level: .info, output: output) }
        logger.info(
            "event handled",
            metadata: [
                "product": "dialog\"porten\n", "detail": "tab\there\\ bell\u{07} å ✓", "duration_ms": .stringConvertible(2.5), "github_status": .stringConvertible(404),
                "dry_run": .stringConvertible(true), "outcome": "dispatched", "env": "123",
            ])
        logger.debug("not shown at info")
        logger.warning("careful")
        XCTAssertEqual(output.lines.count, 2)
        let line = try XCTUnwrap(output.lines.first)
        XCTAssertTrue(line.hasSuffix("}\n"))
        XCTAssertEqual(line.filter { $0 == "\n" }.count, 1, "one line per entry, newlines escaped")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(object["level"] as? String, "info")
        XCTAssertEqual(object["msg"] as? String, "event handled")
        XCTAssertEqual(object["product"] as? String, "dialog\"porten\n")
        XCTAssertEqual(object["detail"] as? String, "tab\there\\ bell\u{07} å ✓")
        XCTAssertTrue(line.contains(#""detail":"tab\there\\ bell\u0007 å ✓""#), line)
        XCTAssertEqual(object["duration_ms"] as? Double, 2.5)
        XCTAssertEqual(object["github_status"] as? Int, 404)
        XCTAssertEqual(object["dry_run"] as? Bool, true)
        XCTAssertEqual(object["env"] as? String, "123", "strings stay strings even when they look like numbers")
        let time = try XCTUnwrap(object["time"] as? String)
        XCTAssertNotNil(ISO8601DateFormatter.withFractionalSeconds.date(from: time), time)
        let warning = try JSONSerialization.jsonObject(with: Data(output.lines[1].utf8)) as? [String: Any]
        XCTAssertEqual(warning?["level"] as? String, "warn")
    }
}

extension ISO8601DateFormatter {
    static var withFractionalSeconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
