/// When a dashboard reloads its snapshot after the store changed: at the next check after a quiet
/// spell, so a lone event shows within one poll (100 ms); and while the store keeps changing, at
/// most once per `minimumInterval`, so it still shows within about a quarter of a second.
///
/// Without the pace, a busy store (hundreds of events a second) made every open dashboard reload
/// ten times a second; ten dashboards on the receiver's machine then took about a third of a core
/// and doubled the receiver's p99 (BENCHMARKS.md, "Many readers"). Reloads asked for by a key
/// (dismiss, details) do not wait for the pace.
public struct ReloadPacer: Sendable {
    public let minimumInterval: Duration
    private var lastReload: ContinuousClock.Instant?
    private var changePending = false

    public init(minimumInterval: Duration = .milliseconds(250)) {
        self.minimumInterval = minimumInterval
    }

    /// The store changed since the last reload.
    public mutating func storeChanged() {
        changePending = true
    }

    /// Whether a change waits and the pace allows a reload now.
    public func isDue(at now: ContinuousClock.Instant) -> Bool {
        guard changePending else { return false }
        guard let lastReload else { return true }
        return now - lastReload >= minimumInterval
    }

    /// A reload happened (for a change or for a key): it shows everything written before it.
    public mutating func reloaded(at now: ContinuousClock.Instant) {
        lastReload = now
        changePending = false
    }
}
