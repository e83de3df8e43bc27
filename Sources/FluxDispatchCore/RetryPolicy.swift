/// When the delivery worker tries a failed dispatch again, and when it gives up.
///
/// Exponential backoff with jitter: the first retry after about a second, doubling to a cap of five
/// minutes, each delay spread by ±20% so that dispatches that failed together do not all come back
/// together. A dispatch still undelivered `maxAge` after it was queued is dead.
/// Times are epoch milliseconds.
public struct RetryPolicy: Sendable, Equatable {
    public var firstDelay: Int64
    public var maxDelay: Int64
    /// The share of each delay that is random, both ways.
    public var jitter: Double
    public var maxAge: Int64

    public init(
        firstDelay: Int64 = 1_000, maxDelay: Int64 = 300_000, jitter: Double = 0.2,
        maxAge: Int64 = 86_400_000
    ) {
        self.firstDelay = firstDelay
        self.maxDelay = maxDelay
        self.jitter = jitter
        self.maxAge = maxAge
    }

    /// The wait after the `attempt`-th failed attempt (1 for the first). `unit` is a random number
    /// in 0..<1 (injected so tests can pin it).
    public func delay(afterFailedAttempt attempt: Int, unit: Double) -> Int64 {
        let doublings = max(0, min(attempt - 1, 30))
        let base = min(maxDelay, firstDelay << Int64(doublings))
        let spread = 1 - jitter + 2 * jitter * min(max(unit, 0), 1)
        return min(maxDelay, max(1, Int64((Double(base) * spread).rounded())))
    }

    /// Whether a dispatch queued at `queuedAt` is past its maximum age at `now`.
    public func isExpired(queuedAt: Int64, now: Int64) -> Bool {
        now - queuedAt >= maxAge
    }
}
