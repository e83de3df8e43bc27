import FluxDispatchCore
import XCTest

final class RouteTests: XCTestCase {
    func testSuccessRoutes() {
        XCTAssertTrue(Route.accepts(eventType: "flux-deploy", reasonClass: .success))
        XCTAssertTrue(Route.accepts(eventType: "deployed", reasonClass: .success))
        XCTAssertTrue(Route.accepts(eventType: "failed", reasonClass: .success), "no '-' before 'failed': a success route")
        XCTAssertTrue(Route.accepts(eventType: "flux-failed-deploy", reasonClass: .success))
        XCTAssertFalse(Route.accepts(eventType: "flux-deploy", reasonClass: .failure))
    }

    func testFailureRoutes() {
        XCTAssertTrue(Route.accepts(eventType: "flux-deploy-failed", reasonClass: .failure))
        XCTAssertTrue(Route.accepts(eventType: "-failed", reasonClass: .failure))
        XCTAssertFalse(Route.accepts(eventType: "flux-deploy-failed", reasonClass: .success))
        XCTAssertFalse(Route.accepts(eventType: "-failed", reasonClass: .success))
    }

    func testIgnoredReasonsAreNeverRouted() {
        XCTAssertFalse(Route.accepts(eventType: "flux-deploy", reasonClass: .ignored))
        XCTAssertFalse(Route.accepts(eventType: "flux-deploy-failed", reasonClass: .ignored))
        XCTAssertFalse(Route.accepts(eventType: "", reasonClass: .ignored))
    }
}

final class TriageTests: XCTestCase {
    private let rules = Triage.Rules()

    private func target(_ triage: Triage, file: StaticString = #filePath, line: UInt = #line) -> Triage.DispatchTarget? {
        guard case .dispatch(let target) = triage else {
            XCTFail("expected a dispatch, got \(triage)", file: file, line: line)
            return nil
        }
        return target
    }

    private func settled(_ triage: Triage, file: StaticString = #filePath, line: UInt = #line) -> (Outcome, String)? {
        guard case .settled(let outcome, let detail) = triage else {
            XCTFail("expected a settled outcome, got \(triage)", file: file, line: line)
            return nil
        }
        return (outcome, detail)
    }

    func testDefaultRules() {
        XCTAssertEqual(rules.allowedOrganisations, ["Altinn"])
        XCTAssertEqual(rules.defaultEventType, "flux-deploy")
    }

    func testSuccessThroughSuccessRouteDispatches() throws {
        let target = try XCTUnwrap(target(Triage(event: Fixtures.event(), rules: rules)))
        XCTAssertEqual(target.repository.owner, "Altinn")
        XCTAssertEqual(target.repository.name, "dialogporten")
        XCTAssertEqual(target.eventType, "flux-deploy")
        XCTAssertEqual(target.reasonClass, .success)
        XCTAssertEqual(target.dedupKey.rawValue, "dialogporten/at23/ReconciliationSucceeded/sha256:aabbccdd/Altinn/dialogporten")
    }

    func testSpecExampleDispatches() throws {
        let event = try FluxEvent.parse(Array(Fixtures.specExampleBody.utf8))
        let target = try XCTUnwrap(target(Triage(event: event, rules: rules)))
        XCTAssertEqual(target.repository.description, "Altinn/dialogporten")
        XCTAssertEqual(target.eventType, "flux-deploy")
    }

    func testEveryFailureThroughFailedRouteDispatches() throws {
        for reason in Fixtures.failureReasons {
            let event = Fixtures.event(reason: reason, dispatchEvent: "flux-deploy-failed")
            let target = try XCTUnwrap(target(Triage(event: event, rules: rules)), reason)
            XCTAssertEqual(target.eventType, "flux-deploy-failed")
            XCTAssertEqual(target.reasonClass, .failure)
            XCTAssertEqual(target.dedupKey.rawValue, "dialogporten/at23/\(reason)/sha256:aabbccdd/Altinn/dialogporten")
        }
    }

    func testFailureThroughSuccessRouteIsNotRouted() throws {
        for reason in Fixtures.failureReasons {
            let (outcome, detail) = try XCTUnwrap(settled(Triage(event: Fixtures.event(reason: reason), rules: rules)))
            XCTAssertEqual(outcome, .reasonNotRouted, reason)
            XCTAssertTrue(detail.contains(reason), detail)
        }
    }

    func testSuccessThroughFailedRouteIsNotRouted() throws {
        let event = Fixtures.event(dispatchEvent: "flux-deploy-failed")
        let (outcome, detail) = try XCTUnwrap(settled(Triage(event: event, rules: rules)))
        XCTAssertEqual(outcome, .reasonNotRouted)
        XCTAssertTrue(detail.contains("flux-deploy-failed"), detail)
    }

    func testUnknownReasonsAreIgnored() throws {
        for reason in ["Progressing", "", "ArtifactUpToDate"] {
            let (outcome, _) = try XCTUnwrap(settled(Triage(event: Fixtures.event(reason: reason), rules: rules)))
            XCTAssertEqual(outcome, .ignoredReason, reason.debugDescription)
        }
    }

    func testIgnoredReasonIsDecidedBeforeTheRepository() throws {
        let event = Fixtures.event(reason: "Progressing", dispatchRepo: nil)
        XCTAssertEqual(try XCTUnwrap(settled(Triage(event: event, rules: rules))).0, .ignoredReason)
        let invalid = Fixtures.event(reason: "Progressing", dispatchRepo: "not a repo")
        XCTAssertEqual(try XCTUnwrap(settled(Triage(event: invalid, rules: rules))).0, .ignoredReason)
    }

    func testMissingOrEmptyDispatchRepo() throws {
        for repo in [nil, ""] as [String?] {
            let event = Fixtures.event(dispatchRepo: repo)
            XCTAssertEqual(try XCTUnwrap(settled(Triage(event: event, rules: rules))).0, .missingDispatchRepo)
            let failure = Fixtures.event(reason: "BuildFailed", dispatchRepo: repo, dispatchEvent: "flux-deploy-failed")
            XCTAssertEqual(try XCTUnwrap(settled(Triage(event: failure, rules: rules))).0, .missingDispatchRepo)
        }
    }

    func testInvalidDispatchRepo() throws {
        for repo in ["Altinn", "Altinn/a/b", "Altinn/..", "altinn/dialogporten", "Evil/dialogporten", " Altinn/x", "Altinn/x y"] {
            let (outcome, detail) = try XCTUnwrap(settled(Triage(event: Fixtures.event(dispatchRepo: repo), rules: rules)))
            XCTAssertEqual(outcome, .invalidDispatchRepo, repo)
            XCTAssertFalse(detail.isEmpty)
        }
    }

    func testInvalidDispatchRepoDetailExplainsTheProblem() throws {
        let (_, detail) = try XCTUnwrap(settled(Triage(event: Fixtures.event(dispatchRepo: "Evil/x"), rules: rules)))
        XCTAssertTrue(detail.contains("Evil"), detail)
        XCTAssertTrue(detail.contains("ALLOWED_ORGS"), detail)
    }

    func testRepositoryIsCheckedBeforeTheRoute() throws {
        // A success on a -failed route with a bad repo: the repo problem is reported (step 5 before step 6).
        let event = Fixtures.event(dispatchRepo: "Evil/x", dispatchEvent: "flux-deploy-failed")
        XCTAssertEqual(try XCTUnwrap(settled(Triage(event: event, rules: rules))).0, .invalidDispatchRepo)
        let missing = Fixtures.event(dispatchRepo: nil, dispatchEvent: "flux-deploy-failed")
        XCTAssertEqual(try XCTUnwrap(settled(Triage(event: missing, rules: rules))).0, .missingDispatchRepo)
    }

    func testMissingOrEmptyDispatchEventUsesTheDefault() throws {
        for eventType in [nil, ""] as [String?] {
            let event = Fixtures.event(dispatchEvent: eventType)
            XCTAssertEqual(try XCTUnwrap(target(Triage(event: event, rules: rules))).eventType, "flux-deploy")
            // The default is a success route, so a failure without dispatch_event is not routed.
            let failure = Fixtures.event(reason: "HealthCheckFailed", dispatchEvent: eventType)
            XCTAssertEqual(try XCTUnwrap(settled(Triage(event: failure, rules: rules))).0, .reasonNotRouted)
        }
    }

    func testCustomRules() throws {
        let custom = Triage.Rules(allowedOrganisations: ["digdir", "Altinn"], defaultEventType: "deploy-done")
        let event = Fixtures.event(dispatchRepo: "digdir/portal", dispatchEvent: nil)
        let target = try XCTUnwrap(target(Triage(event: event, rules: custom)))
        XCTAssertEqual(target.eventType, "deploy-done")
        XCTAssertEqual(target.repository.owner, "digdir")
        // The default rules don't allow digdir.
        XCTAssertEqual(try XCTUnwrap(settled(Triage(event: event, rules: rules))).0, .invalidDispatchRepo)
    }

    func testDefaultEventTypeCanBeAFailureRoute() throws {
        let custom = Triage.Rules(defaultEventType: "deploy-failed")
        let failure = Fixtures.event(reason: "PruneFailed", dispatchEvent: nil)
        XCTAssertEqual(try XCTUnwrap(target(Triage(event: failure, rules: custom))).eventType, "deploy-failed")
        let success = Fixtures.event(dispatchEvent: nil)
        XCTAssertEqual(try XCTUnwrap(settled(Triage(event: success, rules: custom))).0, .reasonNotRouted)
    }

    func testExplicitDispatchEventWinsOverTheDefault() throws {
        let event = Fixtures.event(dispatchEvent: "custom-deploy")
        XCTAssertEqual(try XCTUnwrap(target(Triage(event: event, rules: rules))).eventType, "custom-deploy")
    }

    // MARK: - Dedup key

    func testDedupKeyFormat() throws {
        let repository = try DispatchRepository(validating: "Altinn/dialogporten", allowedOrganisations: ["Altinn"])
        let key = DedupKey(product: "p", environment: "e", reason: "BuildFailed", digest: "sha256:ff", repository: repository)
        XCTAssertEqual(key.rawValue, "p/e/BuildFailed/sha256:ff/Altinn/dialogporten")
        XCTAssertEqual(key.description, key.rawValue)
        XCTAssertEqual(key, DedupKey(rawValue: "p/e/BuildFailed/sha256:ff/Altinn/dialogporten"))
    }

    func testDedupKeyFromEventUsesTheDigestNotTheFullRevision() throws {
        let repository = try DispatchRepository(validating: "Altinn/dialogporten", allowedOrganisations: ["Altinn"])
        let key = DedupKey(event: Fixtures.event(revision: "yt01@sha256:1234"), repository: repository)
        XCTAssertEqual(key.rawValue, "dialogporten/at23/ReconciliationSucceeded/sha256:1234/Altinn/dialogporten")
    }

    func testDedupKeyWithMissingPiecesHasEmptySegments() throws {
        let event = Fixtures.event(product: nil, environment: nil, revision: nil)
        let target = try XCTUnwrap(target(Triage(event: event, rules: rules)))
        XCTAssertEqual(target.dedupKey.rawValue, "//ReconciliationSucceeded//Altinn/dialogporten")
    }

    func testSameRevisionInDifferentEnvironmentsOrReasonsGivesDifferentKeys() throws {
        let base = try XCTUnwrap(target(Triage(event: Fixtures.event(), rules: rules))).dedupKey
        let otherEnv = try XCTUnwrap(target(Triage(event: Fixtures.event(environment: "tt02"), rules: rules))).dedupKey
        let otherRepo = try XCTUnwrap(target(Triage(event: Fixtures.event(dispatchRepo: "Altinn/other"), rules: rules))).dedupKey
        let otherDigest = try XCTUnwrap(target(Triage(event: Fixtures.event(revision: "at23@sha256:ff"), rules: rules))).dedupKey
        XCTAssertEqual(Set([base, otherEnv, otherRepo, otherDigest]).count, 4)
        // Same digest with another tag prefix is the same deployment news.
        let sameDigest = try XCTUnwrap(target(Triage(event: Fixtures.event(revision: "other@sha256:aabbccdd"), rules: rules)))
        XCTAssertEqual(sameDigest.dedupKey, base)
        // The message and commit don't take part.
        let otherMessage = try XCTUnwrap(
            target(Triage(event: Fixtures.event(message: "other", originRevision: "main/ffff"), rules: rules)))
        XCTAssertEqual(otherMessage.dedupKey, base)
    }

    // MARK: - Outcome

    func testOutcomeRawValuesAndStatuses() {
        XCTAssertEqual(
            Outcome.allCases.map(\.rawValue),
            [
                "invalid_payload", "ignored_reason", "missing_dispatch_repo", "invalid_dispatch_repo", "reason_not_routed",
                "duplicate", "dispatched", "dry_run", "dispatch_rejected", "dispatch_unavailable", "github_auth_failed",
                "queued", "dispatch_dead",
            ])
        for outcome in Outcome.allCases {
            let expected = outcome == .dispatchUnavailable || outcome == .githubAuthFailed ? 502 : 200
            XCTAssertEqual(outcome.httpStatus, expected, outcome.rawValue)
        }
        XCTAssertEqual(Outcome.allCases.filter(\.isDelivered), [.dispatched, .dryRun])
        XCTAssertEqual(
            Outcome.allCases.filter(\.isDispatchFailure), [.dispatchRejected, .dispatchUnavailable, .githubAuthFailed, .dispatchDead])
        XCTAssertEqual(Outcome.allCases.filter(\.canBeRedelivered), Outcome.allCases.filter(\.isDispatchFailure))
        XCTAssertFalse(Outcome.queued.isDelivered, "queued is not delivered until GitHub takes it")
    }
}
