import FluxDispatchStore

/// Reads one `DashboardSnapshot` from the store: a handful of small queries over state rows,
/// per-minute counters and the newest events — never a scan of the event history.
public struct SnapshotLoader: Sendable {
    public let store: StateStore
    public let host: String
    public let operatorName: String
    /// Set when this dashboard runs the embedded receiver (its listen address).
    public var embeddedListen: String?
    /// Why no embedded receiver runs, when it could not start.
    public var embeddedFailure: String?
    /// The dedup-hits pane's last hour, summed incrementally across frames.
    let dedupWindow = DedupHitsWindow()
    /// The header counts the outbox queue up to this ("queue 10000+" beyond).
    public static let queueCountLimit = 10_000
    /// A heartbeat older than this means the receiver is gone.
    public static let liveWindow: EpochMilliseconds = 5_000

    public init(store: StateStore, host: String, operatorName: String, embeddedListen: String? = nil, embeddedFailure: String? = nil) {
        self.store = store
        self.host = host
        self.operatorName = operatorName
        self.embeddedListen = embeddedListen
        self.embeddedFailure = embeddedFailure
    }

    /// One read transaction for the whole frame: a consistent picture, one connection checkout.
    public func load(now: EpochMilliseconds, filter: FeedFilter, feedLimit: Int, detailID: Int64?) throws -> DashboardSnapshot {
        try store.read { view in
            let live = try view.liveReceivers(freshAfter: now - Self.liveWindow)
            let receiver: DashboardSnapshot.ReceiverState
            let info: ReceiverInfo?
            if let embeddedListen {
                receiver = .embedded(listen: embeddedListen)
                info = live.first { $0.pid == CurrentProcess.pid && $0.mode == "embedded" } ?? live.first
            } else if let other = live.first {
                receiver = .attached(host: other.host, pid: other.pid, listen: other.listenAddress)
                info = other
            } else {
                receiver = .down(why: embeddedFailure)
                info = nil
            }
            let callouts = try view.callouts(for: operatorName)
            return DashboardSnapshot(
                now: now, host: host, operatorName: operatorName, receiver: receiver, receiverInfo: info,
                lastMinute: try view.activity(since: now - 60_000), lastHour: try view.activity(since: now - 3_600_000),
                lastEventAt: try view.lastEventAt(), callouts: callouts.visible, hiddenCallouts: callouts.hidden,
                feed: try view.recentEvents(limit: feedLimit, filter: filter),
                dedupHits: try dedupWindow.hits(in: view, now: now),
                detail: try detailID.flatMap { try view.eventDetail(id: $0) },
                outbox: try view.outboxSummary(endedSince: now - 86_400_000, countLimit: Self.queueCountLimit))
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

enum CurrentProcess {
    static var pid: Int32 { getpid() }
}
