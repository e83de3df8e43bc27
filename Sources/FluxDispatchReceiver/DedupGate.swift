import FluxDispatchCore
import FluxDispatchStore

/// Decides "seen before?" for dedup keys, fast and without races.
///
/// The durable copy lives in the store (written in each event's transaction); this actor keeps the
/// same entries in memory so the duplicate path needs no disk read. Two identical events that
/// arrive together are not both dispatched: the second waits for the first's dispatch and is then a
/// duplicate (or, if the first failed, tries itself). A key missing from memory is also looked up
/// in the store, in case another process on the same store recorded it.
public actor DedupGate {
    public enum Claim: Sendable, Equatable {
        case duplicate
        /// Go ahead and dispatch; call `complete` afterwards. `evict` are the keys to delete in the
        /// same transaction if this key gets recorded.
        case proceed(evict: [String])
    }

    private var index: DedupIndex
    private var inFlight: [String: [CheckedContinuation<Void, Never>]] = [:]
    private let store: StateStore
    private let metrics: ReceiverMetrics

    public init(store: StateStore, ttlSeconds: Double, capacity: Int, metrics: ReceiverMetrics, now: EpochMilliseconds) throws {
        let ttl = Int64(ttlSeconds * 1000)
        var index = DedupIndex(ttlMilliseconds: ttl, capacity: capacity)
        for entry in try store.dedupEntries(notBefore: now - ttl, limit: capacity) {
            index.record(entry.key, at: entry.recordedAt)
        }
        self.index = index
        self.store = store
        self.metrics = metrics
        metrics.dedupEntries(index.count)
    }

    public var count: Int { index.count }

    public func claim(_ key: String, now: EpochMilliseconds) async -> Claim {
        while true {
            if index.contains(key, now: now) { return .duplicate }
            if inFlight[key] != nil {
                await withCheckedContinuation { inFlight[key]!.append($0) }
                continue
            }
            inFlight[key] = []
            if let recordedAt = try? await store.dedupEntry(key, notBefore: now - index.ttlMilliseconds) {
                index.record(key, at: recordedAt)
                metrics.dedupEntries(index.count)
                wakeWaiters(for: key)
                return .duplicate
            }
            return .proceed(evict: index.keysToEvictForOneMore())
        }
    }

    /// Ends a claim. `recordedAt` is set when the key was recorded (dispatched or dry run).
    public func complete(_ key: String, recordedAt: EpochMilliseconds?) {
        if let recordedAt {
            index.record(key, at: recordedAt)
            metrics.dedupEntries(index.count)
        }
        wakeWaiters(for: key)
    }

    /// Outbox mode: a queued dispatch ended rejected or dead, so its claim is released and a later
    /// identical event may try again (the store's entry is deleted in the same transaction).
    public func release(_ key: String) {
        index.remove(key)
        metrics.dedupEntries(index.count)
    }

    /// Outbox mode: a redelivery took the claim again (the store has it already).
    public func reclaim(_ key: String, at: EpochMilliseconds) {
        index.record(key, at: at)
        metrics.dedupEntries(index.count)
    }

    /// Drops expired entries from memory; the store is pruned by the retention service.
    public func removeExpired(now: EpochMilliseconds) {
        if index.removeExpired(now: now) > 0 { metrics.dedupEntries(index.count) }
    }

    private func wakeWaiters(for key: String) {
        let waiters = inFlight.removeValue(forKey: key) ?? []
        for waiter in waiters { waiter.resume() }
    }
}
