import ArgumentParser
import FluxDispatchCore
import Hummingbird
import Logging
import NIOCore

/// The ceiling the receiver is measured against: a bare Hummingbird server that reads each request
/// body and answers 200, nothing else (no signature, no parse, no store). Benchmarks run the same
/// load against it and against `serve`, interleaved, and report the ratio, because on a shared
/// machine absolute figures move by half from one minute to the next.
struct BenchCeilingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-ceiling",
        abstract: "Run a bare HTTP server (read the body, answer 200) to benchmark the receiver against.",
        discussion: """
            Example (see scripts/bench.sh):
              flux-dispatch bench-ceiling --listen 127.0.0.1:18470 &
              flux-dispatch bench --url http://127.0.0.1:18470/flux-events --concurrency 64
            """,
        shouldDisplay: false
    )

    @Option(help: "Address to listen on.")
    var listen = "127.0.0.1:18470"

    func run() async throws {
        let address: ListenAddress
        do {
            address = try ListenAddress(parsing: listen)
        } catch {
            fail(2, "--listen: \(error.description)")
        }
        let router = Router()
        router.post("/flux-events") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 64 * 1024)
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: "{\"outcome\":\"ok\"}\n")))
        }
        var logger = Logger(label: "bench-ceiling")
        logger.logLevel = .warning
        let app = Application(
            router: router, configuration: .init(address: .hostname(address.host, port: address.port), serverName: nil, backlog: 1024),
            logger: logger)
        try await app.runService()
    }
}
