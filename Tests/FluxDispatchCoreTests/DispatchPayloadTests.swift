import FluxDispatchCore
import Foundation
import XCTest

final class DispatchPayloadTests: XCTestCase {
    private func json(_ payload: DispatchPayload) throws -> [String: Any] {
        let data = try JSONEncoder().encode(payload)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func clientPayload(_ payload: DispatchPayload) throws -> [String: Any] {
        try XCTUnwrap(try json(payload)["client_payload"] as? [String: Any])
    }

    func testTopLevelKeys() throws {
        let object = try json(DispatchPayload(event: Fixtures.event(), eventType: "flux-deploy"))
        XCTAssertEqual(Set(object.keys), ["event_type", "client_payload"])
        XCTAssertEqual(object["event_type"] as? String, "flux-deploy")
    }

    func testClientPayloadHasExactlyTheSevenKeys() throws {
        let client = try clientPayload(DispatchPayload(event: Fixtures.event(), eventType: "flux-deploy"))
        XCTAssertEqual(
            Set(client.keys),
            ["product", "environment", "commit_sha", "revision", "kustomization_name", "reason", "message"])
        for (key, value) in client {
            XCTAssertTrue(value is String, "\(key) should be a string")
        }
    }

    func testClientPayloadValuesFromTheSpecExample() throws {
        let event = try FluxEvent.parse(Array(Fixtures.specExampleBody.utf8))
        let client = try clientPayload(DispatchPayload(event: event, eventType: "flux-deploy"))
        XCTAssertEqual(client["product"] as? String, "dialogporten")
        XCTAssertEqual(client["environment"] as? String, "at23")
        XCTAssertEqual(client["commit_sha"] as? String, "abc1234def5678")
        XCTAssertEqual(client["revision"] as? String, "at23@sha256:aabbccdd", "the full Flux revision, not the digest")
        XCTAssertEqual(client["kustomization_name"] as? String, "dialogporten-apps")
        XCTAssertEqual(client["reason"] as? String, "ReconciliationSucceeded")
        XCTAssertEqual(client["message"] as? String, "Applied revision at23@sha256:aabb")
    }

    func testEventTypeIsTheOneGivenNotTheMetadataOne() throws {
        let payload = DispatchPayload(event: Fixtures.event(dispatchEvent: "ignored-here"), eventType: "flux-deploy-failed")
        XCTAssertEqual(payload.event_type, "flux-deploy-failed")
        XCTAssertEqual(try json(payload)["event_type"] as? String, "flux-deploy-failed")
    }

    func testCommitSHAIsTheLastSegmentOfTheOriginRevision() {
        XCTAssertEqual(
            DispatchPayload(event: Fixtures.event(originRevision: "feature/x/abc"), eventType: "e").client_payload.commit_sha, "abc")
        XCTAssertEqual(DispatchPayload(event: Fixtures.event(originRevision: nil), eventType: "e").client_payload.commit_sha, "")
    }

    func testMissingFieldsAreEmptyStringsNotAbsentKeys() throws {
        let payload = DispatchPayload(event: FluxEvent(reason: "BuildFailed"), eventType: "flux-deploy-failed")
        let client = try clientPayload(payload)
        XCTAssertEqual(client.count, 7)
        for key in ["product", "environment", "commit_sha", "revision", "kustomization_name", "message"] {
            XCTAssertEqual(client[key] as? String, "", key)
        }
        XCTAssertEqual(client["reason"] as? String, "BuildFailed")
    }

    func testLongMessageIsCutTo1024Characters() throws {
        let message = String(repeating: "x", count: 5_000)
        let payload = DispatchPayload(event: Fixtures.event(message: message), eventType: "flux-deploy")
        XCTAssertEqual(payload.client_payload.message.count, 1_024)
        XCTAssertEqual(payload.client_payload.message, String(repeating: "x", count: 1_024))
        XCTAssertEqual((try clientPayload(payload)["message"] as? String)?.count, 1_024)
        XCTAssertEqual(DispatchPayload.maxMessageCharacters, 1_024)
    }

    func testMessageIsCutByCharactersNotBytes() throws {
        let message = String(repeating: "é", count: 5_000)
        let cut = DispatchPayload(event: Fixtures.event(message: message), eventType: "flux-deploy").client_payload.message
        XCTAssertEqual(cut.count, 1_024)
        XCTAssertEqual(cut.utf8.count, 2_048)
        XCTAssertEqual(cut, String(repeating: "é", count: 1_024))

        let emoji = String(repeating: "👩‍👩‍👧", count: 2_000)  // one character, several scalars each
        let emojiCut = DispatchPayload(event: Fixtures.event(message: emoji), eventType: "e").client_payload.message
        XCTAssertEqual(emojiCut.count, 1_024)
        XCTAssertTrue(emoji.hasPrefix(emojiCut))

        // A combining sequence is one character and is not split.
        let combining = String(repeating: "a", count: 1_023) + "e\u{301}" + "tail"
        let combiningCut = DispatchPayload(event: Fixtures.event(message: combining), eventType: "e").client_payload.message
        XCTAssertEqual(combiningCut.count, 1_024)
        XCTAssertTrue(combiningCut.hasSuffix("e\u{301}"))
    }

    func testMessagesAtOrBelowTheLimitAreKept() {
        for count in [0, 1, 1_023, 1_024] {
            let message = String(repeating: "m", count: count)
            XCTAssertEqual(
                DispatchPayload(event: Fixtures.event(message: message), eventType: "e").client_payload.message, message)
        }
        XCTAssertEqual(
            DispatchPayload(event: Fixtures.event(message: String(repeating: "m", count: 1_025)), eventType: "e")
                .client_payload.message.count, 1_024)
    }

    func testRoundTripsThroughCodable() throws {
        let payload = DispatchPayload(event: Fixtures.event(message: "line 1\n\"quoted\" ✓"), eventType: "flux-deploy")
        let decoded = try JSONDecoder().decode(DispatchPayload.self, from: JSONEncoder().encode(payload))
        XCTAssertEqual(decoded, payload)
        XCTAssertEqual(decoded.client_payload.message, "line 1\n\"quoted\" ✓")
    }

    func testTheHandWrittenBodyIsWhatJSONEncoderWouldSend() throws {
        let messages = [
            "Applied revision at23@sha256:aabb", "quote \" backslash \\ slash / tab \t newline \n cr \r",
            "controls \u{00}\u{01}\u{08}\u{0C}\u{1F} del \u{7F}", "blå ✓ 🚀 e\u{301}", "",
        ]
        for message in messages {
            let payload = DispatchPayload(event: Fixtures.event(message: message), eventType: "flux-deploy")
            // Same value as JSONEncoder's body, and the same text as its sorted-keys form once both
            // are read back (they may spell an escape differently: \u0008 against \b).
            XCTAssertEqual(try JSONDecoder().decode(DispatchPayload.self, from: Data(payload.json)), payload, message)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let reference = try JSONSerialization.jsonObject(with: encoder.encode(payload)) as? NSDictionary
            XCTAssertEqual(try JSONSerialization.jsonObject(with: Data(payload.json)) as? NSDictionary, reference, message)
        }
        let plain = DispatchPayload(event: Fixtures.event(message: "ok"), eventType: "flux-deploy")
        let text = String(decoding: plain.json, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix(#"{"client_payload":{"commit_sha":"#), text)
        XCTAssertTrue(text.hasSuffix(#"},"event_type":"flux-deploy"}"#), text)
        XCTAssertFalse(text.contains(" "), "compact: \(text)")
    }
}
