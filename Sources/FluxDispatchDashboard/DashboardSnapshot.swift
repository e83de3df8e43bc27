import FluxDispatchStore

/// Everything the dashboard shows at one moment, read from the state store. The renderer is a pure
/// function of this, the view state, the theme and the terminal size.
public struct DashboardSnapshot: Sendable, Equatable {
    /// Where the receiver for this store is, as far as this dashboard can tell.
    public enum ReceiverState: Sendable, Equatable {
        /// Running inside this dashboard process.
        case embedded(listen: String)
        /// Another process (a `serve`, or another dashboard) is writing to the store.
        case attached(host: String, pid: Int32, listen: String)
        /// No live heartbeat; `why` says why no embedded receiver runs (one line), if known.
        case down(why: String?)
    }

    public var now: EpochMilliseconds
    /// This machine's host name.
    public var host: String
    public var operatorName: String
    public var receiver: ReceiverState
    /// The live receiver's heartbeat row, when there is one (mode, dry run, token state, …).
    public var receiverInfo: ReceiverInfo?
    /// Activity over the last minute and the last hour (per-minute counters).
    public var lastMinute: ActivitySummary
    public var lastHour: ActivitySummary
    public var lastEventAt: EpochMilliseconds?
    /// Callouts this operator sees, newest first, and the ones they dismissed.
    public var callouts: [Callout]
    public var hiddenCallouts: [Callout]
    /// The newest events first (already filtered by the view state's filter).
    public var feed: [FeedEntry]
    /// Dedup hits per product/env/reason over the last hour, newest hit first.
    public var dedupHits: [DedupHitSummary]
    /// The event open in the detail view, if any.
    public var detail: EventDetail?
    /// The outbox: queue depth, oldest, paused repositories, dead and rejected over 24 hours.
    public var outbox: OutboxSummary

    public init(
        now: EpochMilliseconds, host: String, operatorName: String, receiver: ReceiverState, receiverInfo: ReceiverInfo? = nil,
        lastMinute: ActivitySummary = .init(), lastHour: ActivitySummary = .init(), lastEventAt: EpochMilliseconds? = nil,
        callouts: [Callout] = [], hiddenCallouts: [Callout] = [], feed: [FeedEntry] = [], dedupHits: [DedupHitSummary] = [],
        detail: EventDetail? = nil, outbox: OutboxSummary = OutboxSummary()
    ) {
        self.outbox = outbox
        self.now = now
        self.host = host
        self.operatorName = operatorName
        self.receiver = receiver
        self.receiverInfo = receiverInfo
        self.lastMinute = lastMinute
        self.lastHour = lastHour
        self.lastEventAt = lastEventAt
        self.callouts = callouts
        self.hiddenCallouts = hiddenCallouts
        self.feed = feed
        self.dedupHits = dedupHits
        self.detail = detail
    }

    /// Dry run as the live receiver reports it.
    public var isDryRun: Bool { receiverInfo?.dryRun ?? false }

    /// Delivered share of dispatch attempts over the last hour; nil when there were none.
    public var dispatchSuccessRate: Double? {
        let attempts = lastHour.delivered + lastHour.dispatchFailed
        return attempts == 0 ? nil : Double(lastHour.delivered) / Double(attempts)
    }
}
