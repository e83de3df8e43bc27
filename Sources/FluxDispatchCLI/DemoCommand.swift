import ArgumentParser
import AsyncHTTPClient
import CryptoExtras
import FluxDispatchCore
import FluxDispatchDashboard
import FluxDispatchReceiver
import FluxDispatchStore
import Foundation
import GitHubStandIn
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run everything on this machine with no setup: receiver, stand-in GitHub, traffic, dashboard.",
        discussion: """
            Starts the embedded receiver on free loopback ports with a generated HMAC token and a generated \
            throwaway GitHub App key, a stand-in GitHub API on loopback (some latency; Altinn/authentication \
            answers 404 as if the App were not installed; occasional 5xx bursts), and a traffic simulator \
            posting signed Flux events for dialogporten, correspondence, authentication and storage in \
            at23, tt02, yt01 and prod: new deploys, re-emitted digests (dedup hits), build and health-check \
            failures, recoveries, and a few bad signatures. Then it opens the dashboard on that store. \
            Nothing leaves the machine; the store is a new temporary file unless --db is given.

            Delivery is through the outbox (as `serve` by default): events are answered "queued" and the \
            5xx bursts are retried in the background; the header shows the queue. --delivery sync shows \
            the reference behaviour instead (502s that Flux would have to retry).

            Examples:
              flux-dispatch demo
              flux-dispatch demo --no-tui --duration 30s
            """
    )

    @Flag(name: .customLong("no-tui"), help: "Run headless and print a summary at the end.")
    var noTUI = false

    @Option(help: "How long to run, Go syntax; default 30s headless, until q with the dashboard.")
    var duration: String?

    @Option(name: [.customLong("db"), .customLong("state-db")], help: "Store to use; default a new temporary one.")
    var db: String?

    @Option(name: .customLong("operator"), help: "Who dismissals are recorded for; default: the Unix user.")
    var operatorName: String?

    @Option(help: "Theme: default, high-contrast, solarized-dark, monochrome, or a YAML file path.")
    var theme: String?

    @Option(help: "Simulated events per second.")
    var rate: Double = 4

    @Option(help: "outbox (default) or sync, as DELIVERY_MODE.")
    var delivery: String = "outbox"

    func validate() throws {
        guard rate > 0, rate <= 1000 else { throw ValidationError("--rate must be between 0 and 1000") }
        guard ReceiverConfiguration.DeliveryMode(rawValue: delivery) != nil else {
            throw ValidationError("--delivery must be outbox or sync")
        }
    }

    func run() async throws {
        var seconds: Double?
        if let duration {
            do {
                seconds = try GoDuration.parseSeconds(duration)
            } catch {
                fail(2, "--duration: \(error.description)")
            }
        } else if noTUI {
            seconds = 30
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flux-dispatch-demo-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let stateDB = db ?? directory.appendingPathComponent("state.db").path

        // A generated token and a throwaway App key: nothing real is needed or used.
        let token = Array(UUID().uuidString.utf8)
        let tokenPath = directory.appendingPathComponent("hmac-token").path
        let keyPath = directory.appendingPathComponent("demo-app.pem").path
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        for (path, contents) in [(tokenPath, Data(token)), (keyPath, Data(key.pemRepresentation.utf8))]
        where !FileManager.default.createFile(atPath: path, contents: contents, attributes: [.posixPermissions: 0o600]) {
            fail(1, "could not write \(path); check that \(directory.path) is writable (TMPDIR)")
        }

        // The stand-in GitHub.
        let github = GitHubStandIn()
        github.setDefaultBehaviour(.init(status: 204, delay: .milliseconds(60)))
        github.setBehaviour(.init(status: 404, delay: .milliseconds(40), message: "Not Found"), for: "Altinn/authentication")
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let gitHubApp = github.application(port: 0) { port in portContinuation.yield(port) }
        let gitHubGroup = ServiceGroup(services: [gitHubApp], gracefulShutdownSignals: [], logger: Logger(label: "demo-github"))
        let gitHubTask = Task { try await gitHubGroup.run() }
        var gitHubPort = 0
        for await port in ports {
            gitHubPort = port
            break
        }

        // The receiver, exactly as `serve` would run with this configuration. Logs go to a file.
        let configuration = ReceiverConfiguration(
            githubApp: .init(appID: "424242", installationID: "4242", privateKeyPath: keyPath), hmacTokenPath: tokenPath,
            githubAPIURL: URL(string: "http://127.0.0.1:\(gitHubPort)")!, listenAddress: .init(host: "127.0.0.1", port: 0),
            metricsAddress: .init(host: "127.0.0.1", port: 0), stateDB: stateDB,
            deliveryMode: ReceiverConfiguration.DeliveryMode(rawValue: delivery) ?? .outbox)
        let logPath = directory.appendingPathComponent("demo.log").path
        let output = LogOutput.file(logPath) ?? .discard
        let logger = Logger(label: "flux-dispatch") { label in JSONLogHandler(label: label, level: .info, output: output) }
        let runtime: ReceiverRuntime
        do {
            runtime = try await ReceiverRuntime(configuration: configuration, mode: "embedded", logger: logger, signals: [])
        } catch {
            fail(2, "cannot start the demo receiver: \(error)")
        }
        let receiverTask = Task { try await runtime.run() }
        guard let addresses = await runtime.addresses(), let port = addresses.webhook.port else {
            fail(1, "the demo receiver did not start; see \(logPath)")
        }
        let url = "http://127.0.0.1:\(port)/flux-events"

        let simulator = TrafficSimulator(url: url, token: token, github: github, rate: rate)
        let simulatorTask = Task { await simulator.run() }

        if noTUI {
            print("demo: receiver \(url), stand-in GitHub 127.0.0.1:\(gitHubPort), store \(stateDB)")
            try? await Task.sleep(for: .milliseconds(Int64((seconds ?? 30) * 1000)))
        } else {
            let loader = SnapshotLoader(
                store: runtime.store, host: ProcessInfo.processInfo.hostName, operatorName: operatorName ?? UnixUser.name,
                embeddedListen: ":\(port)")
            let session = DashboardSession(
                store: runtime.store, loader: loader, themeArgument: theme,
                noColor: ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false,
                stopAfter: seconds.map { .milliseconds(Int64($0 * 1000)) })
            _ = await session.run()
        }

        simulatorTask.cancel()
        let sent = await simulatorTask.value
        let summary = try Self.summary(store: runtime.store, sent: sent, dispatched: github.dispatches.count)
        await runtime.shutdown()
        _ = try? await receiverTask.value
        await gitHubGroup.triggerGracefulShutdown()
        _ = try? await gitHubTask.value
        print(summary)
        print("store kept at \(stateDB) (logs: \(logPath)); look again with: flux-dispatch dash --attach --db \(stateDB)")
    }

    static func summary(store: StateStore, sent: TrafficSimulator.Counts, dispatched: Int) throws -> String {
        // The store is closed once the receiver stops; read what the summary needs first.
        let outcomes = try store.outcomeCounts()
        let callouts = try store.callouts(for: "\u{0}demo").visible
        let hits = try store.dedupHits(since: 0).reduce(0) { $0 + $1.count }
        var lines = ["demo summary"]
        lines.append("  posted      \(sent.posted) events (\(sent.badSignatures) with a bad signature, answered 401), \(sent.errors) errors")
        lines.append("  outcomes    " + outcomes.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "  "))
        lines.append("  GitHub      \(dispatched) repository_dispatch events accepted by the stand-in")
        lines.append("  dedup hits  \(hits)")
        lines.append("  callouts    \(callouts.count) active" + (callouts.isEmpty ? "" : ": ") + callouts.map { "\($0.product)/\($0.environment) \($0.what)" }.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}
