import Foundation

/// The dashboard's "dedup hits in the last hour", asked for on every frame.
///
/// Summing an hour of per-minute rows each frame was most of a frame's cost on a busy store (tens of
/// thousands of rows). Minutes that have ended do not change, so their sums are kept, already in
/// order, and redone only when the window moves on (once a minute); each frame reads only the live
/// minutes — the current one and the one before it, which a duplicate recorded behind its answer
/// can still reach. A group with live hits is newer than every group without, so a frame's answer
/// is the live groups (plus their closed counts) in order, then the closed ones, up to the limit:
/// exactly what `StoreView.dedupHits(since:)` gives for the same window.
public final class DedupHitsWindow: @unchecked Sendable {  // all state behind `lock`
    private let length: EpochMilliseconds
    private let lock = NSLock()
    private var closed: Closed?

    private struct Key: Hashable {
        var product: String
        var environment: String
        var reason: String

        init(_ hit: DedupHitSummary) {
            product = hit.product
            environment = hit.environment
            reason = hit.reason
        }
    }

    /// The ended minutes' sums: newest first, and each group's count by key.
    private struct Closed {
        var fromMinute: EpochMilliseconds
        var toMinute: EpochMilliseconds
        var newestFirst: [DedupHitSummary]
        var counts: [Key: Int]
    }

    /// A window of `length` milliseconds ending now (an hour by default).
    public init(length: EpochMilliseconds = 3_600_000) {
        self.length = length
    }

    /// Dedup hits per product, environment and reason since `now - length`, newest first.
    public func hits(in view: StoreView, now: EpochMilliseconds, limit: Int = 200) throws -> [DedupHitSummary] {
        let since = now - length
        let fromMinute = since.minuteStart
        let liveFrom = max(fromMinute, now.minuteStart - 60_000)
        let closed = try closedHits(in: view, fromMinute: fromMinute, toMinute: liveFrom)
        var live = try view.dedupHitGroups(fromMinute: liveFrom)
        var liveKeys = Set<Key>()
        for i in live.indices {
            let key = Key(live[i])
            liveKeys.insert(key)
            live[i].count += closed.counts[key] ?? 0
        }
        var result = DedupHitSummary.newestFirst(live, limit: limit)
        for hit in closed.newestFirst where result.count < limit {
            if liveKeys.isEmpty || !liveKeys.contains(Key(hit)) { result.append(hit) }
        }
        return result
    }

    private func closedHits(in view: StoreView, fromMinute: EpochMilliseconds, toMinute: EpochMilliseconds) throws -> Closed {
        lock.lock()
        defer { lock.unlock() }
        if let closed, closed.fromMinute == fromMinute, closed.toMinute == toMinute { return closed }
        let groups = try view.dedupHitGroups(fromMinute: fromMinute, toMinute: toMinute)
        var counts: [Key: Int] = [:]
        for hit in groups { counts[Key(hit)] = hit.count }
        let fresh = Closed(
            fromMinute: fromMinute, toMinute: toMinute, newestFirst: DedupHitSummary.newestFirst(groups, limit: .max),
            counts: counts)
        closed = fresh
        return fresh
    }
}
