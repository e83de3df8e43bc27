import ArgumentParser
import FluxDispatchCore
import FluxDispatchDashboard
import FluxDispatchStore
import Foundation

/// Headless dashboards: each does what `dash` does to stay live (check SQLite's `data_version`
/// every 100 ms, load a full snapshot when it changed, at most every 250 ms while it keeps changing)
/// and measures how far behind live it is.
struct BenchReadersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-readers",
        abstract: "Run headless dashboards on a store and report how far behind live each stays.",
        discussion: """
            Each viewer polls the store's data_version every 100 ms, as the dashboard does, and on a change \
            loads the snapshot the dashboard shows (header counters, callouts, feed, dedup hits), paced \
            as the dashboard paces it: at most every 250 ms while the store keeps changing. Its lag \
            is the time from the newest event's arrival to the end of the load that shows it. Errors \
            (SQLITE_BUSY or any other) are counted: a dashboard would have shown them to its user. \
            Prints one JSON object. See scripts/bench-readers.sh.

            Example:
              flux-dispatch bench-readers --db /var/lib/flux-dispatch/state.db --viewers 10 --duration 2m
            """,
        shouldDisplay: false
    )

    @Option(name: [.customLong("db"), .customLong("state-db")], help: "The store a receiver is writing to.")
    var db: String

    @Option(help: "Headless dashboards.")
    var viewers = 10

    @Option(help: "How long, Go syntax.")
    var duration = "2m"

    struct ViewerResult: Sendable {
        var lags: [Double] = []
        var loads = 0
        var errors: [String] = []
    }

    func run() async throws {
        let seconds: Double
        do {
            seconds = try GoDuration.parseSeconds(duration)
        } catch {
            fail(2, "--duration: \(error.description)")
        }
        guard viewers >= 1, viewers <= 1000 else { fail(2, "--viewers must be 1-1000") }
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        let path = db
        let results = await withTaskGroup(of: ViewerResult.self) { group in
            for _ in 0..<viewers {
                group.addTask { await Self.view(path: path, until: deadline) }
            }
            var all: [ViewerResult] = []
            for await result in group { all.append(result) }
            return all
        }
        func percentile(_ sorted: [Double], _ p: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
        }
        let perViewer: [[String: Any]] = results.map { r in
            let sorted = r.lags.sorted()
            return ["loads": r.loads, "lag_p50_ms": percentile(sorted, 0.5), "lag_p99_ms": percentile(sorted, 0.99),
                    "lag_max_ms": sorted.last ?? 0, "errors": r.errors.count]
        }
        let all = results.flatMap(\.lags).sorted()
        let errors = results.flatMap(\.errors)
        let report: [String: Any] = [
            "viewers": viewers, "duration_s": seconds, "loads": results.reduce(0) { $0 + $1.loads },
            "lag_p50_ms": percentile(all, 0.5), "lag_p99_ms": percentile(all, 0.99), "lag_max_ms": all.last ?? 0,
            "errors": errors.count, "first_errors": Array(Set(errors).prefix(3)), "per_viewer": perViewer,
        ]
        let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
        if !errors.isEmpty { throw ExitCode(1) }
    }

    /// One headless dashboard until `deadline`.
    static func view(path: String, until deadline: ContinuousClock.Instant) async -> ViewerResult {
        var result = ViewerResult()
        let store: StateStore
        let watcher: StoreWatcher
        do {
            store = try StateStore(path: path)
            watcher = try StoreWatcher(path: path)
        } catch {
            result.errors.append("\(error)")
            return result
        }
        let loader = SnapshotLoader(store: store, host: "bench", operatorName: "viewer")
        var pacer = ReloadPacer()
        pacer.storeChanged()  // the first load
        var newestSeen: Int64 = 0
        while ContinuousClock.now < deadline {
            do {
                if try watcher.hasChanged() { pacer.storeChanged() }
                if pacer.isDue(at: .now) {
                    pacer.reloaded(at: .now)
                    let snapshot = try loader.load(now: .now(), filter: FeedFilter(), feedLimit: 200, detailID: nil)
                    result.loads += 1
                    // Only a load that brings a new event says how far behind live it is; a quiet
                    // store does not make the viewer late.
                    if let newest = snapshot.feed.first, newest.id > newestSeen {
                        if newestSeen > 0 { result.lags.append(Double(EpochMilliseconds.now() - newest.receivedAt)) }
                        newestSeen = newest.id
                    }
                }
            } catch {
                result.errors.append("\(error)")
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return result
    }
}
