import AsyncHTTPClient
import CryptoExtras
import FluxDispatchCore
import FluxDispatchStore
import Foundation
import GitHubStandIn
import Logging
import NIOCore
import ServiceLifecycle
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The built `flux-dispatch serve` in outbox mode, killed with SIGKILL at random moments under load
/// while the stand-in GitHub fails now and then, restarted on the same store each time: every event
/// answered 200 `queued` reaches GitHub in the end, duplicates stay duplicates across the kills, and
/// the store passes `PRAGMA integrity_check` after each kill.
final class OutboxCrashRestartTests: XCTestCase {
    var binary: String { DashboardEndToEndTests.binary.path }
    var directory: URL!
    var db: String { directory.appendingPathComponent("state.db").path }
    let token = "crash-test-token"
    let repos = ["Altinn/alpha", "Altinn/beta", "Altinn/gamma", "Altinn/delta"]

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("\(binary) not built") }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testSIGKILLAtRandomMomentsLosesNothingAnswered200() async throws {
        let github = GitHubStandIn()
        github.setDefaultBehaviour(.init(status: 204, delay: .milliseconds(5)))
        let (ports, portsContinuation) = AsyncStream.makeStream(of: Int.self)
        let gitHubGroup = ServiceGroup(
            services: [github.application(port: 0) { portsContinuation.yield($0) }], gracefulShutdownSignals: [],
            logger: Logger(label: "standin"))
        let gitHubTask = Task { try await gitHubGroup.run() }
        var gitHubPort = 0
        for await port in ports {
            gitHubPort = port
            break
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { Task { try? await http.shutdown() } }

        let tokenPath = directory.appendingPathComponent("token").path
        let keyPath = directory.appendingPathComponent("app.pem").path
        try Data(token.utf8).write(to: URL(fileURLWithPath: tokenPath))
        try Data(try _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation.utf8).write(to: URL(fileURLWithPath: keyPath))
        let arguments = [
            binary, "serve", "--db", db, "--hmac-token-path", tokenPath, "--github-app-id", "1", "--github-installation-id", "2",
            "--github-private-key-path", keyPath, "--github-api-url", "http://127.0.0.1:\(gitHubPort)", "--delivery", "outbox",
            "--metrics-addr", "127.0.0.1:0", "--log-level", "warning",
        ]

        var queued = Set<String>()  // dedup keys answered 200 queued
        var answered200 = 0
        var duplicatesAnswered = 0
        var kills: [Int] = []
        var rng = SystemRandomNumberGenerator()
        let rounds = Int(ProcessInfo.processInfo.environment["CRASH_ROUNDS"] ?? "") ?? 4
        for round in 0..<rounds {
            // GitHub misbehaves a little each round: two failures for two of the repositories.
            github.script([.init(status: 503, message: "Service Unavailable"), .init(status: 502, message: "Bad Gateway")], for: repos[1])
            github.script([.init(status: 500, message: "boom"), .init(status: 503, message: "Service Unavailable")], for: repos[3])
            let port = try DashboardEndToEndTests.freePort()
            let pid = try XCTUnwrap(
                Subprocess.start(arguments + ["--listen-addr", "127.0.0.1:\(port)"], logPath: directory.appendingPathComponent("serve.log").path))
            let url = "http://127.0.0.1:\(port)/flux-events"
            try await waitUntilHealthy(http, port: port)

            // Load from 8 clients for a random 0.4-1.6 s, then SIGKILL whatever is in flight.
            let killAfter = Int.random(in: 400...1600, using: &rng)
            kills.append(killAfter)
            let earlier = Array(queued.prefix(20))
            let (repos, token) = (self.repos, self.token)
            let results = await withTaskGroup(of: [(key: String, outcome: String)].self) { group in
                for client in 0..<8 {
                    group.addTask {
                        var seen: [(String, String)] = []
                        let deadline = ContinuousClock.now + .milliseconds(killAfter + 500)
                        var i = 0
                        while ContinuousClock.now < deadline {
                            // Mostly new events; now and then one answered before the last kill (Flux re-sending).
                            let resend = !earlier.isEmpty && i % 5 == 4
                            let body = resend
                                ? Self.body(key: earlier[i % earlier.count])
                                : Self.body(repo: repos[i % repos.count], digest: "r\(round)c\(client)n\(i)")
                            i += 1
                            guard let outcome = try? await Self.post(http, url: url, body: body.json, token: token) else { break }
                            seen.append((body.key, outcome))
                        }
                        return seen
                    }
                }
                group.addTask {
                    try? await Task.sleep(for: .milliseconds(killAfter))
                    kill(pid, SIGKILL)
                    return []
                }
                var all: [(key: String, outcome: String)] = []
                for await part in group { all += part }
                return all
            }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            XCTAssertEqual(status & 0x7f, SIGKILL, "serve was killed, not stopped")
            for (key, outcome) in results {
                answered200 += 1
                if outcome == "queued" { queued.insert(key) }
                if outcome == "duplicate" { duplicatesAnswered += 1 }
                XCTAssertTrue(outcome == "queued" || outcome == "duplicate", "round \(round): \(outcome)")
            }
            let store = try StateStore(path: db)
            XCTAssertEqual(try store.integrityCheck(), "ok", "after kill \(round + 1)")
            try store.close()
        }
        XCTAssertGreaterThan(queued.count, 100, "the load reached the receiver")
        XCTAssertGreaterThan(duplicatesAnswered, 0, "re-sent events were recognised across kills")

        // GitHub is healthy; one last start drains the outbox, then a graceful stop.
        github.clearScripts()
        let port = try DashboardEndToEndTests.freePort()
        let pid = try XCTUnwrap(
            Subprocess.start(arguments + ["--listen-addr", "127.0.0.1:\(port)"], logPath: directory.appendingPathComponent("serve.log").path))
        try await waitUntilHealthy(http, port: port)
        let deadline = ContinuousClock.now + .seconds(60)
        var pending = -1
        while ContinuousClock.now < deadline {
            let store = try StateStore(path: db)
            pending = try store.outboxSummary(endedSince: 0).pending
            try store.close()
            if pending == 0 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        XCTAssertEqual(pending, 0, "the outbox drained")
        XCTAssertEqual(Subprocess.stop(pid), 0)

        var deliveries: [String: Int] = [:]
        for dispatch in github.dispatches {
            let p = dispatch.clientPayload
            let digest = Revision.digest(of: p["revision"] ?? "")
            deliveries["\(p["product"] ?? "")/\(p["environment"] ?? "")/\(p["reason"] ?? "")/\(digest)/\(dispatch.repository)", default: 0] += 1
        }
        let missing = queued.filter { deliveries[$0] == nil }
        XCTAssertEqual(missing.count, 0, "every event answered 200 reached GitHub; missing: \(missing.prefix(5))")
        // At least once: a dispatch GitHub took just before a kill, with its commit lost, is sent
        // again. That window is a few milliseconds per kill, so repeats must stay rare.
        let repeats = deliveries.values.reduce(0) { $0 + max(0, $1 - 1) }
        XCTAssertLessThanOrEqual(repeats, kills.count * repos.count, "repeats \(repeats)")
        let store = try StateStore(path: db)
        XCTAssertEqual(try store.integrityCheck(), "ok")
        XCTAssertEqual(try store.outcomeCounts()["queued"], nil, "nothing left queued")
        // In the store exactly once: one event per key that is not a duplicate, and it was dispatched.
        let byKey = try store.outcomesByDedupKey()
        var notOnce: [String] = []
        for key in queued {
            let outcomes = byKey[key] ?? [:]
            if outcomes.filter({ $0.key != "duplicate" }) != ["dispatched": 1] { notOnce.append("\(key): \(outcomes)") }
        }
        XCTAssertEqual(notOnce, [], "each queued event recorded once and dispatched")
        XCTAssertGreaterThanOrEqual(try store.dedupEntryCount(), queued.count, "the dedup state holds every delivered key")
        try store.close()
        print("crash-restart: kills after \(kills) ms; \(answered200) answered 200 (\(queued.count) queued, \(duplicatesAnswered) duplicates); \(github.dispatches.count) delivered, \(repeats) repeated, \(missing.count) missing")
        await gitHubGroup.triggerGracefulShutdown()
        _ = try? await gitHubTask.value
    }

    struct Body {
        var key: String
        var json: String
    }

    /// A signed-able Flux event for `repo` with `digest`, and its dedup key.
    static func body(repo: String, digest: String) -> Body {
        let product = String(repo.split(separator: "/")[1])
        let metadata = [
            "product": product, "env": "at23", "dispatch_repo": repo,
            "kustomize.toolkit.fluxcd.io/revision": "at23@sha256:\(digest)",
            "kustomize.toolkit.fluxcd.io/originRevision": "main/\(digest)",
        ]
        let object: [String: Any] = [
            "involvedObject": ["kind": "Kustomization", "name": product, "namespace": "flux-system"],
            "severity": "info", "reason": "ReconciliationSucceeded", "message": "Applied revision", "metadata": metadata,
        ]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return Body(key: "\(product)/at23/ReconciliationSucceeded/sha256:\(digest)/\(repo)", json: String(decoding: data, as: UTF8.self))
    }

    /// The event whose dedup key is `key` (as `body(repo:digest:)` makes them).
    static func body(key: String) -> Body {
        let parts = key.split(separator: "/").map(String.init)
        return body(repo: "\(parts[4])/\(parts[5])", digest: String(parts[3].dropFirst("sha256:".count)))
    }

    /// The outcome of a 200; nil when the process died before answering.
    static func post(_ http: HTTPClient, url: String, body: String, token: String) async throws -> String? {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "X-Signature", value: SignatureVerifier(token: Array(token.utf8)).signatureHeader(for: Array(body.utf8)))
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await http.execute(request, timeout: .seconds(5))
        let data = try await response.body.collect(upTo: 1 << 16)
        guard response.status.code == 200 else { return nil }
        let object = try JSONSerialization.jsonObject(with: Data(buffer: data)) as? [String: Any]
        return object?["outcome"] as? String
    }

    func waitUntilHealthy(_ http: HTTPClient, port: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let response = try? await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/readyz"), timeout: .seconds(1)),
                response.status.code == 200
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTFail("serve did not become ready; see \(directory.appendingPathComponent("serve.log").path)")
    }
}
