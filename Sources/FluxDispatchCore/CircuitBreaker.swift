/// Per-repository circuit breaker for delivery: after `threshold` consecutive failed attempts the
/// repository is paused (the circuit opens) and only probed now and then, instead of hammering
/// GitHub; one delivered attempt closes it. Other repositories are not affected.
public struct CircuitBreaker: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case closed
        /// Paused: the next attempt (the probe) is not made before `probeAt`.
        case open(since: Int64, probeAt: Int64)
    }

    public static let threshold = 5
    /// The first probe interval, doubled after each failed probe up to `maxProbeInterval`.
    public static let firstProbeInterval: Int64 = 30_000
    public static let maxProbeInterval: Int64 = 300_000

    public private(set) var state: State = .closed
    public private(set) var consecutiveFailures = 0
    private var probeInterval: Int64 = Self.firstProbeInterval

    public init() {}

    /// Restores a breaker from what was persisted.
    public init(consecutiveFailures: Int, openedAt: Int64?, probeAt: Int64?) {
        self.consecutiveFailures = consecutiveFailures
        if let openedAt, let probeAt {
            state = .open(since: openedAt, probeAt: probeAt)
            probeInterval = min(Self.maxProbeInterval, max(Self.firstProbeInterval, (probeAt - openedAt)))
        }
    }

    public var isOpen: Bool { if case .open = state { return true } else { return false } }

    /// The earliest time the next attempt may be made; nil when closed (no limit).
    public var notBefore: Int64? {
        if case .open(_, let probeAt) = state { return probeAt }
        return nil
    }

    public mutating func recordSuccess() {
        state = .closed
        consecutiveFailures = 0
        probeInterval = Self.firstProbeInterval
    }

    /// Records a failed attempt at `now`; returns true when this opened the circuit.
    @discardableResult
    public mutating func recordFailure(now: Int64) -> Bool {
        consecutiveFailures += 1
        switch state {
        case .closed:
            guard consecutiveFailures >= Self.threshold else { return false }
            state = .open(since: now, probeAt: now + probeInterval)
            return true
        case .open(let since, _):
            // A failed probe: wait longer before the next one.
            probeInterval = min(Self.maxProbeInterval, probeInterval * 2)
            state = .open(since: since, probeAt: now + probeInterval)
            return false
        }
    }
}
