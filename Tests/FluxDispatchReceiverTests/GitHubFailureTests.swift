import FluxDispatchCore
import FluxDispatchStore
import Foundation
import GitHubStandIn
import XCTest

/// The return-code contract when GitHub misbehaves: 2xx when retrying cannot help, 502 when it can.
final class GitHubFailureTests: XCTestCase {
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

    /// Concurrent dispatches each get a connection, as with Go's client, instead of queueing
    /// behind AsyncHTTPClient's default of 8 per host (over HTTP/1; GitHub itself speaks HTTP/2).
    func testConcurrentDispatchesAreNotQueuedBehindEightConnections() async throws {
        let harness = self.harness!
        harness.github.setDefaultBehaviour(.init(delay: .seconds(2)))
        let answers = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<24 {
                let body = FluxEventBody(digest: "concurrent\(i)").json
                group.addTask { try await harness.post(body).outcome }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        XCTAssertEqual(answers, Array(repeating: "dispatched", count: 24))
        XCTAssertGreaterThan(harness.github.mostDispatchesInFlight, 16, "dispatches in flight at GitHub at once")
    }

    func testGitHub500Is502WithErrorMetricAndNoDedupEntry() async throws {
        harness.github.setBehaviour(.serverError, for: "Altinn/dialogporten")
        let body = FluxEventBody().json
        let first = try await harness.post(body)
        XCTAssertEqual(first.status, 502)
        XCTAssertEqual(first.outcome, "dispatch_unavailable")
        let errors = try await harness.metric(
            "flux_dispatch_dispatch_errors_total", ["repo": "Altinn/dialogporten", "event_type": "flux-deploy", "error_code": "500"])
        XCTAssertEqual(errors, 1)
        XCTAssertEqual(try harness.openStore().dedupEntryCount(), 0)
        // No dedup entry: the same event is tried again, not suppressed.
        let second = try await harness.post(body)
        XCTAssertEqual(second.outcome, "dispatch_unavailable")
        let durations = try await harness.metric("flux_dispatch_dispatch_duration_seconds_count", ["repo": "Altinn/dialogporten"])
        XCTAssertEqual(durations, 2)
    }

    func testGitHub404Is200RejectedWithErrorMetricAndNoDedupEntry() async throws {
        harness.github.setBehaviour(.notInstalled, for: "Altinn/dialogporten")
        let body = FluxEventBody().json
        let answer = try await harness.post(body)
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.outcome, "dispatch_rejected")
        XCTAssertTrue(answer.detail.contains("404"), answer.detail)
        let errors = try await harness.metric(
            "flux_dispatch_dispatch_errors_total", ["repo": "Altinn/dialogporten", "event_type": "flux-deploy", "error_code": "404"])
        XCTAssertEqual(errors, 1)
        XCTAssertEqual(try harness.openStore().dedupEntryCount(), 0)
        let again = try await harness.post(body)
        XCTAssertEqual(again.outcome, "dispatch_rejected")
    }

    func testRateLimitingIsTransient() async throws {
        harness.github.script(
            [
                .init(status: 429, message: "slow down"),
                .init(status: 403, headers: ["Retry-After": "30"], message: "secondary rate limit"),
                .init(status: 403, headers: ["x-ratelimit-remaining": "0"], message: "API rate limit exceeded"),
                .init(status: 403, message: "Resource not accessible by integration"),
            ], for: "Altinn/dialogporten")
        var statuses: [Int] = []
        var outcomes: [String] = []
        for i in 0..<4 {
            let answer = try await harness.post(FluxEventBody(digest: "rl\(i)").json)
            statuses.append(answer.status)
            outcomes.append(answer.outcome)
        }
        XCTAssertEqual(statuses, [502, 502, 502, 200])
        XCTAssertEqual(outcomes, ["dispatch_unavailable", "dispatch_unavailable", "dispatch_unavailable", "dispatch_rejected"])
    }

    func testRetryAfterATransientFailureSucceeds() async throws {
        harness.github.script([.serverError], for: "Altinn/dialogporten")
        let body = FluxEventBody().json
        let first = try await harness.post(body)
        XCTAssertEqual(first.status, 502)
        // Flux retries the same event.
        let retry = try await harness.post(body)
        XCTAssertEqual(retry.status, 200)
        XCTAssertEqual(retry.outcome, "dispatched")
        XCTAssertEqual(harness.github.dispatches.count, 1)
        let third = try await harness.post(body)
        XCTAssertEqual(third.outcome, "duplicate")
    }

    func testTokenEndpoint401Is502AuthFailedWithoutDurationSample() async throws {
        harness.github.setTokenStatus(401)
        let answer = try await harness.post(FluxEventBody().json)
        XCTAssertEqual(answer.status, 502)
        XCTAssertEqual(answer.outcome, "github_auth_failed")
        let authErrors = try await harness.metric("flux_dispatch_github_auth_errors_total")
        XCTAssertEqual(authErrors, 1)
        let errors = try await harness.metric(
            "flux_dispatch_dispatch_errors_total", ["repo": "Altinn/dialogporten", "event_type": "flux-deploy", "error_code": "auth"])
        XCTAssertEqual(errors, 1)
        let durations = try await harness.metric("flux_dispatch_dispatch_duration_seconds_count", ["repo": "Altinn/dialogporten"])
        XCTAssertNil(durations)
        XCTAssertTrue(harness.github.dispatches.isEmpty)
        XCTAssertEqual(try harness.openStore().dedupEntryCount(), 0)

        // Once the App works again, Flux's retry goes through.
        harness.github.setTokenStatus(201)
        let retry = try await harness.post(FluxEventBody().json)
        XCTAssertEqual(retry.outcome, "dispatched")
    }

    func testTokenIsReusedAndRefreshedWhenLessThanFiveMinutesRemain() async throws {
        _ = try await harness.post(FluxEventBody(digest: "t1").json)
        _ = try await harness.post(FluxEventBody(digest: "t2").json)
        XCTAssertEqual(harness.github.tokensMinted, 1)
        // Tokens that expire within five minutes are refreshed on the next dispatch.
        harness.github.setTokenLifetime(240)
        try await harness.stopReceiver()
        try await harness.start()
        _ = try await harness.post(FluxEventBody(digest: "t3").json)
        _ = try await harness.post(FluxEventBody(digest: "t4").json)
        XCTAssertEqual(harness.github.tokensMinted, 3)
    }

    func testAlivenessOfAllSevenMetricFamilies() async throws {
        harness.github.setBehaviour(.notInstalled, for: "Altinn/not-installed")
        _ = try await harness.post(FluxEventBody().json)
        _ = try await harness.post(FluxEventBody().json)
        _ = try await harness.post(FluxEventBody(repo: "Altinn/not-installed").json)
        let text = try await harness.get(harness.metricsURL).body
        for family in [
            "flux_dispatch_events_received_total", "flux_dispatch_dispatches_total", "flux_dispatch_dispatch_errors_total",
            "flux_dispatch_dedup_hits_total", "flux_dispatch_dedup_entries", "flux_dispatch_github_auth_errors_total",
            "flux_dispatch_dispatch_duration_seconds",
        ] {
            XCTAssertTrue(text.contains("# TYPE \(family) "), "missing family \(family)")
        }
        let received = try await harness.metric("flux_dispatch_events_received_total", ["reason": "ReconciliationSucceeded"])
        XCTAssertEqual(received, 3)
    }
}
