import AsyncHTTPClient
import CryptoExtras
import FluxDispatchCore
import FluxDispatchReceiver
import FluxDispatchStore
import Foundation
import GitHubStandIn
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import XCTest

/// A real receiver on 127.0.0.1 (ports picked by the OS), a real state store in a temporary
/// directory, and a stand-in GitHub on loopback: what the integration tests drive over HTTP.
final class ReceiverHarness: @unchecked Sendable {
    static let token = "test-hmac-token"
    /// One RSA key for the whole run: generating 2048-bit keys is slow.
    static let appKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    let directory: URL
    let github: GitHubStandIn
    /// Flux's side: up to 64 requests at once (AsyncHTTPClient's default would queue past 8).
    let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
    let logs = LogOutput.memory()
    private(set) var runtime: ReceiverRuntime!
    private var runTask: Task<Void, any Error>?
    private var gitHubTask: Task<Void, any Error>?
    private var gitHubGroup: ServiceGroup?
    private(set) var gitHubPort = 0
    private(set) var webhookURL = ""
    private(set) var metricsURL = ""
    private(set) var healthURL = ""

    var stateDB: String { directory.appendingPathComponent("state/state.db").path }
    var tokenPath: String { directory.appendingPathComponent("hmac-token").path }
    var keyPath: String { directory.appendingPathComponent("app-key.pem").path }

    /// `keepsDispatches: false` is the stand-in as the `github-standin` command runs it.
    init(keepsDispatches: Bool = true) throws {
        github = GitHubStandIn(keepsDispatches: keepsDispatches)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("flux-dispatch-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data((Self.token + "\n").utf8).write(to: URL(fileURLWithPath: tokenPath))
        try Data(Self.appKey.pemRepresentation.utf8).write(to: URL(fileURLWithPath: keyPath))
    }

    /// Starts the stand-in GitHub (once) and a receiver configured with `environment` on top of
    /// sensible test defaults (signed, GitHub App pointing at the stand-in, sync delivery).
    func start(_ environment: [String: String] = [:], withApp: Bool = true) async throws {
        try await startGitHub()
        var env: [String: String] = [
            "HMAC_TOKEN_PATH": tokenPath, "STATE_DB": stateDB, "LISTEN_ADDR": "127.0.0.1:0",
            "METRICS_ADDR": "127.0.0.1:0", "GITHUB_API_URL": "http://127.0.0.1:\(gitHubPort)", "DELIVERY_MODE": "sync",
            "DRY_RUN": "false",
        ]
        if withApp {
            env["GITHUB_APP_ID"] = "12345"
            env["GITHUB_INSTALLATION_ID"] = "67890"
            env["GITHUB_PRIVATE_KEY_PATH"] = keyPath
        }
        env.merge(environment) { _, new in new }
        let configuration = try ConfigurationResolver(environment: env.filter { !$0.value.isEmpty }).resolve()
        let logs = self.logs
        let logger = Logger(label: "test") { label in JSONLogHandler(label: label, level: .debug, output: logs) }
        let runtime = try await ReceiverRuntime(configuration: configuration, mode: "serve", logger: logger, signals: [])
        self.runtime = runtime
        runTask = Task { try await runtime.run() }
        guard let addresses = await runtime.addresses() else {
            XCTFail("receiver did not start")
            return
        }
        webhookURL = "http://127.0.0.1:\(addresses.webhook.port!)/flux-events"
        healthURL = "http://127.0.0.1:\(addresses.webhook.port!)"
        metricsURL = "http://127.0.0.1:\(addresses.metrics.port!)/metrics"
    }

    /// Starts the stand-in GitHub only (once), for tests that build the parts themselves.
    func startGitHub() async throws {
        guard gitHubTask == nil else { return }
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = github.application(port: 0) { port in continuation.yield(port) }
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "github-standin"))
        gitHubGroup = group
        gitHubTask = Task { try await group.run() }
        for await port in stream {
            gitHubPort = port
            break
        }
    }

    /// Graceful shutdown of the receiver (the store is closed when this returns). The stopped
    /// receiver is let go: nothing else may keep it (`testAStoppedReceiverIsFreed`).
    func stopReceiver() async throws {
        guard let runTask else { return }
        await runtime.shutdown()
        try await runTask.value
        self.runTask = nil
        runtime = nil
    }

    func stop() async {
        try? await stopReceiver()
        await gitHubGroup?.triggerGracefulShutdown()
        _ = try? await gitHubTask?.value
        try? await http.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Requests

    struct Answer {
        var status: Int
        var outcome: String
        var detail: String
    }

    func post(_ body: String, signature: String? = nil, signed: Bool = true, headers: [String: String] = [:]) async throws -> Answer {
        try await post(bytes: Array(body.utf8), signature: signature, signed: signed, headers: headers)
    }

    func post(bytes: [UInt8], signature: String? = nil, signed: Bool = true, headers: [String: String] = [:]) async throws -> Answer {
        var request = HTTPClientRequest(url: webhookURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let signature {
            request.headers.add(name: "X-Signature", value: signature)
        } else if signed {
            request.headers.add(name: "X-Signature", value: SignatureVerifier(token: Array(Self.token.utf8)).signatureHeader(for: bytes))
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: bytes))
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        return Answer(
            status: Int(response.status.code), outcome: object["outcome"] as? String ?? "",
            detail: object["detail"] as? String ?? "")
    }

    func get(_ url: String, method: HTTPMethod = .GET) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        let response = try await http.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 22)
        return (Int(response.status.code), String(buffer: body))
    }

    /// The value of one series in the Prometheus exposition (nil when absent).
    func metric(_ name: String, _ labels: [String: String] = [:]) async throws -> Double? {
        let text = try await get(metricsURL).body
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            let series = line[..<space]
            let nameEnd = series.firstIndex(of: "{") ?? series.endIndex
            guard series[..<nameEnd] == name else { continue }
            let labelText = nameEnd < series.endIndex ? String(series[series.index(after: nameEnd)..<series.index(before: series.endIndex)]) : ""
            var found: [String: String] = [:]
            for pair in labelText.split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                if kv.count == 2 { found[String(kv[0])] = String(kv[1].dropFirst().dropLast()) }
            }
            if labels.allSatisfy({ found[$0.key] == $0.value }) { return Double(line[line.index(after: space)...]) }
        }
        return nil
    }

    func openStore() throws -> StateStore { try StateStore(path: stateDB) }
}

/// Builds Flux event bodies like notification-controller sends them.
struct FluxEventBody {
    var reason = "ReconciliationSucceeded"
    var product = "dialogporten"
    var env = "at23"
    var repo: String? = "Altinn/dialogporten"
    var eventType: String? = "flux-deploy"
    var digest = "aabbccdd"
    var origin = "main/abc1234def5678"
    var message = "Applied revision at23@sha256:aabbccdd"
    var name = "dialogporten-apps"

    var json: String {
        var metadata: [String: String] = [
            "kustomize.toolkit.fluxcd.io/originRevision": origin,
            "kustomize.toolkit.fluxcd.io/revision": "\(env)@sha256:\(digest)", "product": product, "env": env,
        ]
        if let repo { metadata["dispatch_repo"] = repo }
        if let eventType { metadata["dispatch_event"] = eventType }
        let object: [String: Any] = [
            "involvedObject": ["kind": "Kustomization", "name": name, "namespace": "product-\(product)"],
            "severity": reason == "ReconciliationSucceeded" ? "info" : "error", "reason": reason, "message": message,
            "metadata": metadata, "timestamp": "2026-03-05T12:00:00Z", "reportingController": "kustomize-controller",
        ]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
