import FluxDispatchCore
import FluxDispatchStore
import Foundation
import GitHubStandIn
import XCTest

/// SPEC §1 steps 2–8 over real HTTP on 127.0.0.1, against the stand-in GitHub.
final class ReceiverContractTests: XCTestCase {
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

    func testSuccessIsDispatchedWithTheSevenFieldPayload() async throws {
        let event = FluxEventBody(origin: "feature/x/abc1234", message: "Applied revision at23@sha256:aabbccdd")
        let answer = try await harness.post(event.json)
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.outcome, "dispatched")

        let dispatches = harness.github.dispatches
        XCTAssertEqual(dispatches.count, 1)
        let dispatch = try XCTUnwrap(dispatches.first)
        XCTAssertEqual(dispatch.repository, "Altinn/dialogporten")
        XCTAssertEqual(dispatch.eventType, "flux-deploy")
        XCTAssertEqual(
            dispatch.clientPayload,
            [
                "product": "dialogporten", "environment": "at23", "commit_sha": "abc1234",
                "revision": "at23@sha256:aabbccdd", "kustomization_name": "dialogporten-apps",
                "reason": "ReconciliationSucceeded", "message": "Applied revision at23@sha256:aabbccdd",
            ])
        XCTAssertTrue(dispatch.authorization.hasPrefix("Bearer ghs_standin_"))
        XCTAssertEqual(dispatch.headers["accept"], "application/vnd.github+json")
        XCTAssertEqual(dispatch.headers["x-github-api-version"], "2022-11-28")
        XCTAssertTrue(dispatch.headers["user-agent"]?.hasPrefix("flux-dispatch/") ?? false)
        let object = try JSONSerialization.jsonObject(with: Data(dispatch.body.utf8)) as? [String: Any]
        XCTAssertEqual(Set((object?["client_payload"] as? [String: Any])?.keys ?? [:].keys), [
            "product", "environment", "commit_sha", "revision", "kustomization_name", "reason", "message",
        ])
        let dispatched = try await harness.metric(
            "flux_dispatch_dispatches_total",
            ["repo": "Altinn/dialogporten", "event_type": "flux-deploy", "reason": "ReconciliationSucceeded"])
        XCTAssertEqual(dispatched, 1)
    }

    func testFailureIsRoutedToAFailedEventType() async throws {
        let answer = try await harness.post(
            FluxEventBody(reason: "ReconciliationFailed", eventType: "flux-deploy-failed", message: "kustomize build failed").json)
        XCTAssertEqual(answer.outcome, "dispatched")
        XCTAssertEqual(harness.github.dispatches.map(\.eventType), ["flux-deploy-failed"])
        XCTAssertEqual(harness.github.dispatches.first?.clientPayload["reason"], "ReconciliationFailed")
    }

    func testHealthCheckFailedIsAFailureReason() async throws {
        let answer = try await harness.post(
            FluxEventBody(reason: "HealthCheckFailed", eventType: "flux-deploy-failed", message: "timeout waiting for Deployment").json)
        XCTAssertEqual(answer.outcome, "dispatched")
        XCTAssertEqual(harness.github.dispatches.first?.clientPayload["reason"], "HealthCheckFailed")
    }

    func testFailureThroughASuccessRouteAndSuccessThroughAFailedRouteAreNotDispatched() async throws {
        let failure = try await harness.post(FluxEventBody(reason: "BuildFailed", eventType: "flux-deploy").json)
        XCTAssertEqual(failure.status, 200)
        XCTAssertEqual(failure.outcome, "reason_not_routed")
        let success = try await harness.post(FluxEventBody(eventType: "flux-deploy-failed").json)
        XCTAssertEqual(success.status, 200)
        XCTAssertEqual(success.outcome, "reason_not_routed")
        // Without dispatch_event the default (a success route) applies.
        let defaulted = try await harness.post(FluxEventBody(reason: "PruneFailed", eventType: nil).json)
        XCTAssertEqual(defaulted.outcome, "reason_not_routed")
        XCTAssertTrue(harness.github.dispatches.isEmpty)
    }

    func testDefaultDispatchEventIsUsedWhenTheAlertNamesNone() async throws {
        let answer = try await harness.post(FluxEventBody(eventType: nil).json)
        XCTAssertEqual(answer.outcome, "dispatched")
        XCTAssertEqual(harness.github.dispatches.map(\.eventType), ["flux-deploy"])
    }

    func testUnknownReasonIsIgnored() async throws {
        let answer = try await harness.post(FluxEventBody(reason: "Progressing").json)
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.outcome, "ignored_reason")
        XCTAssertTrue(harness.github.dispatches.isEmpty)
    }

    func testMissingForeignOrgAndDotSegmentRepositoriesAreRefused() async throws {
        let missing = try await harness.post(FluxEventBody(repo: nil).json)
        XCTAssertEqual(missing.status, 200)
        XCTAssertEqual(missing.outcome, "missing_dispatch_repo")
        let empty = try await harness.post(FluxEventBody(repo: "").json)
        XCTAssertEqual(empty.outcome, "missing_dispatch_repo")
        for repo in ["evil-org/dialogporten", "altinn/dialogporten", "Altinn/..", "Altinn/.", "../dialogporten", "Altinn/a/b", "Altinn", "Altinn/dialog porten"] {
            let answer = try await harness.post(FluxEventBody(repo: repo).json)
            XCTAssertEqual(answer.status, 200, repo)
            XCTAssertEqual(answer.outcome, "invalid_dispatch_repo", repo)
        }
        XCTAssertTrue(harness.github.dispatches.isEmpty)
    }

    func testBadAndMissingSignaturesAre401() async throws {
        let body = FluxEventBody().json
        let missing = try await harness.post(body, signed: false)
        XCTAssertEqual(missing.status, 401)
        let wrong = try await harness.post(body, signature: "sha256=" + String(repeating: "ab", count: 32))
        XCTAssertEqual(wrong.status, 401)
        let otherAlgorithm = try await harness.post(body, signature: "sha1=" + String(repeating: "ab", count: 20))
        XCTAssertEqual(otherAlgorithm.status, 401)
        let signedOther = SignatureVerifier(token: Array("another-token".utf8)).signatureHeader(for: Array(body.utf8))
        let wrongToken = try await harness.post(body, signature: signedOther)
        XCTAssertEqual(wrongToken.status, 401)
        XCTAssertTrue(harness.github.dispatches.isEmpty)
        XCTAssertEqual(try harness.openStore().eventCount(), 0)
    }

    func testUpperCaseAndBareHexSignaturesAreAccepted() async throws {
        let body = FluxEventBody(digest: "upper").json
        let header = SignatureVerifier(token: Array(ReceiverHarness.token.utf8)).signatureHeader(for: Array(body.utf8))
        let hex = String(header.dropFirst("sha256=".count))
        let upper = try await harness.post(body, signature: "sha256=" + hex.uppercased())
        XCTAssertEqual(upper.outcome, "dispatched")
        let bare = try await harness.post(FluxEventBody(digest: "bare").json, signature: String(
            SignatureVerifier(token: Array(ReceiverHarness.token.utf8)).signatureHeader(for: Array(FluxEventBody(digest: "bare").json.utf8))
                .dropFirst("sha256=".count)))
        XCTAssertEqual(bare.outcome, "dispatched")
    }

    func testMalformedJSONIsAnsweredInvalidPayloadAndNotStored() async throws {
        for body in ["{not json", "[1,2,3]", "\"a string\"", "", "{\"reason\": 5}", String(repeating: "[", count: 10_000)] {
            let answer = try await harness.post(body)
            XCTAssertEqual(answer.status, 200, body.prefix(20).description)
            XCTAssertEqual(answer.outcome, "invalid_payload", body.prefix(20).description)
        }
        XCTAssertEqual(try harness.openStore().eventCount(), 0)
    }

    func testDuplicateIsSuppressedAndCounted() async throws {
        let body = FluxEventBody().json
        let first = try await harness.post(body)
        let second = try await harness.post(body)
        XCTAssertEqual(first.outcome, "dispatched")
        XCTAssertEqual(second.status, 200)
        XCTAssertEqual(second.outcome, "duplicate")
        XCTAssertEqual(harness.github.dispatches.count, 1)
        let hits = try await harness.metric("flux_dispatch_dedup_hits_total", ["reason": "ReconciliationSucceeded"])
        XCTAssertEqual(hits, 1)
        let entries = try await harness.metric("flux_dispatch_dedup_entries")
        XCTAssertEqual(entries, 1)
    }

    func testSameDigestFailingThenSucceedingSendsBoth() async throws {
        let failed = try await harness.post(
            FluxEventBody(reason: "HealthCheckFailed", eventType: "flux-deploy-failed", digest: "same").json)
        let succeeded = try await harness.post(FluxEventBody(reason: "ReconciliationSucceeded", digest: "same").json)
        XCTAssertEqual(failed.outcome, "dispatched")
        XCTAssertEqual(succeeded.outcome, "dispatched")
        XCTAssertEqual(harness.github.dispatches.map(\.eventType), ["flux-deploy-failed", "flux-deploy"])
    }

    func testRepeatedFailureIsSentOnce() async throws {
        let body = FluxEventBody(reason: "ReconciliationFailed", eventType: "flux-deploy-failed", digest: "broken").json
        var outcomes: [String] = []
        for _ in 0..<3 { outcomes.append(try await harness.post(body).outcome) }
        XCTAssertEqual(outcomes, ["dispatched", "duplicate", "duplicate"])
        XCTAssertEqual(harness.github.dispatches.count, 1)
    }

    func testOneKustomizationToTwoRepositoriesSendsBoth() async throws {
        let a = try await harness.post(FluxEventBody(repo: "Altinn/dialogporten").json)
        let b = try await harness.post(FluxEventBody(repo: "Altinn/dialogporten-frontend").json)
        XCTAssertEqual([a.outcome, b.outcome], ["dispatched", "dispatched"])
        XCTAssertEqual(Set(harness.github.dispatches.map(\.repository)), ["Altinn/dialogporten", "Altinn/dialogporten-frontend"])
    }

    func testThreeDigestsSendThree() async throws {
        for digest in ["d1", "d2", "d3"] {
            let answer = try await harness.post(FluxEventBody(digest: digest).json)
            XCTAssertEqual(answer.outcome, "dispatched")
        }
        XCTAssertEqual(harness.github.dispatches.map { $0.clientPayload["revision"] }, [
            "at23@sha256:d1", "at23@sha256:d2", "at23@sha256:d3",
        ])
    }

    func testMessageIsCutTo1024Characters() async throws {
        let long = String(repeating: "é", count: 3000)
        let answer = try await harness.post(FluxEventBody(message: long).json)
        XCTAssertEqual(answer.outcome, "dispatched")
        XCTAssertEqual(harness.github.dispatches.first?.clientPayload["message"]?.count, 1024)
    }

    func testFortyConcurrentDistinctEventsMakeFortyDispatchesWithOneToken() async throws {
        let harness = self.harness!
        let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<40 {
                group.addTask { try await harness.post(FluxEventBody(digest: "concurrent\(i)").json).outcome }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        XCTAssertEqual(outcomes.filter { $0 == "dispatched" }.count, 40)
        XCTAssertEqual(harness.github.dispatches.count, 40)
        // Concurrent requests share one token refresh.
        XCTAssertEqual(harness.github.tokensMinted, 1)
    }

    func testConcurrentIdenticalEventsAreDispatchedOnce() async throws {
        let harness = self.harness!
        harness.github.setBehaviour(.init(status: 204, delay: .milliseconds(100)), for: "Altinn/dialogporten")
        let body = FluxEventBody(digest: "racing").json
        let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<10 { group.addTask { try await harness.post(body).outcome } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        XCTAssertEqual(outcomes.sorted(), ["dispatched"] + Array(repeating: "duplicate", count: 9))
        XCTAssertEqual(harness.github.dispatches.count, 1)
    }

    func testEventsAreRecordedWithStateAndAttempts() async throws {
        _ = try await harness.post(FluxEventBody(reason: "BuildFailed", eventType: "flux-deploy-failed", message: "kustomize build failed").json)
        _ = try await harness.post(FluxEventBody(reason: "Progressing").json)
        let store = try harness.openStore()
        XCTAssertEqual(try store.outcomeCounts(), ["dispatched": 1, "ignored_reason": 1])
        // First event: one token exchange and one dispatch recorded.
        let attempts = try store.attempts(forEvent: 1)
        XCTAssertEqual(attempts.map(\.request), [.installationToken, .dispatch])
        XCTAssertEqual(attempts.map(\.status), [201, 204])
    }
}
