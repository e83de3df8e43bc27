import ArgumentParser
import FluxDispatchCore
import FluxDispatchReceiver
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOConcurrencyHelpers

/// A load generator for the receiver: signed Flux events over keep-alive HTTP/1.1 connections.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Send signed Flux events to a receiver and report events/s and latency percentiles.",
        discussion: """
            Each of --concurrency workers keeps one connection and sends one event at a time. A share \
            of --duplicate-ratio re-sends an event already sent (the dedup path); the rest carry a \
            new digest (the dispatch path). --rate paces the total to a steady events/s instead of \
            as fast as possible. --static-body replays one file's bytes, signed once, so the figures \
            compare with wrk's.

            Examples:
              flux-dispatch bench --token-file token --concurrency 16 --duration 10s --duplicate-ratio 1
              flux-dispatch bench --token-file token --rate 500 --duration 30s
            """
    )

    @Option(help: "Receiver URL.")
    var url = "http://127.0.0.1:8080/flux-events"

    @Option(name: .customLong("token-file"), help: "HMAC token file; without it, requests are unsigned.")
    var tokenFile: String?

    @Option(help: "Connections sending at once.")
    var concurrency = 16

    @Option(help: "How long to send, Go syntax.")
    var duration = "10s"

    @Option(name: .customLong("duplicate-ratio"), help: "Share of requests (0-1) that repeat an event already sent.")
    var duplicateRatio = 0.0

    @Option(help: "Steady total events/s; default: as fast as possible.")
    var rate: Double?

    @Option(help: "dispatch_repo of the events.")
    var repo = "Altinn/bench"

    @Option(help: "Spread the events over this many repositories (REPO-0, REPO-1, …) instead of one.")
    var repositories = 1

    @Option(name: .customLong("static-body"), help: "Replay this file's bytes on every request.")
    var staticBody: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard concurrency >= 1, concurrency <= 4096 else { throw ValidationError("--concurrency must be 1-4096") }
        guard repositories >= 1, repositories <= 10_000 else { throw ValidationError("--repositories must be 1-10000") }
        guard (0...1).contains(duplicateRatio) else { throw ValidationError("--duplicate-ratio must be between 0 and 1") }
        if let rate, rate <= 0 { throw ValidationError("--rate must be positive") }
    }

    func run() async throws {
        guard let target = URL(string: url), let host = target.host, target.scheme == "http" else {
            fail(2, "--url: \"\(url)\" is not an http:// URL")
        }
        let port = target.port ?? 80
        let path = target.path.isEmpty ? "/" : target.path
        let seconds: Double
        do {
            seconds = try GoDuration.parseSeconds(duration)
        } catch {
            fail(2, "--duration: \(error.description)")
        }
        var signer: SignatureVerifier?
        if let tokenFile {
            do {
                signer = SignatureVerifier(token: try HMACTokenFile.read(tokenFile))
            } catch {
                fail(2, "--token-file: \(error.problem)")
            }
        }
        var fixed: [UInt8]?
        if let staticBody {
            guard let data = FileManager.default.contents(atPath: staticBody) else { fail(2, "--static-body: cannot read \(staticBody)") }
            fixed = Array(data)
        }
        let repos = repositories == 1 ? [repo] : (0..<repositories).map { "\(repo)-\($0)" }
        let events = EventSource(repos: repos, signer: signer, duplicateRatio: duplicateRatio, fixedBody: fixed, runID: UInt32.random(in: 0...UInt32.max))

        do {
            try await BenchConnection.open(host: host, port: port) { _ in }
        } catch {
            fail(1, "cannot connect to \(host):\(port): \(error)\nstart the receiver first (flux-dispatch serve), or check --url")
        }

        // Seed the duplicate pool so the timed run's duplicates are real dedup hits.
        if duplicateRatio > 0, fixed == nil {
            try await BenchConnection.open(host: host, port: port) { seeder in
                for index in 0..<events.poolSize {
                    _ = try await seeder.send(path: path, host: host, request: events.seed(index))
                }
            }
        }

        let perWorkerInterval = rate.map { Double(concurrency) / $0 }
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(Int64(seconds * 1000))
        let results = try await withThrowingTaskGroup(of: WorkerResult.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var result = WorkerResult()
                    var generator = SystemRandomNumberGenerator()
                    var sent = 0
                    var finished = false
                    // Stagger paced workers so their sends spread over the interval.
                    let offset = perWorkerInterval.map { $0 * Double(worker) / Double(concurrency) } ?? 0
                    // One connection at a time, until the deadline; a new one after the server
                    // closed the last or a request on it failed.
                    while !finished, ContinuousClock.now < deadline {
                        try await BenchConnection.open(host: host, port: port) { connection in
                            while ContinuousClock.now < deadline {
                                if let interval = perWorkerInterval {
                                    let due = start + .milliseconds(Int64((offset + Double(sent) * interval) * 1000))
                                    if due > deadline {
                                        finished = true
                                        return
                                    }
                                    if due > ContinuousClock.now { try await Task.sleep(until: due, clock: .continuous) }
                                }
                                let request = events.next(using: &generator)
                                let began = ContinuousClock.now
                                sent += 1
                                do {
                                    let response = try await connection.send(path: path, host: host, request: request)
                                    let elapsed = ContinuousClock.now - began
                                    result.latencies.append(elapsed.inMilliseconds)
                                    result.statuses[response.status, default: 0] += 1
                                    result.outcomes[response.outcome, default: 0] += 1
                                    if response.closed { return }
                                } catch {
                                    result.errors += 1
                                    return
                                }
                            }
                        }
                    }
                    return result
                }
            }
            var all = WorkerResult()
            for try await result in group { all.merge(result) }
            return all
        }
        let elapsed = ContinuousClock.now - start
        let wall = elapsed.inMilliseconds / 1000
        report(results, wall: wall)
    }

    private func report(_ result: WorkerResult, wall: Double) {
        let sorted = result.latencies.sorted()
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
        }
        let count = sorted.count
        let throughput = Double(count) / wall
        if json {
            let object: [String: Any] = [
                "url": url, "concurrency": concurrency, "duration_s": wall, "requests": count, "errors": result.errors,
                "events_per_second": throughput, "p50_ms": percentile(0.50), "p90_ms": percentile(0.90),
                "p99_ms": percentile(0.99), "max_ms": sorted.last ?? 0, "duplicate_ratio": duplicateRatio,
                "statuses": Dictionary(uniqueKeysWithValues: result.statuses.map { (String($0.key), $0.value) }),
                "outcomes": result.outcomes,
            ]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("target       \(url)  concurrency \(concurrency)  duplicate ratio \(duplicateRatio)\(rate.map { "  rate \($0)/s" } ?? "")")
        print(String(format: "requests     %d in %.1fs, %d errors", count, wall, result.errors))
        print(String(format: "throughput   %.0f events/s", throughput))
        print(String(format: "latency      p50 %.2f ms   p90 %.2f ms   p99 %.2f ms   max %.2f ms",
                     percentile(0.5), percentile(0.9), percentile(0.99), sorted.last ?? 0))
        print("statuses     " + result.statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "  "))
        print("outcomes     " + result.outcomes.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "  "))
    }
}

struct WorkerResult: Sendable {
    var latencies: [Double] = []
    var statuses: [Int: Int] = [:]
    var outcomes: [String: Int] = [:]
    var errors = 0

    init() { latencies.reserveCapacity(100_000) }

    mutating func merge(_ other: WorkerResult) {
        latencies.append(contentsOf: other.latencies)
        statuses.merge(other.statuses, uniquingKeysWith: +)
        outcomes.merge(other.outcomes, uniquingKeysWith: +)
        errors += other.errors
    }
}

/// Makes signed event bodies: new digests for the dispatch path, repeats of a small pool for the
/// dedup path.
struct EventSource: Sendable {
    struct Request: Sendable {
        var body: [UInt8]
        var signature: String?
    }

    let repos: [String]
    let signer: SignatureVerifier?
    let duplicateRatio: Double
    /// `--static-body`: the one request, signed once.
    private let fixed: Request?
    let runID: UInt32
    let poolSize = 64
    private let counter = Counter()

    init(repos: [String], signer: SignatureVerifier?, duplicateRatio: Double, fixedBody: [UInt8]?, runID: UInt32) {
        self.repos = repos
        self.signer = signer
        self.duplicateRatio = duplicateRatio
        self.fixed = fixedBody.map { Request(body: $0, signature: signer?.signatureHeader(for: $0)) }
        self.runID = runID
    }

    func seed(_ index: Int) -> Request { sign(body(digest: "seed\(index)", repo: repos[index % repos.count])) }

    func next(using generator: inout SystemRandomNumberGenerator) -> Request {
        if let fixed { return fixed }
        if duplicateRatio > 0, Double.random(in: 0..<1, using: &generator) < duplicateRatio {
            return seed(Int.random(in: 0..<poolSize, using: &generator))
        }
        let n = counter.next()
        return sign(body(digest: "n\(n)", repo: repos[n % repos.count]))
    }

    private func body(digest: String, repo: String) -> [UInt8] {
        let d = String(format: "%08x", runID) + digest
        return Array(
            """
            {"involvedObject":{"kind":"Kustomization","name":"bench-apps","namespace":"product-bench"},\
            "severity":"info","reason":"ReconciliationSucceeded","message":"Applied revision at23@sha256:\(d)",\
            "metadata":{"kustomize.toolkit.fluxcd.io/originRevision":"main/abc1234def5678",\
            "kustomize.toolkit.fluxcd.io/revision":"at23@sha256:\(d)","product":"bench","env":"at23",\
            "dispatch_repo":"\(repo)","dispatch_event":"flux-deploy"},\
            "timestamp":"2026-03-05T12:00:00Z","reportingController":"kustomize-controller"}
            """.utf8)
    }

    private func sign(_ body: [UInt8]) -> Request {
        Request(body: body, signature: signer?.signatureHeader(for: body))
    }

    final class Counter: Sendable {
        private let value = NIOLockedValueBox(0)
        func next() -> Int {
            value.withLockedValue {
                $0 += 1
                return $0
            }
        }
    }
}

/// One keep-alive HTTP/1.1 connection sending one request at a time.
struct BenchConnection {
    struct Response {
        var status: Int
        var outcome: String
        var closed: Bool
    }

    private var iterator: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>

    /// Connects, runs `body` with the connection, and closes it when `body` returns or throws.
    static func open(host: String, port: Int, _ body: (inout BenchConnection) async throws -> Void) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var connection = BenchConnection(iterator: inbound.makeAsyncIterator(), outbound: outbound)
            try await body(&connection)
        }
    }

    mutating func send(path: String, host: String, request: EventSource.Request) async throws -> Response {
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
        head.headers.add(name: "Host", value: host)
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: String(request.body.count))
        if let signature = request.signature { head.headers.add(name: "X-Signature", value: signature) }
        try await outbound.write(contentsOf: [.head(head), .body(.byteBuffer(ByteBuffer(bytes: request.body))), .end(nil)])
        var status = 0
        var closed = false
        var body = ByteBuffer()
        while let part = try await iterator.next() {
            switch part {
            case .head(let response):
                status = Int(response.status.code)
                closed = response.headers.first(name: "connection")?.lowercased() == "close"
            case .body(var chunk):
                body.writeBuffer(&chunk)
            case .end:
                return Response(status: status, outcome: Self.outcome(in: body), closed: closed)
            }
        }
        throw ChannelError.eof
    }

    static func outcome(in body: ByteBuffer) -> String {
        let text = String(buffer: body)
        guard let range = text.range(of: "\"outcome\":\"") else { return "-" }
        let rest = text[range.upperBound...]
        return String(rest.prefix { $0 != "\"" })
    }
}
