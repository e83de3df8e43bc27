import FluxDispatchCore
import Foundation
import XCTest

/// Signed but hostile bodies over real HTTP: each gets a well-defined answer, and the receiver is
/// healthy after it (answers `/healthz` and handles the next normal event).
final class HostileInputTests: XCTestCase {
    var harness: ReceiverHarness!

    override func setUp() async throws {
        harness = try ReceiverHarness()
        try await harness.start()
    }

    override func tearDown() async throws {
        await harness.stop()
        // XCTest on Linux keeps every test case object until the process exits: let the receiver go.
        harness = nil
    }

    func assertHealthyAfter(_ what: String, file: StaticString = #filePath, line: UInt = #line) async throws {
        let health = try await harness.get(harness.healthURL + "/healthz")
        XCTAssertEqual(health.status, 200, "healthz after \(what)", file: file, line: line)
        var event = FluxEventBody()
        event.digest = "after-\(UUID().uuidString.prefix(8))"
        let answer = try await harness.post(event.json)
        XCTAssertEqual(answer.outcome, "dispatched", "a normal event after \(what)", file: file, line: line)
    }

    /// A Flux event with `extra` spliced in as more top-level fields.
    func event(extra: String) -> String {
        var json = FluxEventBody().json
        json.removeLast()
        return json + "," + extra + "}"
    }

    func testTenThousandNestedArraysAreInvalidPayload() async throws {
        let nested = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let answer = try await harness.post(event(extra: "\"x\":\(nested)"))
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.outcome, "invalid_payload")
        let unbalanced = try await harness.post(String(repeating: "[", count: 10_000))
        XCTAssertEqual(unbalanced.outcome, "invalid_payload")
        try await assertHealthyAfter("10,000 nested arrays")
    }

    func testMetadataKeysUpToTheCapAreHandledAndOneMebibyteIs413() async throws {
        // As many extra metadata keys as fit under the 64 KiB cap (about 4,000).
        var body = FluxEventBody().json
        let marker = "\"metadata\":{"
        let range = try XCTUnwrap(body.range(of: marker))
        var keys = ""
        var n = 0
        while body.utf8.count + keys.utf8.count < 64 * 1024 - 40 {
            keys += "\"k\(n)\":\"v\(n)\","
            n += 1
        }
        body.insert(contentsOf: keys, at: range.upperBound)
        XCTAssertLessThanOrEqual(body.utf8.count, 64 * 1024)
        let answer = try await harness.post(body)
        XCTAssertEqual(answer.outcome, "dispatched", "\(n) metadata keys inside the cap")

        // 1 MiB of them: refused by size before anything is parsed.
        let huge = "{\"metadata\":{" + (0..<90_000).map { "\"k\($0)\":\"v\"" }.joined(separator: ",") + "}}"
        XCTAssertGreaterThan(huge.utf8.count, 1 << 20)
        let refused = try await harness.post(huge)
        XCTAssertEqual(refused.status, 413)
        try await assertHealthyAfter("1 MiB of metadata keys")
    }

    func testInvalidUTF8IsInvalidPayload() async throws {
        var bytes = Array(event(extra: "\"x\":\"").utf8)
        bytes.removeLast()  // the closing brace
        bytes += [0xFF, 0xFE, 0xC3, 0x28, 0xED, 0xA0, 0x80] + Array("\"}".utf8)
        let answer = try await harness.post(bytes: bytes)
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.outcome, "invalid_payload")
        try await assertHealthyAfter("invalid UTF-8")
    }

    func testDuplicateKeysHaveOneDefinedMeaning() async throws {
        // The last occurrence counts, as in the reference Go service (README, "How an event is read").
        let body = event(extra: "\"reason\":\"BuildFailed\"")
        XCTAssertTrue(body.contains("\"reason\":\"ReconciliationSucceeded\""))
        let failure = try await harness.post(body)
        XCTAssertEqual(failure.status, 200)
        XCTAssertEqual(failure.outcome, "reason_not_routed", "the failure reason, given last, counts")
        let success = try await harness.post(event(extra: "\"reason\":\"BuildFailed\",\"reason\":\"ReconciliationSucceeded\""))
        XCTAssertEqual(success.outcome, "dispatched")
        XCTAssertEqual(harness.github.dispatches.last?.clientPayload["reason"], "ReconciliationSucceeded")
        try await assertHealthyAfter("duplicate keys")
    }

    func testNumbersWhereStringsBelongAreInvalidPayload() async throws {
        for (field, value) in [("reason", "42"), ("message", "1e999"), ("metadata", "{\"dispatch_repo\":7}"), ("involvedObject", "[1]")] {
            var json = FluxEventBody().json
            json = json.replacingOccurrences(of: "\"\(field)\":", with: "\"replaced_\(field)\":")
            json.removeLast()
            json += ",\"\(field)\":\(value)}"
            let answer = try await harness.post(json)
            XCTAssertEqual(answer.status, 200, field)
            XCTAssertEqual(answer.outcome, "invalid_payload", "\(field): \(value)")
        }
        try await assertHealthyAfter("numbers where strings belong")
    }

    func testEmptyNullAndNonObjectBodiesAreInvalidPayload() async throws {
        for body in ["", "null", "[]", "\"event\"", "{", "{}}"] {
            let answer = try await harness.post(body)
            XCTAssertEqual(answer.status, 200, body)
            XCTAssertEqual(answer.outcome, "invalid_payload", body)
        }
        try await assertHealthyAfter("empty and non-object bodies")
    }
}
