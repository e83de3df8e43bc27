import ArgumentParser
import FluxDispatchCore
import FluxDispatchStore
import Foundation

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "List recorded events, newest last; --follow keeps printing new ones (like tail -f).",
        discussion: """
            Examples:
              flux-dispatch events --since 1h
              flux-dispatch events --product dialogporten --env at23 \\
                --outcome dispatch_rejected
              flux-dispatch events --follow --json | jq .outcome
            """
    )

    @Flag(help: "Keep printing new events as they are recorded (^C to stop).")
    var follow = false

    @Option(help: "Only this product.")
    var product: String?

    @Option(help: "Only this environment.")
    var env: String?

    @Option(help: "Only this outcome (dispatched, dry_run, duplicate, dispatch_rejected, …).")
    var outcome: String?

    @Option(help: "Only events newer than this, Go duration syntax (e.g. 30m, 1h, 24h).")
    var since: String?

    @Option(help: "At most this many events (the newest).")
    var limit = 100

    @Flag(help: "One JSON object per line.")
    var json = false

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if let outcome, Outcome(rawValue: outcome) == nil {
            throw ValidationError("--outcome \"\(outcome)\" is not one of \(Outcome.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        var query = EventQuery(product: product, environment: env, outcome: outcome)
        if let since {
            do {
                query.since = EpochMilliseconds.now() - EpochMilliseconds(try GoDuration.parseSeconds(since) * 1000)
            } catch {
                throw ValidationError("--since: \(error.description)")
            }
        }
        let state = store.openExisting()
        if !json && !follow {
            print("TIME                  PRODUCT          ENV      REASON                   EVENT TYPE            OUTCOME              GH   MS     COMMIT")
        }
        var batch = try state.events(matching: query, limit: limit)
        while true {
            for entry in batch { print(json ? Self.json(entry) : Self.line(entry)) }
            fflush(nil)  // all output streams: lines show up at once when piped
            guard follow else { break }
            if let last = batch.last { query.afterID = last.id }
            if query.afterID == nil { query.afterID = 0 }
            try await Task.sleep(for: .milliseconds(500))
            batch = try state.events(matching: query, limit: 10_000)
        }
    }

    static func line(_ e: FeedEntry) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? String(s.prefix(n)) : s + String(repeating: " ", count: n - s.count) }
        // Product, environment and reason come from the events as sent: shown, never acted on.
        return TerminalText.printable(pad(Timestamp.iso(e.receivedAt), 22) + pad(e.product, 17) + pad(e.environment, 9) + pad(e.reason, 25)
            + pad(e.eventType, 22) + pad(e.outcome, 21) + pad(e.githubStatus.map(String.init) ?? "-", 5)
            + pad(String(Int(e.durationMilliseconds.rounded())), 7) + String(e.commitSHA.prefix(7)))
    }

    static func json(_ e: FeedEntry) -> String {
        let object: [String: Any] = [
            "id": e.id, "received_at": Timestamp.iso(e.receivedAt), "product": e.product, "environment": e.environment,
            "reason": e.reason, "repo": e.dispatchRepo, "event_type": e.eventType, "outcome": e.outcome,
            "github_status": e.githubStatus.map { $0 as Any } ?? NSNull(), "duration_ms": e.durationMilliseconds,
            "commit_sha": e.commitSHA, "detail": e.detail,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
