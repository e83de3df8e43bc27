import ArgumentParser
import FluxDispatchCore
import FluxDispatchDashboard
import FluxDispatchStore
import Foundation

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "One-shot summary of the store: receiver, active callouts, last dispatch per route, dedup hits.",
        discussion: """
            Exit codes, for monitoring checks: 0 no callout is active, 1 at least one callout is active \
            (dismissed or not: a dismissal is one operator's screen, not a fix), 2 the store cannot be read.

            --json prints one object (schema 1):
              {"schema": 1, "store": PATH, "now": TIME,
               "receiver": {"alive": BOOL, "host", "pid", "listen", "metrics",
                 "mode", "delivery_mode", "dry_run", "version", "started_at",
                 "last_beat_at", "token_state"} | {"alive": false},
               "callouts": [{"product", "environment",
                 "kind": "reconciliation"|"dispatch"|"paused", "what", "message",
                 "since", "last_at", "count", "event_id", "repo", "event_type",
                 "dismissed_by": [{"operator", "at"}]}],
               "routes": [{"product", "environment", "repo", "event_type",
                 "last_outcome", "github_status", "last_attempt_at",
                 "last_delivered_at", "failing_since", "consecutive_failures"}],
               "outbox": {"pending", "retrying", "oldest_queued_at",
                 "oldest_age_seconds", "dead_last_24h", "rejected_last_24h",
                 "paused": [{"repo", "pending", "since", "probe_at",
                   "consecutive_failures", "last_error"}]},
               "last_hour": {"events", "delivered", "dispatch_failed",
                 "duplicates"},
               "dedup_hits_last_hour": [{"product", "environment", "reason",
                 "count", "last_at"}]}
            Times are RFC 3339 UTC strings; absent values are null.

            Examples:
              flux-dispatch status
              flux-dispatch status --json --db /var/lib/flux-dispatch/state.db \\
                | jq .callouts
            """
    )

    @Flag(help: "Print JSON (see above for the shape).")
    var json = false

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let state = store.openExisting()
        let now = EpochMilliseconds.now()
        let report: [String: Any]
        let active: Int
        do {
            let live = try state.liveReceivers(freshAfter: now - SnapshotLoader.liveWindow).first
            // Every active callout, with all dismissals: status speaks for no single operator.
            let callouts = try state.callouts(for: "\u{0}status").visible
            active = callouts.count
            let outbox = try state.outboxSummary(endedSince: now - 86_400_000)
            let hour = try state.activity(since: now - 3_600_000)
            report = [
                "schema": 1, "store": state.path, "now": Timestamp.iso(now),
                "receiver": live.map(Self.receiver) ?? ["alive": false],
                "callouts": callouts.map(Self.callout),
                "routes": try state.routeStates().map(Self.route),
                "outbox": Self.outbox(outbox, now: now),
                "last_hour": [
                    "events": hour.events, "delivered": hour.delivered, "dispatch_failed": hour.dispatchFailed,
                    "duplicates": hour.duplicates,
                ],
                "dedup_hits_last_hour": try state.dedupHits(since: now - 3_600_000).map {
                    ["product": $0.product, "environment": $0.environment, "reason": $0.reason, "count": $0.count,
                     "last_at": Timestamp.iso($0.lastAt)] as [String: Any]
                },
            ]
        } catch {
            fail(2, "cannot read the state store \(state.path): \(error)")
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        } else {
            printText(report)
        }
        if active > 0 { throw ExitCode(1) }
    }

    private func printText(_ report: [String: Any]) {
        // Product names, messages and GitHub errors come from outside: shown, never acted on.
        func print(_ line: String) { Swift.print(TerminalText.printable(line)) }
        let receiver = report["receiver"] as? [String: Any] ?? [:]
        if receiver["alive"] as? Bool == true {
            let dryRun = receiver["dry_run"] as? Bool == true ? ", DRY RUN" : ""
            print("receiver   alive: \(receiver["mode"] ?? "") on \(receiver["host"] ?? "") pid \(receiver["pid"] ?? ""), listening \(receiver["listen"] ?? "")\(dryRun), token \(receiver["token_state"] ?? "")")
        } else {
            print("receiver   down (no heartbeat in the last 5 s)")
        }
        let hour = report["last_hour"] as? [String: Any] ?? [:]
        print("last hour  \(hour["events"] ?? 0) events, \(hour["delivered"] ?? 0) delivered, \(hour["dispatch_failed"] ?? 0) failed dispatches, \(hour["duplicates"] ?? 0) duplicates")
        let outbox = report["outbox"] as? [String: Any] ?? [:]
        let pending = outbox["pending"] as? Int ?? 0
        var line = "outbox     \(pending) pending"
        if pending > 0 {
            let age = Int(outbox["oldest_age_seconds"] as? Double ?? 0)
            line += " (\(outbox["retrying"] ?? 0) retrying), oldest waiting \(age / 60)m\(age % 60)s"
        }
        line += "; last 24h: \(outbox["dead_last_24h"] ?? 0) dead, \(outbox["rejected_last_24h"] ?? 0) rejected"
        print(line)
        for p in outbox["paused"] as? [[String: Any]] ?? [] {
            print("  PAUSED \(p["repo"] ?? ""): \(p["pending"] ?? 0) waiting, \(p["consecutive_failures"] ?? 0) failures since \(p["since"] ?? ""), next probe \(p["probe_at"] ?? ""): \(p["last_error"] ?? "")")
        }
        let callouts = report["callouts"] as? [[String: Any]] ?? []
        print("callouts   \(callouts.isEmpty ? "none" : String(callouts.count))")
        for c in callouts {
            let dismissed = (c["dismissed_by"] as? [[String: Any]] ?? []).map { "\($0["operator"] ?? "")" }
            let note = dismissed.isEmpty ? "" : "  (dismissed by \(dismissed.joined(separator: ", ")))"
            print("  \(c["product"] ?? "") \(c["environment"] ?? "")  \(c["what"] ?? "")  ×\(c["count"] ?? 0) since \(c["since"] ?? "")  \(c["message"] ?? "")\(note)")
        }
        let routes = report["routes"] as? [[String: Any]] ?? []
        print("routes     \(routes.count)")
        for r in routes {
            let status = (r["github_status"] as? Int).map { " \($0)" } ?? ""
            print("  \(r["product"] ?? "") \(r["environment"] ?? "") → \(r["repo"] ?? "") \(r["event_type"] ?? ""): \(r["last_outcome"] ?? "")\(status) at \(r["last_attempt_at"] ?? "")")
        }
        let hits = report["dedup_hits_last_hour"] as? [[String: Any]] ?? []
        print("dedup hits \(hits.isEmpty ? "none in the last hour" : "")")
        for h in hits {
            print("  \(h["product"] ?? "") \(h["environment"] ?? "") \(h["reason"] ?? ""): \(h["count"] ?? 0), last \(h["last_at"] ?? "")")
        }
    }

    static func receiver(_ r: ReceiverInfo) -> [String: Any] {
        [
            "alive": true, "host": r.host, "pid": Int(r.pid), "listen": r.listenAddress, "metrics": r.metricsAddress,
            "mode": r.mode, "delivery_mode": r.deliveryMode, "dry_run": r.dryRun, "version": r.version,
            "started_at": Timestamp.iso(r.startedAt), "last_beat_at": Timestamp.iso(r.lastBeatAt), "token_state": r.tokenState,
        ]
    }

    static func callout(_ c: Callout) -> [String: Any] {
        [
            "product": c.product, "environment": c.environment, "kind": c.kind.rawValue, "what": c.what,
            "message": c.message, "since": Timestamp.iso(c.since), "last_at": Timestamp.iso(c.lastAt), "count": c.count,
            "event_id": c.eventID, "repo": c.dispatchRepo.isEmpty ? NSNull() : c.dispatchRepo,
            "event_type": c.eventType.isEmpty ? NSNull() : c.eventType,
            "dismissed_by": c.dismissedByOthers.map { ["operator": $0.operatorName, "at": Timestamp.iso($0.dismissedAt)] },
        ]
    }

    static func outbox(_ o: OutboxSummary, now: EpochMilliseconds) -> [String: Any] {
        [
            "pending": o.pending, "retrying": o.retrying ?? 0,
            "oldest_queued_at": o.oldestQueuedAt.map { Timestamp.iso($0) as Any } ?? NSNull(),
            "oldest_age_seconds": o.oldestQueuedAt.map { Double(max(0, now - $0)) / 1000 as Any } ?? NSNull(),
            "dead_last_24h": o.dead, "rejected_last_24h": o.rejected,
            "paused": o.paused.map { p -> [String: Any] in
                [
                    "repo": p.circuit.dispatchRepo, "pending": p.pending,
                    "since": p.circuit.openedAt.map { Timestamp.iso($0) as Any } ?? NSNull(),
                    "probe_at": p.circuit.probeAt.map { Timestamp.iso($0) as Any } ?? NSNull(),
                    "consecutive_failures": p.circuit.consecutiveFailures, "last_error": p.circuit.lastError ?? NSNull(),
                ]
            },
        ]
    }

    static func route(_ r: RouteState) -> [String: Any] {
        [
            "product": r.product, "environment": r.environment, "repo": r.dispatchRepo, "event_type": r.eventType,
            "last_outcome": r.lastOutcome, "github_status": r.lastGitHubStatus.map { $0 as Any } ?? NSNull(),
            "last_attempt_at": Timestamp.iso(r.lastAttemptAt),
            "last_delivered_at": r.lastDeliveredAt.map { Timestamp.iso($0) as Any } ?? NSNull(),
            "failing_since": r.failingSince.map { Timestamp.iso($0) as Any } ?? NSNull(),
            "consecutive_failures": r.consecutiveFailures,
        ]
    }
}
