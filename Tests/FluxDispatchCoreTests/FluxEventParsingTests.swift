import FluxDispatchCore
import Foundation
import XCTest

final class FluxEventParsingTests: XCTestCase {
    private func parse(_ text: String) throws -> FluxEvent {
        try FluxEvent.parse(Array(text.utf8))
    }

    /// The parse error for `bytes`, or a test failure if it parsed.
    private func parseError(
        _ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line
    ) -> FluxEventParseError? {
        do {
            let event = try FluxEvent.parse(bytes)
            XCTFail("expected a parse error, got \(event)", file: file, line: line)
            return nil
        } catch {
            XCTAssertFalse(error.description.isEmpty, "the error should say what is wrong", file: file, line: line)
            return error
        }
    }

    private func parseError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> FluxEventParseError? {
        parseError(Array(text.utf8), file: file, line: line)
    }

    // MARK: - Well-formed events

    func testSpecExampleParses() throws {
        let event = try parse(Fixtures.specExampleBody)
        XCTAssertEqual(event.product, "dialogporten")
        XCTAssertEqual(event.environment, "at23")
        XCTAssertEqual(event.revision, "at23@sha256:aabbccdd")
        XCTAssertEqual(event.originRevision, "main/abc1234def5678")
        XCTAssertEqual(event.reason, "ReconciliationSucceeded")
        XCTAssertEqual(event.severity, "info")
        XCTAssertEqual(event.message, "Applied revision at23@sha256:aabb")
        XCTAssertEqual(event.timestamp, "2026-03-05T12:00:00Z")
        XCTAssertEqual(event.reportingController, "kustomize-controller")
        XCTAssertEqual(
            event.involvedObject,
            FluxEvent.InvolvedObject(kind: "Kustomization", name: "dialogporten-apps", namespace: "product-dialogporten"))
        XCTAssertEqual(event.metadata[FluxEvent.MetadataKey.dispatchRepository], "Altinn/dialogporten")
        XCTAssertEqual(event.metadata[FluxEvent.MetadataKey.dispatchEventType], "flux-deploy")
        XCTAssertEqual(event.metadata.count, 6)
    }

    func testSpecExampleEqualsTheEventBuiltInCode() throws {
        XCTAssertEqual(try parse(Fixtures.specExampleBody), Fixtures.event())
    }

    func testParsesFromAnyByteCollection() throws {
        let bytes = Array(Fixtures.specExampleBody.utf8)
        XCTAssertEqual(try FluxEvent.parse(Data(bytes)), try FluxEvent.parse(bytes))
        XCTAssertEqual(try FluxEvent.parse(bytes[...]).product, "dialogporten")
    }

    func testUnknownFieldsAreIgnored() throws {
        let event = try parse(#"""
            {"reason": "ReconciliationSucceeded", "apiVersion": "v1", "extra": {"deep": [1, 2, {"x": null}]},
             "involvedObject": {"kind": "Kustomization", "name": "n", "uid": "1234", "resourceVersion": 7},
             "metadata": {"product": "p"}, "count": 3, "flag": true}
            """#)
        XCTAssertEqual(event.reason, "ReconciliationSucceeded")
        XCTAssertEqual(event.involvedObject.name, "n")
        XCTAssertEqual(event.involvedObject.kind, "Kustomization")
        XCTAssertEqual(event.product, "p")
    }

    func testMissingFieldsDefaultToEmpty() throws {
        let event = try parse("{}")
        XCTAssertEqual(event, FluxEvent())
        XCTAssertEqual(event.reason, "")
        XCTAssertEqual(event.message, "")
        XCTAssertEqual(event.severity, "")
        XCTAssertEqual(event.timestamp, "")
        XCTAssertEqual(event.reportingController, "")
        XCTAssertEqual(event.metadata, [:])
        XCTAssertEqual(event.involvedObject, .init(kind: "", name: "", namespace: ""))
        XCTAssertEqual(event.product, "")
        XCTAssertEqual(event.environment, "")
        XCTAssertEqual(event.revision, "")
        XCTAssertEqual(event.originRevision, "")
    }

    func testMissingInvolvedObjectFieldsDefaultToEmpty() throws {
        let event = try parse(#"{"involvedObject": {"name": "apps"}, "reason": "BuildFailed"}"#)
        XCTAssertEqual(event.involvedObject, .init(kind: "", name: "apps", namespace: ""))
        XCTAssertEqual(event.reason, "BuildFailed")
    }

    func testNullValuesCountAsMissing() throws {
        // Go's json.Unmarshal leaves a field alone for null; so do we.
        let event = try parse(#"{"reason": null, "metadata": null, "involvedObject": null, "message": "m"}"#)
        XCTAssertEqual(event.reason, "")
        XCTAssertEqual(event.metadata, [:])
        XCTAssertEqual(event.involvedObject, .init())
        XCTAssertEqual(event.message, "m")
    }

    func testNullMetadataValuesAreEmptyStrings() throws {
        // Go decodes a null map value into map[string]string as "".
        let event = try parse(#"{"reason": "BuildFailed", "metadata": {"product": null, "env": "at23"}}"#)
        XCTAssertEqual(event.metadata, ["product": "", "env": "at23"])
    }

    func testLeadingAndTrailingWhitespaceIsAccepted() throws {
        let event = try parse(" \n\t\r{\"reason\": \"BuildFailed\"}\n ")
        XCTAssertEqual(event.reason, "BuildFailed")
    }

    func testUnicodeAndEscapesInStringsSurvive() throws {
        let event = try parse(#"{"message": "d\u00e9ploy \"ok\" ✓\nnext", "metadata": {"product": "bl\u00e5"}}"#)
        XCTAssertEqual(event.message, "déploy \"ok\" ✓\nnext")
        XCTAssertEqual(event.product, "blå")
    }

    // MARK: - Not an object

    func testNonObjectBodiesThrow() {
        for body in ["[]", "[{\"reason\": \"ReconciliationSucceeded\"}]", "\"ReconciliationSucceeded\"", "5", "-1.5",
            "true", "null", "", "   ", "\n\t\r "]
        {
            XCTAssertNotNil(parseError(body), "body \(body.debugDescription) should not parse")
        }
    }

    func testEmptyBodyThrows() {
        XCTAssertNotNil(parseError([]))
    }

    func testMalformedJSONThrows() {
        for body in [
            "{", "{\"reason\": ", "{\"reason\": \"x\"", "{reason: \"x\"}", "{'reason': 'x'}",
            "{\"reason\": \"x\"} trailing", "{\"reason\": \"unterminated}", "{\"reason\" \"x\"}",
            "{\"reason\": \"x\"}{\"reason\": \"y\"}",
        ] {
            XCTAssertNotNil(parseError(body), "body \(body.debugDescription) should not parse")
        }
    }

    // MARK: - Wrong types

    func testNumberWhereAStringBelongsThrows() {
        for body in [
            #"{"reason": 5}"#, #"{"message": 1.5}"#, #"{"severity": true}"#, #"{"timestamp": 1741176000}"#,
            #"{"reportingController": ["kustomize-controller"]}"#, #"{"reason": {"value": "x"}}"#,
        ] {
            XCTAssertNotNil(parseError(body), "body \(body) should not parse")
        }
    }

    func testWrongTypeInMetadataThrows() {
        for body in [
            #"{"metadata": {"product": 5}}"#, #"{"metadata": {"env": true}}"#, #"{"metadata": {"x": {"y": "z"}}}"#,
            #"{"metadata": ["product", "p"]}"#, #"{"metadata": "product=p"}"#,
        ] {
            XCTAssertNotNil(parseError(body), "body \(body) should not parse")
        }
    }

    func testWrongTypeInInvolvedObjectThrows() {
        for body in [
            #"{"involvedObject": "Kustomization/apps"}"#, #"{"involvedObject": {"name": 5}}"#,
            #"{"involvedObject": [{"name": "apps"}]}"#,
        ] {
            XCTAssertNotNil(parseError(body), "body \(body) should not parse")
        }
    }

    // MARK: - Hostile input

    func testTenThousandOpenArraysThrowWithoutCrashing() {
        XCTAssertNotNil(parseError(String(repeating: "[", count: 10_000)))
        XCTAssertNotNil(parseError("{\"x\": " + String(repeating: "[", count: 10_000)))
    }

    func testTenThousandBalancedNestedArraysInAnUnknownFieldThrowWithoutCrashing() {
        // Well-formed JSON, but nested far beyond anything Flux sends: refused, without exhausting the stack.
        let nested = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        XCTAssertNotNil(parseError("{\"reason\": \"ReconciliationSucceeded\", \"x\": \(nested)}"))
        XCTAssertNotNil(parseError(nested))
    }

    func testDeeplyNestedObjectsThrowWithoutCrashing() {
        let nested = String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        XCTAssertNotNil(parseError(nested))
    }

    func testModeratelyNestedUnknownFieldsStillParse() throws {
        let nested = String(repeating: "[", count: 50) + String(repeating: "]", count: 50)
        XCTAssertEqual(try parse("{\"x\": \(nested), \"reason\": \"BuildFailed\"}").reason, "BuildFailed")
    }

    func testInvalidUTF8InAnIgnoredFieldAlsoThrows() {
        var bytes = Array("{\"reason\": \"ReconciliationSucceeded\", \"unknown\": \"".utf8)
        bytes += [0xC3, 0x28] + Array("\"}".utf8)
        XCTAssertEqual(parseError(bytes)?.description, "body is not valid UTF-8")
    }

    func testInvalidUTF8Throws() {
        let prefix = Array("{\"reason\": \"Reconciliation".utf8)
        let suffix = Array("Succeeded\"}".utf8)
        // A stray byte, a truncated sequence, a UTF-16 surrogate, an overlong encoding, a 5-byte form.
        for bad: [UInt8] in [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF8, 0x88, 0x80, 0x80, 0x80]] {
            XCTAssertNotNil(parseError(prefix + bad + suffix), "bytes \(bad)")
        }
        XCTAssertNotNil(parseError([0xFF, 0xFE, 0x7B, 0x7D]))
    }

    func testLoneSurrogateEscapeThrows() {
        XCTAssertNotNil(parseError(#"{"reason": "\ud800"}"#))
    }

    func testNULAndControlBytesDoNotCrash() {
        XCTAssertNotNil(parseError([0x00]))
        XCTAssertNotNil(parseError([0x7B, 0x00, 0x7D]))
        // A raw control character inside a string is not valid JSON.
        XCTAssertNotNil(parseError(Array("{\"reason\": \"a\u{01}b\"}".utf8)))
    }
}
