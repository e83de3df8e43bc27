import ArgumentParser
import FluxDispatchCore
import FluxDispatchDashboard
import FluxDispatchStore
import Foundation

/// Measures the dashboard's frame (snapshot query + layout + render into the cell grid) on a large
/// store, without a terminal.
struct BenchDashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-dashboard",
        abstract: "Fill a store with events and time the dashboard's frame (query + layout + render).",
        discussion: """
            Creates (or reuses) a store with --events events over --products products, a share of them \
            failures and duplicates, then renders --frames frames at --width x --height and prints the \
            median, p90 and p99 frame time.

            Example:
              flux-dispatch bench-dashboard --db /tmp/bench.db --events 100000 \\
                --products 200
            """
    )

    @Option(name: [.customLong("db"), .customLong("state-db")], help: "Store to fill and read.")
    var db: String

    @Option(help: "Events to have in the store.")
    var events = 100_000

    @Option(help: "Distinct products.")
    var products = 200

    @Option(help: "Frames to time.")
    var frames = 200

    @Option(help: "Grid width.")
    var width = 200

    @Option(help: "Grid height.")
    var height = 60

    func run() async throws {
        let store: StateStore
        do {
            store = try StateStore(path: db)
        } catch {
            fail(2, "--db: \(error)")
        }
        let existing = try store.eventCount()
        if existing < events {
            let started = ContinuousClock.now
            try await fill(store, count: events - existing, offset: existing)
            print("filled \(events - existing) events in \(ContinuousClock.now - started)")
        }
        let loader = SnapshotLoader(store: store, host: "bench", operatorName: "bench", embeddedListen: ":8080")
        let state = DashboardState(themeIndex: 0)
        var timings: [Double] = []
        var cells = 0
        for _ in 0..<frames {
            let began = ContinuousClock.now
            let snapshot = try loader.load(now: .now(), filter: state.feedFilter, feedLimit: height * 4, detailID: nil)
            let grid = DashboardRenderer.render(snapshot: snapshot, state: state, size: TerminalSize(width: width, height: height), glyphs: .unicode)
            let elapsed = ContinuousClock.now - began
            cells += grid.cells.count
            timings.append(elapsed.inMilliseconds)
        }
        timings.sort()
        func percentile(_ p: Double) -> Double { timings[min(timings.count - 1, Int(Double(timings.count) * p))] }
        print("store        \(try store.eventCount()) events, \(products) products")
        print(String(format: "frame        median %.2f ms   p90 %.2f ms   p99 %.2f ms   (%d frames, %dx%d)", percentile(0.5), percentile(0.9), percentile(0.99), frames, width, height))
    }

    private func fill(_ store: StateStore, count: Int, offset: Int) async throws {
        let now = EpochMilliseconds.now()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<64 {
                group.addTask {
                    var i = worker
                    while i < count {
                        let n = offset + i
                        let product = "product-\(n % products)"
                        let failing = n % 97 == 0
                        let duplicate = n % 3 == 0
                        let reason = failing ? "HealthCheckFailed" : "ReconciliationSucceeded"
                        let event = FluxEvent(
                            involvedObject: .init(kind: "Kustomization", name: "\(product)-apps", namespace: product), severity: "info",
                            reason: reason, message: failing ? "timeout waiting for Deployment/\(product)" : "Applied revision",
                            metadata: ["product": product, "env": ["at23", "tt02", "yt01", "prod"][n % 4],
                                       "dispatch_repo": "Altinn/\(product)",
                                       "kustomize.toolkit.fluxcd.io/revision": "at23@sha256:\(n)",
                                       "kustomize.toolkit.fluxcd.io/originRevision": "main/\(n)abcdef"])
                        let outcome: Outcome = duplicate ? .duplicate : (n % 211 == 0 ? .dispatchRejected : .dispatched)
                        let record = EventRecord(
                            receivedAt: now - EpochMilliseconds(count - i) * 30, sourceAddress: "127.0.0.1", event: event,
                            reasonClass: ReasonClass(reason: reason), dispatchRepo: "Altinn/\(product)",
                            eventType: failing ? "flux-deploy-failed" : "flux-deploy", dedupKey: "k\(n)", outcome: outcome,
                            httpStatus: 200, githubStatus: outcome == .dispatched ? 204 : (outcome == .dispatchRejected ? 404 : nil),
                            durationMilliseconds: 12, detail: "", body: "{}", payload: nil)
                        _ = try await store.record(EventWrite(record: record))
                        i += 64
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
