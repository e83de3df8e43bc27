import FluxDispatchCore
import FluxDispatchStore
import NIOConcurrencyHelpers

/// Decides "seen before?" for dedup keys, fast and without races.
///
/// The durable copy lives in the store (written in each event's transaction); this gate keeps the
/// same entries in memory so the duplicate path needs no disk read. Two identical events that
/// arrive together are not both dispatched: the second waits for the first's dispatch and is then a
/// duplicate (or, if the first failed, tries itself). A key missing from memory is also looked up
/// in the store, in case another process on the same store recorded it.
///
/// A lock rather than an actor: a duplicate is answered from memory in a few hundred nanoseconds,
/// and an actor hop for it cost more than the look-up itself (it showed in the receiver's profile).
/// Nothing slow happens under the lock: the store look-up (synchronous, on the store's own look-up
/// connection) runs outside it, and only the wait for an in-flight claim suspends.
public final class DedupGate: Sendable {
    public enum Claim: Sendable, Equatable {
        case duplicate
        /// Go ahead and dispatch; call `complete` afterwards. `evict` are the keys to delete in the
        /// same transaction if this key gets recorded.
        case proceed(evict: [String])
    }

    private struct State {
        var index: DedupIndex
        /// Keys being dispatched, with the claims waiting for each to finish.
        var inFlight: [String: [CheckedContinuation<Void, Never>]] = [:]
    }

    private let state: NIOLockedValueBox<State>
    private let store: StateStore
    private let metrics: ReceiverMetrics
    private let ttlMilliseconds: Int64

    public init(store: StateStore, ttlSeconds: Double, capacity: Int, metrics: ReceiverMetrics, now: EpochMilliseconds) throws {
        let ttl = Int64(ttlSeconds * 1000)
        var index = DedupIndex(ttlMilliseconds: ttl, capacity: capacity)
        for entry in try store.dedupEntries(notBefore: now - ttl, limit: capacity) {
            index.record(entry.key, at: entry.recordedAt)
        }
        self.state = NIOLockedValueBox(State(index: index))
        self.store = store
        self.metrics = metrics
        self.ttlMilliseconds = ttl
        metrics.dedupEntries(index.count)
    }

    public var count: Int { state.withLockedValue { $0.index.count } }

    public func claim(_ key: String, now: EpochMilliseconds) async -> Claim {
        enum Step { case duplicate, wait, lookUp }
        while true {
            let step = state.withLockedValue { state -> Step in
                if state.index.contains(key, now: now) { return .duplicate }
                if state.inFlight[key] != nil { return .wait }
                state.inFlight[key] = []
                return .lookUp
            }
            switch step {
            case .duplicate:
                return .duplicate
            case .wait:
                await withCheckedContinuation { continuation in
                    // The claim may have ended between the check above and now.
                    let stillInFlight = state.withLockedValue { state in
                        guard state.inFlight[key] != nil else { return false }
                        state.inFlight[key]!.append(continuation)
                        return true
                    }
                    if !stillInFlight { continuation.resume() }
                }
            case .lookUp:
                if let recordedAt = try? store.dedupEntry(key, notBefore: now - ttlMilliseconds) {
                    finish(key) { $0.record(key, at: recordedAt) }
                    return .duplicate
                }
                return .proceed(evict: state.withLockedValue { $0.index.keysToEvictForOneMore() })
            }
        }
    }

    /// Ends a claim. `recordedAt` is set when the key was recorded (dispatched or dry run).
    public func complete(_ key: String, recordedAt: EpochMilliseconds?) {
        finish(key) { index in
            if let recordedAt { index.record(key, at: recordedAt) }
        }
    }

    /// Outbox mode: a queued dispatch ended rejected or dead, so its claim is released and a later
    /// identical event may try again (the store's entry is deleted in the same transaction).
    public func release(_ key: String) {
        update { $0.remove(key) }
    }

    /// Drops expired entries from memory; the store is pruned by the retention service.
    public func removeExpired(now: EpochMilliseconds) {
        update { $0.removeExpired(now: now) }
    }

    /// Changes the index and reports its size.
    private func update(_ change: (inout DedupIndex) -> Void) {
        let count = state.withLockedValue { state in
            change(&state.index)
            return state.index.count
        }
        metrics.dedupEntries(count)
    }

    /// Changes the index, ends the key's claim, then wakes the claims that waited on it (outside
    /// the lock: each resumes on its own task).
    private func finish(_ key: String, _ change: (inout DedupIndex) -> Void) {
        let (count, waiters) = state.withLockedValue { state in
            change(&state.index)
            return (state.index.count, state.inFlight.removeValue(forKey: key) ?? [])
        }
        metrics.dedupEntries(count)
        for waiter in waiters { waiter.resume() }
    }
}
