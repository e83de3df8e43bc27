import Foundation

/// The dashboard's "dedup hits in the last hour", asked for on every frame.
///
/// Summing an hour of per-minute rows each frame was most of a frame's cost on a busy store (tens of
/// thousands of rows). Minutes that have ended do not change, so their sums are kept and redone
/// only when the window moves on (once a minute); each frame sums only the live minutes — the
/// current one and the one before it, which a duplicate recorded behind its answer can still reach.
/// The answer is exactly what `StoreView.dedupHits(since:)` gives for the same window.
public final class DedupHitsWindow: @unchecked Sendable {  // all state behind `lock`
    private let length: EpochMilliseconds
    private let lock = NSLock()
    private var closed: (fromMinute: EpochMilliseconds, toMinute: EpochMilliseconds, hits: [Key: DedupHitSummary])?

    private struct Key: Hashable {
        var product: String
        var environment: String
        var reason: String
    }

    /// A window of `length` milliseconds ending now (an hour by default).
    public init(length: EpochMilliseconds = 3_600_000) {
        self.length = length
    }

    /// Dedup hits per product, environment and reason since `now - length`, newest first.
    public func hits(in view: StoreView, now: EpochMilliseconds, limit: Int = 200) throws -> [DedupHitSummary] {
        let since = now - length
        let fromMinute = since - since % 60_000
        let liveFrom = max(fromMinute, now - now % 60_000 - 60_000)
        var merged = try closedHits(in: view, fromMinute: fromMinute, toMinute: liveFrom)
        for hit in try view.dedupHitGroups(fromMinute: liveFrom) {
            let key = Key(product: hit.product, environment: hit.environment, reason: hit.reason)
            if var sum = merged[key] {
                sum.count += hit.count
                sum.lastAt = max(sum.lastAt, hit.lastAt)
                merged[key] = sum
            } else {
                merged[key] = hit
            }
        }
        return DedupHitSummary.newestFirst(Array(merged.values), limit: limit)
    }

    private func closedHits(
        in view: StoreView, fromMinute: EpochMilliseconds, toMinute: EpochMilliseconds
    ) throws -> [Key: DedupHitSummary] {
        lock.lock()
        defer { lock.unlock() }
        if let closed, closed.fromMinute == fromMinute, closed.toMinute == toMinute { return closed.hits }
        var hits: [Key: DedupHitSummary] = [:]
        for hit in try view.dedupHitGroups(fromMinute: fromMinute, toMinute: toMinute) {
            hits[Key(product: hit.product, environment: hit.environment, reason: hit.reason)] = hit
        }
        closed = (fromMinute, toMinute, hits)
        return hits
    }
}
