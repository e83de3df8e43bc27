import ArgumentParser
import FluxDispatchCore
import Foundation
import GitHubStandIn
import Hummingbird

/// Runs the loopback GitHub stand-in on its own, for benchmarks and manual trials.
struct GitHubStandInCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "github-standin",
        abstract: "Run a stand-in GitHub API on loopback (token exchange and repository dispatches).",
        discussion: """
            For benchmarks and trials without GitHub: mints installation tokens for any RS256 App JWT and \
            answers dispatches 204 (or --status), or 404 for repositories listed with --not-installed. \
            A dispatch body GitHub would refuse (event_type missing or over 100 characters, client_payload \
            not an object of at most 10 string properties) is answered 422. --status 503 simulates a GitHub outage.

            Example:
              flux-dispatch github-standin --listen 127.0.0.1:9999 --latency 20ms
              GITHUB_API_URL=http://127.0.0.1:9999 GITHUB_APP_ID=1 ... flux-dispatch serve
            """,
        shouldDisplay: true
    )

    @Option(help: "Address to listen on (loopback only).")
    var listen = "127.0.0.1:9999"

    @Option(help: "Delay before each dispatch answer, Go syntax (e.g. 20ms).")
    var latency = "0s"

    @Option(name: .customLong("not-installed"), help: "Repositories (OWNER/REPO) that answer 404, comma separated.")
    var notInstalled: String = ""

    @Option(help: "HTTP status every other dispatch is answered with (204 accepts; 503 is an outage).")
    var status = 204

    func validate() throws {
        guard (200...599).contains(status) else { throw ValidationError("--status must be an HTTP status (200-599)") }
    }

    func run() async throws {
        let address: ListenAddress
        do {
            address = try ListenAddress(parsing: listen)
        } catch {
            fail(2, "--listen: \(error.description)")
        }
        guard address.host == "127.0.0.1" || address.host == "localhost" || address.host == "::1" else {
            fail(2, "--listen: the stand-in only listens on loopback (127.0.0.1, localhost or [::1])")
        }
        let delay: Duration
        do {
            delay = try GoDuration.parse(latency)
        } catch {
            fail(2, "--latency: \(error.description)")
        }
        let standIn = GitHubStandIn(keepsDispatches: false)
        standIn.setDefaultBehaviour(
            .init(status: status, delay: delay, message: status < 300 ? "" : "stand-in answering \(status)"))
        for repo in notInstalled.split(separator: ",") {
            standIn.setBehaviour(.init(status: 404, delay: delay, message: "Not Found"), for: String(repo))
        }
        let app = standIn.application(host: address.host, port: address.port) { port in
            FileHandle.standardError.write(Data("github-standin listening on \(address.host):\(port)\n".utf8))
        }
        try await app.runService()
    }
}
