import FluxDispatchCore
import FluxDispatchReceiver
import Foundation
import XCTest

final class ConfigurationResolverTests: XCTestCase {
    /// The least a receiver needs: a token path (and a HOME for the default STATE_DB).
    private let base = ["HMAC_TOKEN_PATH": "/etc/flux-dispatch/hmac-token", "HOME": "/home/ops"]

    private let fullApp = [
        "GITHUB_APP_ID": "12345", "GITHUB_INSTALLATION_ID": "67890", "GITHUB_PRIVATE_KEY_PATH": "/etc/flux-dispatch/app.pem",
    ]

    private func resolve(
        _ environment: [String: String], overrides: [String: String] = [:],
        file: StaticString = #filePath, line: UInt = #line
    ) -> ReceiverConfiguration? {
        do {
            return try ConfigurationResolver(environment: environment, overrides: overrides).resolve()
        } catch {
            XCTFail("unexpected configuration error: \(error)", file: file, line: line)
            return nil
        }
    }

    private func error(
        _ environment: [String: String], overrides: [String: String] = [:],
        file: StaticString = #filePath, line: UInt = #line
    ) -> ConfigurationError? {
        do {
            let config = try ConfigurationResolver(environment: environment, overrides: overrides).resolve()
            XCTFail("expected a configuration error, got \(config)", file: file, line: line)
            return nil
        } catch {
            XCTAssertFalse(error.description.contains("\n"), "one line: \(error.description)", file: file, line: line)
            XCTAssertTrue(error.description.hasPrefix(error.variable + ": "), error.description, file: file, line: line)
            XCTAssertFalse(error.problem.isEmpty, file: file, line: line)
            return error
        }
    }

    /// Asserts that setting `name` to `value` (on top of `base`) is rejected naming `name`.
    private func assertRejected(
        _ name: String, _ value: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        var environment = base
        environment[name] = value
        XCTAssertEqual(error(environment, file: file, line: line)?.variable, name, "\(name)=\(value)", file: file, line: line)
        // The same value as a flag is rejected the same way.
        XCTAssertEqual(
            error(base, overrides: [name: value], file: file, line: line)?.variable, name, "--\(name) \(value)",
            file: file, line: line)
    }

    private func merged(_ a: [String: String], _ b: [String: String]) -> [String: String] {
        a.merging(b) { _, new in new }
    }

    // MARK: - Defaults

    func testDefaults() throws {
        let config = try XCTUnwrap(resolve(base))
        XCTAssertEqual(config.githubAPIURL.absoluteString, "https://api.github.com")
        XCTAssertEqual(config.dedupTTLSeconds, 86_400)
        XCTAssertEqual(config.dedupMaxEntries, 10_000)
        XCTAssertEqual(config.listenAddress, ListenAddress(host: "0.0.0.0", port: 8080))
        XCTAssertEqual(config.metricsAddress, ListenAddress(host: "0.0.0.0", port: 9090))
        XCTAssertEqual(config.defaultDispatchEvent, "flux-deploy")
        XCTAssertEqual(config.allowedOrganisations, ["Altinn"])
        XCTAssertEqual(config.retentionSeconds, 336 * 3_600)
        XCTAssertEqual(config.deliveryMode, .outbox, "outbox is the default for serve, dash and demo")
        XCTAssertEqual(config.outboxMaxAgeSeconds, 86_400)
        XCTAssertEqual(config.logLevel, "info")
        XCTAssertEqual(config.hmacTokenPath, "/etc/flux-dispatch/hmac-token")
        XCTAssertFalse(config.allowUnsigned)
        XCTAssertNil(config.githubApp)
        XCTAssertFalse(config.dryRunRequested)
        XCTAssertTrue(config.isDryRun, "no GitHub App means dry run")
        XCTAssertEqual(config.triageRules, Triage.Rules(allowedOrganisations: ["Altinn"], defaultEventType: "flux-deploy"))
    }

    // MARK: - STATE_DB

    func testStateDBDefaultsUnderXDGStateHome() throws {
        let config = try XCTUnwrap(resolve(merged(base, ["XDG_STATE_HOME": "/var/lib/ops/state"])))
        XCTAssertEqual(config.stateDB, "/var/lib/ops/state/flux-dispatch/state.db")
    }

    func testStateDBFallsBackToHomeLocalState() throws {
        XCTAssertEqual(resolve(base)?.stateDB, "/home/ops/.local/state/flux-dispatch/state.db")
    }

    func testEmptyOrRelativeXDGStateHomeIsIgnored() throws {
        // The XDG base directory spec: an empty or relative value is to be ignored.
        XCTAssertEqual(resolve(merged(base, ["XDG_STATE_HOME": ""]))?.stateDB, "/home/ops/.local/state/flux-dispatch/state.db")
        XCTAssertEqual(
            resolve(merged(base, ["XDG_STATE_HOME": "relative/state"]))?.stateDB, "/home/ops/.local/state/flux-dispatch/state.db")
    }

    func testExplicitStateDBWins() throws {
        let environment = merged(base, ["XDG_STATE_HOME": "/xdg", "STATE_DB": "/srv/flux/state.db"])
        XCTAssertEqual(resolve(environment)?.stateDB, "/srv/flux/state.db")
        XCTAssertEqual(resolve(environment, overrides: ["STATE_DB": "/tmp/flag.db"])?.stateDB, "/tmp/flag.db")
    }

    func testStateDBWithoutAnyHomeIsAnError() {
        XCTAssertEqual(error(["HMAC_TOKEN_PATH": "/t"])?.variable, "STATE_DB")
        XCTAssertEqual(error(["HMAC_TOKEN_PATH": "/t", "HOME": ""])?.variable, "STATE_DB")
        XCTAssertEqual(resolve(["HMAC_TOKEN_PATH": "/t", "STATE_DB": "/x.db"])?.stateDB, "/x.db")
        XCTAssertEqual(resolve(["HMAC_TOKEN_PATH": "/t", "XDG_STATE_HOME": "/s"])?.stateDB, "/s/flux-dispatch/state.db")
    }

    // MARK: - Flags and environment

    func testFlagsWinOverEnvironment() throws {
        let environment = merged(base, [
            "LISTEN_ADDR": ":1111", "METRICS_ADDR": ":2222", "DEDUP_TTL": "1h", "DEFAULT_DISPATCH_EVENT": "from-env",
            "ALLOWED_ORGS": "EnvOrg", "HMAC_TOKEN_PATH": "/env/token",
        ])
        let overrides = [
            "LISTEN_ADDR": "127.0.0.1:3333", "METRICS_ADDR": ":4444", "DEDUP_TTL": "2h", "DEFAULT_DISPATCH_EVENT": "from-flag",
            "ALLOWED_ORGS": "FlagOrg", "HMAC_TOKEN_PATH": "/flag/token",
        ]
        let config = try XCTUnwrap(resolve(environment, overrides: overrides))
        XCTAssertEqual(config.listenAddress, ListenAddress(host: "127.0.0.1", port: 3333))
        XCTAssertEqual(config.metricsAddress, ListenAddress(host: "0.0.0.0", port: 4444))
        XCTAssertEqual(config.dedupTTLSeconds, 7_200)
        XCTAssertEqual(config.defaultDispatchEvent, "from-flag")
        XCTAssertEqual(config.allowedOrganisations, ["FlagOrg"])
        XCTAssertEqual(config.hmacTokenPath, "/flag/token")
    }

    func testEnvironmentIsUsedWhereNoFlagIsGiven() throws {
        let config = try XCTUnwrap(
            resolve(merged(base, ["LISTEN_ADDR": ":1111", "METRICS_ADDR": ":2222"]), overrides: ["LISTEN_ADDR": ":3333"]))
        XCTAssertEqual(config.listenAddress.port, 3333)
        XCTAssertEqual(config.metricsAddress.port, 2222)
    }

    func testFlagCanSupplyWhatTheEnvironmentLacks() throws {
        let config = try XCTUnwrap(resolve(["HOME": "/home/ops"], overrides: ["HMAC_TOKEN_PATH": "/flag/token"]))
        XCTAssertEqual(config.hmacTokenPath, "/flag/token")
        XCTAssertTrue(try XCTUnwrap(resolve(["HOME": "/h"], overrides: ["ALLOW_UNSIGNED": "true"])).allowUnsigned)
    }

    func testFlagBooleansWinOverEnvironment() throws {
        let environment = merged(base, fullApp).merging(["DRY_RUN": "true"]) { _, new in new }
        let config = try XCTUnwrap(resolve(environment, overrides: ["DRY_RUN": "false"]))
        XCTAssertFalse(config.dryRunRequested)
        XCTAssertFalse(config.isDryRun)
    }

    func testEmptyEnvironmentValuesCountAsUnset() throws {
        var environment = base
        for name in [
            "GITHUB_APP_ID", "GITHUB_INSTALLATION_ID", "GITHUB_PRIVATE_KEY_PATH", "GITHUB_API_URL", "DEDUP_TTL",
            "DEDUP_MAX_ENTRIES", "LISTEN_ADDR", "METRICS_ADDR", "DEFAULT_DISPATCH_EVENT", "STATE_DB", "DRY_RUN",
            "DELIVERY_MODE", "ALLOWED_ORGS", "ALLOW_UNSIGNED", "RETENTION", "LOG_LEVEL",
        ] {
            environment[name] = ""
        }
        let config = try XCTUnwrap(resolve(environment))
        XCTAssertNil(config.githubApp)
        XCTAssertEqual(config.githubAPIURL.absoluteString, "https://api.github.com")
        XCTAssertEqual(config.dedupTTLSeconds, 86_400)
        XCTAssertEqual(config.dedupMaxEntries, 10_000)
        XCTAssertEqual(config.listenAddress.port, 8080)
        XCTAssertEqual(config.metricsAddress.port, 9090)
        XCTAssertEqual(config.defaultDispatchEvent, "flux-deploy")
        XCTAssertEqual(config.stateDB, "/home/ops/.local/state/flux-dispatch/state.db")
        XCTAssertFalse(config.dryRunRequested)
        XCTAssertEqual(config.allowedOrganisations, ["Altinn"])
        XCTAssertEqual(config.retentionSeconds, 336 * 3_600)
    }

    func testEmptyHMACTokenPathCountsAsUnset() {
        XCTAssertEqual(error(["HOME": "/h", "HMAC_TOKEN_PATH": ""])?.variable, "HMAC_TOKEN_PATH")
    }

    func testUnrelatedEnvironmentIsIgnored() throws {
        let config = try XCTUnwrap(resolve(merged(base, ["PATH": "/usr/bin", "PORT": "1", "listen_addr": ":1"])))
        XCTAssertEqual(config.listenAddress.port, 8080, "variable names are case-sensitive")
    }

    // MARK: - Signing

    func testMissingTokenWithoutAllowUnsignedIsAnError() throws {
        let failure = try XCTUnwrap(error(["HOME": "/home/ops"]))
        XCTAssertEqual(failure.variable, "HMAC_TOKEN_PATH")
        XCTAssertTrue(failure.problem.contains("ALLOW_UNSIGNED"), failure.problem)
        XCTAssertEqual(error(["HOME": "/home/ops", "ALLOW_UNSIGNED": "false"])?.variable, "HMAC_TOKEN_PATH")
    }

    func testAllowUnsignedWithoutToken() throws {
        let config = try XCTUnwrap(resolve(["HOME": "/home/ops", "ALLOW_UNSIGNED": "true"]))
        XCTAssertTrue(config.allowUnsigned)
        XCTAssertNil(config.hmacTokenPath)
    }

    func testAllowUnsignedWithTokenKeepsTheToken() throws {
        let config = try XCTUnwrap(resolve(merged(base, ["ALLOW_UNSIGNED": "true"])))
        XCTAssertTrue(config.allowUnsigned)
        XCTAssertEqual(config.hmacTokenPath, "/etc/flux-dispatch/hmac-token", "signatures are still checked")
    }

    func testBooleanSpellings() throws {
        let spellings: [(String, Bool)] = [
            ("true", true), ("false", false), ("1", true), ("0", false), ("yes", true), ("no", false),
            ("TRUE", true), ("False", false), ("YES", true), ("No", false), ("tRuE", true),
        ]
        for (text, expected) in spellings {
            let unsigned = try XCTUnwrap(resolve(merged(base, ["ALLOW_UNSIGNED": text])), text)
            XCTAssertEqual(unsigned.allowUnsigned, expected, "ALLOW_UNSIGNED=\(text)")
            let dryRun = try XCTUnwrap(resolve(merged(merged(base, fullApp), ["DRY_RUN": text])), text)
            XCTAssertEqual(dryRun.dryRunRequested, expected, "DRY_RUN=\(text)")
            XCTAssertEqual(dryRun.isDryRun, expected, "DRY_RUN=\(text) with a full App")
        }
    }

    func testBadBooleansAreRejected() {
        for text in ["maybe", "on", "off", "y", "n", "2", "truee", " true"] {
            assertRejected("ALLOW_UNSIGNED", text)
            assertRejected("DRY_RUN", text)
        }
    }

    func testBadAllowUnsignedIsReportedEvenWithoutToken() {
        // The bad value is the problem to fix, not the missing token.
        XCTAssertEqual(error(["HOME": "/h", "ALLOW_UNSIGNED": "maybe"])?.variable, "ALLOW_UNSIGNED")
    }

    // MARK: - GitHub App

    func testFullGitHubApp() throws {
        let config = try XCTUnwrap(resolve(merged(base, fullApp)))
        XCTAssertEqual(
            config.githubApp,
            .init(appID: "12345", installationID: "67890", privateKeyPath: "/etc/flux-dispatch/app.pem"))
        XCTAssertFalse(config.isDryRun)
        XCTAssertFalse(config.dryRunRequested)
    }

    func testGitHubAppFromFlags() throws {
        let config = try XCTUnwrap(resolve(base, overrides: fullApp))
        XCTAssertEqual(config.githubApp?.appID, "12345")
        XCTAssertFalse(config.isDryRun)
    }

    func testDryRunWithFullApp() throws {
        let config = try XCTUnwrap(resolve(merged(merged(base, fullApp), ["DRY_RUN": "true"])))
        XCTAssertNotNil(config.githubApp)
        XCTAssertTrue(config.dryRunRequested)
        XCTAssertTrue(config.isDryRun)
    }

    func testDryRunFalseWithoutAppIsStillDryRun() throws {
        let config = try XCTUnwrap(resolve(merged(base, ["DRY_RUN": "false"])))
        XCTAssertFalse(config.dryRunRequested)
        XCTAssertTrue(config.isDryRun)
    }

    func testPartialGitHubAppNamesExactlyTheMissingOnes() throws {
        let names = ["GITHUB_APP_ID", "GITHUB_INSTALLATION_ID", "GITHUB_PRIVATE_KEY_PATH"]
        // Every non-empty proper subset of the three.
        for mask in 1..<7 {
            let given = names.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element)
            let missing = names.filter { !given.contains($0) }
            var environment = base
            for name in given { environment[name] = fullApp[name] }
            let failure = try XCTUnwrap(error(environment), "given \(given)")
            let named = Set(failure.variable.components(separatedBy: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            XCTAssertEqual(named, Set(missing), "given \(given): \(failure)")
        }
    }

    func testPartialGitHubAppWithAnEmptyValue() throws {
        var environment = merged(base, fullApp)
        environment["GITHUB_INSTALLATION_ID"] = ""
        XCTAssertEqual(error(environment)?.variable, "GITHUB_INSTALLATION_ID")
    }

    func testPartialGitHubAppAcrossFlagsAndEnvironment() throws {
        let config = try XCTUnwrap(
            resolve(
                merged(base, ["GITHUB_APP_ID": "1", "GITHUB_INSTALLATION_ID": "2"]),
                overrides: ["GITHUB_PRIVATE_KEY_PATH": "/k.pem"]))
        XCTAssertEqual(config.githubApp, .init(appID: "1", installationID: "2", privateKeyPath: "/k.pem"))
    }

    func testGitHubAppIDsMustBePositiveNumbers() {
        for text in ["abc", "0", "-5", "1.5", "12 34"] {
            var environment = merged(base, fullApp)
            environment["GITHUB_APP_ID"] = text
            XCTAssertEqual(error(environment)?.variable, "GITHUB_APP_ID", text)
            environment = merged(base, fullApp)
            environment["GITHUB_INSTALLATION_ID"] = text
            XCTAssertEqual(error(environment)?.variable, "GITHUB_INSTALLATION_ID", text)
        }
    }

    // MARK: - Individual values

    func testGitHubAPIURL() throws {
        XCTAssertEqual(
            resolve(merged(base, ["GITHUB_API_URL": "http://127.0.0.1:8443"]))?.githubAPIURL.absoluteString,
            "http://127.0.0.1:8443")
        XCTAssertEqual(
            resolve(merged(base, ["GITHUB_API_URL": "https://ghe.example.org/api/v3"]))?.githubAPIURL.absoluteString,
            "https://ghe.example.org/api/v3")
        for text in ["ftp://x", "api.github.com", "not a url", "https://", "file:///etc/passwd", "mailto:a@b.c"] {
            assertRejected("GITHUB_API_URL", text)
        }
    }

    func testDedupTTL() throws {
        XCTAssertEqual(resolve(merged(base, ["DEDUP_TTL": "90m"]))?.dedupTTLSeconds, 5_400)
        XCTAssertEqual(resolve(merged(base, ["DEDUP_TTL": "1h30m"]))?.dedupTTLSeconds, 5_400)
        for text in ["abc", "0s", "0", "-1h", "10", "1d"] {
            assertRejected("DEDUP_TTL", text)
        }
    }

    func testDedupTTLErrorCarriesTheDurationProblem() throws {
        let failure = try XCTUnwrap(error(merged(base, ["DEDUP_TTL": "1d"])))
        XCTAssertTrue(failure.problem.contains("1d"), failure.problem)
    }

    func testDedupMaxEntries() throws {
        XCTAssertEqual(resolve(merged(base, ["DEDUP_MAX_ENTRIES": "500"]))?.dedupMaxEntries, 500)
        XCTAssertEqual(resolve(merged(base, ["DEDUP_MAX_ENTRIES": "1"]))?.dedupMaxEntries, 1)
        for text in ["0", "x", "-3", "1.5", "1e4", "10 000", "99999999999999999999999"] {
            assertRejected("DEDUP_MAX_ENTRIES", text)
        }
    }

    func testListenAndMetricsAddresses() throws {
        let config = try XCTUnwrap(resolve(merged(base, ["LISTEN_ADDR": "127.0.0.1:18080", "METRICS_ADDR": "[::1]:19090"])))
        XCTAssertEqual(config.listenAddress, ListenAddress(host: "127.0.0.1", port: 18080))
        XCTAssertEqual(config.metricsAddress, ListenAddress(host: "::1", port: 19090))
        for text in ["nope", "8080", ":99999", "::1:8080"] {
            assertRejected("LISTEN_ADDR", text)
            assertRejected("METRICS_ADDR", text)
        }
    }

    func testDefaultDispatchEvent() throws {
        let config = try XCTUnwrap(resolve(merged(base, ["DEFAULT_DISPATCH_EVENT": "deploy-done"])))
        XCTAssertEqual(config.defaultDispatchEvent, "deploy-done")
        XCTAssertEqual(config.triageRules.defaultEventType, "deploy-done")
        for text in ["has space", "tab\there", String(repeating: "x", count: 101)] {
            assertRejected("DEFAULT_DISPATCH_EVENT", text)
        }
        XCTAssertNotNil(resolve(merged(base, ["DEFAULT_DISPATCH_EVENT": String(repeating: "x", count: 100)])))
    }

    func testDeliveryMode() throws {
        XCTAssertEqual(resolve(merged(base, ["DELIVERY_MODE": "sync"]))?.deliveryMode, .sync)
        XCTAssertEqual(resolve(merged(base, ["DELIVERY_MODE": "SYNC"]))?.deliveryMode, .sync)
        XCTAssertEqual(resolve(merged(base, ["DELIVERY_MODE": "outbox"]))?.deliveryMode, .outbox)
        XCTAssertEqual(resolve(merged(base, ["OUTBOX_MAX_AGE": "90m"]))?.outboxMaxAgeSeconds, 5_400)
        assertRejected("OUTBOX_MAX_AGE", "0s")
        assertRejected("OUTBOX_MAX_AGE", "forever")
        assertRejected("DELIVERY_MODE", "bogus")
        assertRejected("DELIVERY_MODE", "async")
    }

    func testAllowedOrganisations() throws {
        let config = try XCTUnwrap(resolve(merged(base, ["ALLOWED_ORGS": " Altinn , digdir,,Other "])))
        XCTAssertEqual(config.allowedOrganisations, ["Altinn", "digdir", "Other"])
        XCTAssertEqual(config.triageRules.allowedOrganisations, ["Altinn", "digdir", "Other"])
        XCTAssertEqual(resolve(merged(base, ["ALLOWED_ORGS": "digdir"]))?.allowedOrganisations, ["digdir"])
        for text in [" , ", ",", ",,,", " "] {
            assertRejected("ALLOWED_ORGS", text)
        }
    }

    func testAllowedOrganisationsKeepTheirCase() throws {
        let config = try XCTUnwrap(resolve(merged(base, ["ALLOWED_ORGS": "altinn"])))
        XCTAssertEqual(config.allowedOrganisations, ["altinn"])
    }

    func testRetention() throws {
        XCTAssertEqual(resolve(merged(base, ["RETENTION": "48h"]))?.retentionSeconds, 172_800)
        for text in ["0s", "-1h", "forever", "7d"] {
            assertRejected("RETENTION", text)
        }
    }

    func testLogLevel() throws {
        XCTAssertEqual(resolve(merged(base, ["LOG_LEVEL": "DEBUG"]))?.logLevel, "debug")
        XCTAssertEqual(resolve(merged(base, ["LOG_LEVEL": "warning"]))?.logLevel, "warning")
        assertRejected("LOG_LEVEL", "loud")
    }

    func testVariablesListCoversTheSpec() {
        let spec: Set = [
            "GITHUB_APP_ID", "GITHUB_INSTALLATION_ID", "GITHUB_PRIVATE_KEY_PATH", "HMAC_TOKEN_PATH", "GITHUB_API_URL",
            "DEDUP_TTL", "DEDUP_MAX_ENTRIES", "LISTEN_ADDR", "METRICS_ADDR", "DEFAULT_DISPATCH_EVENT", "STATE_DB", "DRY_RUN",
            "DELIVERY_MODE", "ALLOWED_ORGS", "ALLOW_UNSIGNED", "RETENTION",
        ]
        XCTAssertTrue(spec.isSubset(of: Set(ConfigurationResolver.variables)))
    }

    func testErrorDescriptionIsVariableThenProblem() {
        XCTAssertEqual(ConfigurationError(variable: "DEDUP_TTL", problem: "bad").description, "DEDUP_TTL: bad")
    }
}
