import ArgumentParser
import FluxDispatchCore
import FluxDispatchReceiver
import FluxDispatchStore
import Foundation
import Logging

/// Measures the receiver's own work per event, without HTTP: the CPU time the whole process spends
/// (the request's steps, the log line and the store's write on its own thread) for each event put
/// through the pipeline by concurrent callers, as concurrent requests would.
///
/// Why beside `bench`: on a shared machine, events/s under HTTP load moves by a third from one
/// minute to the next, and the load generator and the HTTP stack take most of the CPU. CPU time per
/// event in one process moves by a few percent, so a change to the pipeline or the store can be
/// measured before and after in a minute.
struct BenchPipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-pipeline",
        abstract: "Time the receiver's pipeline per event in one process (no HTTP): CPU and wall time.",
        discussion: """
            Puts --events signed events through the same pipeline `serve` runs (signature, parse, triage, \
            dedup, record, log line) on a temporary store, from --concurrency callers at once (so writes \
            share commits as concurrent requests' do), and prints the wall time and the process's CPU time \
            (user + system, every thread, the store's writer included) per event.

            --path duplicate: repeats of events already recorded (the dedup path).
            --path dry-run: a new event each time, dispatched in dry run (the record-and-claim path).

            Log lines go to a temporary file, as serve's stderr would to a file or a pipe.

            Example:
              flux-dispatch bench-pipeline --path duplicate --events 200000
            """
    )

    enum Path: String, ExpressibleByArgument, CaseIterable {
        case duplicate
        case dryRun = "dry-run"
    }

    @Option(help: "duplicate or dry-run.")
    var path: Path = .duplicate

    @Option(help: "Events to time (prepared and signed before the clock starts).")
    var events = 100_000

    @Option(help: "Callers putting events through at once, like concurrent requests.")
    var concurrency = 64

    @Flag(help: "Print one JSON object instead of a line of text.")
    var json = false

    func validate() throws {
        guard events > 0 else { throw ValidationError("--events must be at least 1") }
        guard concurrency > 0 else { throw ValidationError("--concurrency must be at least 1") }
    }

    /// A run that cannot finish, reported once the temporary store is removed.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flux-dispatch-bench-\(UUID().uuidString)")
        let report: String
        do {
            report = try await measure(in: directory)
        } catch {
            // `fail` exits at once, so the temporary store goes first.
            try? FileManager.default.removeItem(at: directory)
            fail(1, "\(error)")
        }
        try? FileManager.default.removeItem(at: directory)
        print(report)
    }

    /// Runs the measurement on a store in `directory`; returns the line to print.
    private func measure(in directory: URL) async throws -> String {
        let logPath = directory.appendingPathComponent("log.jsonl").path
        let store: StateStore
        do {
            store = try StateStore(path: directory.appendingPathComponent("state.db").path)
        } catch {
            throw Failure(description: "cannot create a temporary store under \(FileManager.default.temporaryDirectory.path): \(error)")
        }
        guard let output = LogOutput.file(logPath) else { throw Failure(description: "cannot create a log file under \(directory.path)") }
        let logger = Logger(label: "flux-dispatch") { label in JSONLogHandler(label: label, level: .info, output: output) }

        let metrics = ReceiverMetrics()
        let dedup = try DedupGate(store: store, ttlSeconds: 86_400, capacity: 10_000, metrics: metrics, now: .now())
        let signer = SignatureVerifier(token: Array(UUID().uuidString.utf8))
        let pipeline = EventPipeline(
            verifier: signer, rules: Triage.Rules(), delivery: .dryRun, dedup: dedup, store: store, metrics: metrics,
            rejections: RejectionCounter(), logger: logger)

        let source = EventSource(
            repos: ["Altinn/bench"], signer: signer, duplicateRatio: 0, fixedBody: nil, runID: UInt32.random(in: 0...UInt32.max))
        let requests: [EventSource.Request]
        let expected: String
        switch path {
        case .duplicate:
            // A pool of events, each recorded once, then repeated.
            let pool = (0..<source.poolSize).map(source.seed)
            for request in pool {
                let answer = await pipeline.handle(body: request.body, signature: request.signature, source: "127.0.0.1")
                guard answer.outcome == Outcome.dryRun.rawValue else { throw Failure(description: "seeding the dedup pool: \(answer.body)") }
            }
            requests = pool
            expected = Outcome.duplicate.rawValue
        case .dryRun:
            var generator = SystemRandomNumberGenerator()
            requests = (0..<events).map { _ in source.next(using: &generator) }
            expected = Outcome.dryRun.rawValue
        }
        await store.flush()

        let cpuBefore = Self.processCPUMicroseconds()
        let started = ContinuousClock.now
        let callers = min(concurrency, events)
        let unexpected = await withTaskGroup(of: Int.self) { group in
            for caller in 0..<callers {
                group.addTask {
                    var unexpected = 0
                    for i in stride(from: caller, to: events, by: callers) {
                        let request = requests[i % requests.count]
                        let answer = await pipeline.handle(body: request.body, signature: request.signature, source: "127.0.0.1")
                        if answer.outcome != expected { unexpected += 1 }
                    }
                    return unexpected
                }
            }
            return await group.reduce(0, +)
        }
        let wall = ContinuousClock.now - started
        await store.flush()  // the writes queued during the run are part of its cost
        let cpu = Self.processCPUMicroseconds() - cpuBefore
        try store.close()
        guard unexpected == 0 else { throw Failure(description: "\(unexpected) of \(events) events were not answered \(expected)") }

        let wallPerEvent = wall.inMilliseconds * 1000 / Double(events)
        let cpuPerEvent = cpu / Double(events)
        if json {
            return #"{"path":"\#(path.rawValue)","events":\#(events),"wall_us_per_event":\#(Self.twoDecimals(wallPerEvent)),"cpu_us_per_event":\#(Self.twoDecimals(cpuPerEvent))}"#
        }
        return "\(path.rawValue): \(events) events, \(Self.twoDecimals(wallPerEvent)) µs wall and \(Self.twoDecimals(cpuPerEvent)) µs CPU per event"
    }

    /// User and system time of every thread of this process so far.
    static func processCPUMicroseconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
    }

    static func twoDecimals(_ value: Double) -> String { String(format: "%.2f", value) }
}
