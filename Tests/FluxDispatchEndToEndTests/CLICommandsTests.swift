import FluxDispatchCore
import FluxDispatchStore
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The operator commands, run as the built binary against a real store: `status` exit codes and
/// JSON, `events`, `dismiss` / `undismiss`, and `send` against a running `serve`.
final class CLICommandsTests: XCTestCase {
    var directory: URL!
    var db: String { directory.appendingPathComponent("state.db").path }
    var binary: String { DashboardEndToEndTests.binary.path }

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("\(binary) not built") }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    func record(
        _ store: StateStore, reason: String, product: String, outcome: Outcome, githubStatus: Int? = nil, message: String? = nil
    ) async throws {
        let event = FluxEvent(
            involvedObject: .init(kind: "Kustomization", name: "\(product)-apps", namespace: "ns"), reason: reason,
            message: message ?? "message of \(reason)", metadata: ["product": product, "env": "at23", "dispatch_repo": "Altinn/\(product)"])
        _ = try await store.record(
            EventWrite(
                record: EventRecord(
                    receivedAt: .now(), sourceAddress: "127.0.0.1", event: event, reasonClass: ReasonClass(reason: reason),
                    dispatchRepo: "Altinn/\(product)", eventType: "flux-deploy", dedupKey: nil, outcome: outcome,
                    httpStatus: outcome.httpStatus, githubStatus: githubStatus, durationMilliseconds: 2, detail: "",
                    body: "{}", payload: nil)))
    }

    func testStatusExitCodesFollowTheCallouts() async throws {
        let missing = Subprocess.run([binary, "status", "--db", db])
        XCTAssertEqual(missing.status, 2, missing.output)
        XCTAssertTrue(missing.output.contains("no state store"), missing.output)

        let store = try StateStore(path: db)
        try await record(store, reason: "ReconciliationSucceeded", product: "dialogporten", outcome: .dispatched, githubStatus: 204)
        let healthy = Subprocess.run([binary, "status", "--db", db])
        XCTAssertEqual(healthy.status, 0, healthy.output)
        XCTAssertTrue(healthy.output.contains("callouts   none"), healthy.output)

        try await record(store, reason: "HealthCheckFailed", product: "storage", outcome: .reasonNotRouted)
        let failing = Subprocess.run([binary, "status", "--json", "--db", db])
        XCTAssertEqual(failing.status, 1, failing.output)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(failing.output.utf8)) as? [String: Any])
        XCTAssertEqual(object["schema"] as? Int, 1)
        XCTAssertEqual((object["receiver"] as? [String: Any])?["alive"] as? Bool, false)
        let callouts = try XCTUnwrap(object["callouts"] as? [[String: Any]])
        XCTAssertEqual(callouts.map { $0["product"] as? String }, ["storage"])
        XCTAssertEqual(callouts.first?["what"] as? String, "HealthCheckFailed")
        XCTAssertEqual((object["routes"] as? [[String: Any]])?.first?["repo"] as? String, "Altinn/dialogporten")

        // A dismissal hides the callout on one operator's screen, but status still reports it.
        let dismissed = Subprocess.run([binary, "dismiss", "storage", "--operator", "alice", "--db", db])
        XCTAssertEqual(dismissed.status, 0, dismissed.output)
        let stillFailing = Subprocess.run([binary, "status", "--json", "--db", db])
        XCTAssertEqual(stillFailing.status, 1)
        XCTAssertTrue(stillFailing.output.contains("\"operator\" : \"alice\""), stillFailing.output)
        XCTAssertEqual(try store.callouts(for: "alice").visible.count, 0)
        let undone = Subprocess.run([binary, "undismiss", "storage", "--operator", "alice", "--db", db])
        XCTAssertEqual(undone.status, 0)
        XCTAssertEqual(try store.callouts(for: "alice").visible.count, 1)

        try await record(store, reason: "ReconciliationSucceeded", product: "storage", outcome: .reasonNotRouted)
        XCTAssertEqual(Subprocess.run([binary, "status", "--db", db]).status, 0)
    }

    func testRedeliverAndTheOutboxInStatus() async throws {
        let store = try StateStore(path: db)
        // A dispatch that went dead in the outbox.
        let event = FluxEvent(
            involvedObject: .init(kind: "Kustomization", name: "storage-apps", namespace: "ns"), reason: "ReconciliationSucceeded",
            message: "ok", metadata: ["product": "storage", "env": "at23", "dispatch_repo": "Altinn/storage"])
        let id = try await store.record(
            EventWrite(
                record: EventRecord(
                    receivedAt: .now(), sourceAddress: "127.0.0.1", event: event, reasonClass: .success, dispatchRepo: "Altinn/storage",
                    eventType: "flux-deploy", dedupKey: "storage-key", outcome: .queued, httpStatus: 200, githubStatus: nil,
                    durationMilliseconds: 2, detail: "", body: "{}", payload: "{}"),
                recordDedupKey: "storage-key",
                enqueue: OutboxEntry(dispatchRepo: "Altinn/storage", eventType: "flux-deploy", dedupKey: "storage-key")))
        let queued = Subprocess.run([binary, "status", "--json", "--db", db])
        XCTAssertEqual(queued.status, 0, "a queued dispatch is not a failure\n\(queued.output)")
        let pending = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(queued.output.utf8)) as? [String: Any])
        XCTAssertEqual((pending["outbox"] as? [String: Any])?["pending"] as? Int, 1)

        let item = try XCTUnwrap(try store.outboxItem(eventID: id))
        try await store.recordDeliveries([DeliveryReport(item: item, result: .dead(status: 503, detail: "gave up"), at: .now(), exchanges: [])])
        let dead = Subprocess.run([binary, "status", "--json", "--db", db])
        XCTAssertEqual(dead.status, 1, dead.output)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(dead.output.utf8)) as? [String: Any])
        let outbox = try XCTUnwrap(object["outbox"] as? [String: Any])
        XCTAssertEqual(outbox["pending"] as? Int, 0)
        XCTAssertEqual(outbox["dead_last_24h"] as? Int, 1)
        XCTAssertEqual((object["callouts"] as? [[String: Any]])?.first?["what"] as? String, "dispatch dead")
        XCTAssertTrue(Subprocess.run([binary, "status", "--db", db]).output.contains("1 dead"))

        let redelivered = Subprocess.run([binary, "redeliver", String(id), "--operator", "alice", "--db", db])
        XCTAssertEqual(redelivered.status, 0, redelivered.output)
        XCTAssertTrue(redelivered.output.contains("queued event \(id) for Altinn/storage"), redelivered.output)
        XCTAssertTrue(redelivered.output.contains("no receiver is running"), redelivered.output)
        XCTAssertEqual(try store.eventDetail(id: id)?.redeliveries.map(\.operatorName), ["alice"])

        let twice = Subprocess.run([binary, "redeliver", String(id), "--db", db])
        XCTAssertEqual(twice.status, 1)
        XCTAssertTrue(twice.output.contains("already queued"), twice.output)
        let unknown = Subprocess.run([binary, "redeliver", "999999", "--db", db])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.output.contains("no event 999999"), unknown.output)
        XCTAssertEqual(Subprocess.run([binary, "redeliver", "1", "--db", directory.appendingPathComponent("none.db").path]).status, 2)
    }

    func testEventsListsNewestLastWithFilters() async throws {
        let store = try StateStore(path: db)
        try await record(store, reason: "ReconciliationSucceeded", product: "dialogporten", outcome: .dispatched, githubStatus: 204)
        try await record(store, reason: "ReconciliationSucceeded", product: "dialogporten", outcome: .duplicate)
        try await record(store, reason: "BuildFailed", product: "storage", outcome: .dispatchRejected, githubStatus: 404)
        let all = Subprocess.run([binary, "events", "--json", "--db", db])
        XCTAssertEqual(all.status, 0, all.output)
        let lines = all.output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        XCTAssertEqual(lines.map { $0["outcome"] as? String }, ["dispatched", "duplicate", "dispatch_rejected"])
        XCTAssertEqual(lines.last?["repo"] as? String, "Altinn/storage")
        let filtered = Subprocess.run([binary, "events", "--product", "storage", "--since", "1h", "--db", db])
        XCTAssertTrue(filtered.output.contains("BuildFailed"), filtered.output)
        XCTAssertFalse(filtered.output.contains("dialogporten"), filtered.output)
        let bad = Subprocess.run([binary, "events", "--outcome", "nonsense", "--db", db])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.output.contains("--outcome"), bad.output)
    }

    /// Product names and messages arrive in events as sent. Printed raw, an ESC in one would be an
    /// escape sequence run in the operator's terminal (clear the screen, retitle the window); the
    /// text output shows such characters escaped, and the JSON output keeps them as they are.
    func testTextOutputShowsControlCharactersFromEventsWithoutActingOnThem() async throws {
        let store = try StateStore(path: db)
        let product = "evil\u{1B}]0;owned\u{07}"
        try await record(
            store, reason: "HealthCheckFailed", product: product, outcome: .reasonNotRouted,
            message: "line one\n\u{1B}[2Jline two \u{202E}desrever")
        for command in [["status"], ["events"]] {
            let run = Subprocess.run([binary] + command + ["--db", db])
            XCTAssertFalse(run.output.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\u{202E}" }, run.output)
            XCTAssertTrue(run.output.contains("evil\\u{1B}]0;owned\\u{7}"), run.output)
        }
        let status = Subprocess.run([binary, "status", "--db", db]).output
        XCTAssertTrue(status.contains("line one \\u{1B}[2Jline two \\u{202E}desrever"), status)
        let json = Subprocess.run([binary, "status", "--json", "--db", db])
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        XCTAssertEqual((object["callouts"] as? [[String: Any]])?.first?["product"] as? String, product)
    }

    func testSendSignsLikeFluxAndPrintsTheAnswer() async throws {
        let token = directory.appendingPathComponent("token").path
        try Data("send-token\n".utf8).write(to: URL(fileURLWithPath: token))
        let port = try DashboardEndToEndTests.freePort()
        let log = directory.appendingPathComponent("serve.log").path
        let pid = try XCTUnwrap(
            Subprocess.start(
                [binary, "serve", "--hmac-token-path", token, "--db", db, "--listen-addr", "127.0.0.1:\(port)",
                 "--metrics-addr", "127.0.0.1:0"], logPath: log))
        defer { _ = Subprocess.stop(pid) }
        let example = Subprocess.run([binary, "send", "--example"])
        XCTAssertEqual(example.status, 0)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(example.output.utf8)))
        let url = "http://127.0.0.1:\(port)/flux-events"
        var answer = (status: Int32(0), output: "")
        for _ in 0..<50 {
            answer = Subprocess.run([binary, "send", "-", "--url", url, "--token-file", token], stdin: example.output)
            if answer.status == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertEqual(answer.status, 0, answer.output)
        XCTAssertTrue(answer.output.hasPrefix("200"), answer.output)
        XCTAssertTrue(answer.output.contains("dry_run"), answer.output)
        let unsigned = Subprocess.run([binary, "send", "-", "--url", url], stdin: example.output)
        XCTAssertEqual(unsigned.status, 1)
        XCTAssertTrue(unsigned.output.hasPrefix("401"), unsigned.output)
        XCTAssertEqual(Subprocess.stop(pid), 0, "serve exits 0 on SIGTERM")
    }

    func testBenchLoadsTheReceiverAndReplaysAStaticSignedBody() async throws {
        let token = directory.appendingPathComponent("token").path
        try Data("bench-token\n".utf8).write(to: URL(fileURLWithPath: token))
        let port = try DashboardEndToEndTests.freePort()
        let pid = try XCTUnwrap(
            Subprocess.start(
                [binary, "serve", "--hmac-token-path", token, "--db", db, "--listen-addr", "127.0.0.1:\(port)",
                 "--metrics-addr", "127.0.0.1:0"], logPath: directory.appendingPathComponent("serve.log").path))
        defer { _ = Subprocess.stop(pid) }
        let url = "http://127.0.0.1:\(port)/flux-events"
        let example = Subprocess.run([binary, "send", "--example"]).output
        for _ in 0..<50 where Subprocess.run([binary, "send", "-", "--url", url, "--token-file", token], stdin: example).status != 0 {
            try await Task.sleep(for: .milliseconds(100))
        }
        func bench(_ arguments: [String]) throws -> [String: Any] {
            let run = Subprocess.run([binary, "bench", "--url", url, "--token-file", token, "--json", "--duration", "1s"] + arguments)
            XCTAssertEqual(run.status, 0, run.output)
            return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any], run.output)
        }

        let mixed = try bench(["--concurrency", "4", "--duplicate-ratio", "0.5"])
        let requests = try XCTUnwrap(mixed["requests"] as? Int)
        XCTAssertGreaterThan(requests, 0)
        XCTAssertEqual(mixed["errors"] as? Int, 0)
        XCTAssertEqual((mixed["statuses"] as? [String: Int])?["200"], requests, "every request signed and answered 200")
        let outcomes = try XCTUnwrap(mixed["outcomes"] as? [String: Int])
        XCTAssertGreaterThan(outcomes["dry_run"] ?? 0, 0, "new digests")
        XCTAssertGreaterThan(outcomes["duplicate"] ?? 0, 0, "repeats of the seeded pool")

        // One body, signed once: the receiver accepts every request, and all but the first repeat it.
        let body = directory.appendingPathComponent("static.json").path
        try Data(example.utf8).write(to: URL(fileURLWithPath: body))
        let replay = try bench(["--concurrency", "2", "--static-body", body])
        let replayed = try XCTUnwrap(replay["requests"] as? Int)
        XCTAssertEqual((replay["statuses"] as? [String: Int])?["200"], replayed, "the one signature is right")
        XCTAssertEqual((replay["outcomes"] as? [String: Int])?["duplicate"], replayed, "the example was sent before")

        XCTAssertEqual(Subprocess.stop(pid), 0)
        let down = Subprocess.run([binary, "bench", "--url", url, "--duration", "1s"])
        XCTAssertEqual(down.status, 1)
        XCTAssertTrue(down.output.contains("start the receiver first"), down.output)
    }

    /// `bench-pipeline` puts events through the real pipeline on a temporary store, answers each as
    /// its path expects (or fails), reports CPU per event, and leaves nothing behind.
    func testBenchPipelineMeasuresBothPathsAndCleansUp() throws {
        let scratch = directory.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        for (path, events) in [("duplicate", 300), ("dry-run", 200)] {
            let run = Subprocess.run(
                [binary, "bench-pipeline", "--path", path, "--events", String(events), "--concurrency", "8", "--json"],
                environment: ["TMPDIR": scratch.path])
            XCTAssertEqual(run.status, 0, run.output)
            let line = try XCTUnwrap(run.output.split(separator: "\n").last(where: { $0.hasPrefix("{") }), run.output)
            let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertEqual(result["path"] as? String, path)
            XCTAssertEqual(result["events"] as? Int, events)
            XCTAssertGreaterThan(try XCTUnwrap(result["cpu_us_per_event"] as? Double), 0)
            XCTAssertGreaterThan(try XCTUnwrap(result["wall_us_per_event"] as? Double), 0)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [], "the temporary store and log are removed")
        let bad = Subprocess.run([binary, "bench-pipeline", "--events", "0"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.output.contains("--events must be at least 1"), bad.output)
    }

    func testDemoRunsHeadlessAndProducesDispatchesCalloutsAndDedupHits() throws {
        let run = Subprocess.run([binary, "demo", "--no-tui", "--duration", "6s", "--rate", "10", "--db", db])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("demo summary"), run.output)
        let store = try StateStore(path: db)
        let outcomes = try store.outcomeCounts()
        XCTAssertGreaterThan(outcomes["dispatched"] ?? 0, 0, run.output)
        XCTAssertGreaterThan(outcomes["duplicate"] ?? 0, 0, run.output)
        XCTAssertGreaterThan(outcomes["dispatch_rejected"] ?? 0, 0, "authentication answers 404 in the demo")
        XCTAssertGreaterThan(try store.callouts(for: "nobody").visible.count, 0, run.output)
        XCTAssertGreaterThan(try store.rejectionCounts(since: 0)[.badSignature] ?? 0, 0, "the demo sends a few bad signatures")
    }
}
