import Foundation
import GRDB

/// Group commit: concurrent event writes that arrive while a commit is in progress are written
/// together in the next transaction; if one of them fails, the batch is written again with each
/// write in its own savepoint, so one bad write fails alone.
///
/// At low load every waited write is committed at once (no timer, no added latency); under load the cost of
/// a commit is shared by every event waiting for it, which is what lets the receiver answer
/// thousands of events a second while still answering 200 only after the event is on disk.
///
/// A write can also be queued without waiting (`submitDetached`): it goes into the next commit like
/// the others, and a failure is reported to `onDetachedFailure` instead of to a caller.
///
/// When only unwaited writes are pending (a flood of duplicates, which nobody waits for), the flush
/// pauses up to `detachedPause` to let the batch fill: one commit for a couple of hundred records
/// instead of one per twenty cut the receiver's CPU per duplicate by a tenth. A waited write, a
/// half-full batch or `drain()` ends the pause at once, so no answer waits on it.
///
/// A lock rather than an actor: queueing a write is an append, and the hop onto an actor for it
/// (then back) cost more than the append on every event. Only the flush loop suspends, while a
/// batch is being written, and it does so outside the lock. (`NSLock`, a pthread mutex, rather than
/// `Synchronization.Mutex`: ThreadSanitizer cannot see the latter's futex order anything on Linux.)
final class EventWriteQueue: @unchecked Sendable {  // all mutable state behind `lock`
    private typealias Waiter = CheckedContinuation<Int64, any Error>

    /// A queued write, boxed: an `EventWrite` holds some twenty strings, and every copy of it as a
    /// value (into the queue, into a batch, out of it) retained and released each of them.
    private final class Pending: Sendable {
        let write: EventWrite
        /// Nil when nobody waits for the commit.
        let waiter: Waiter?

        init(_ write: consuming EventWrite, waiter: Waiter?) {
            self.write = write
            self.waiter = waiter
        }
    }

    private struct State {
        /// Writes waiting for the next commit.
        var pending: [Pending] = []
        /// A flush loop is running; it takes whatever is pending until nothing is.
        var isFlushing = false
        /// How many of `pending` have a waiter.
        var waitedCount = 0
        /// The flush loop's pause for more unwaited writes, while it lasts.
        var pause: CheckedContinuation<Void, Never>?
        /// Counts pauses, so a pause's timer ends only its own pause, never a later one.
        var pauses = 0
        /// Callers of `drain()`, resumed when nothing is pending any more.
        var drainers: [CheckedContinuation<Void, Never>] = []
    }

    private let pool: DatabasePool
    private let fileGuard: StoreFileGuard
    private let lock = NSLock()
    private var state = State()
    private let onDetachedFailure: @Sendable (EventWrite, any Error) -> Void
    /// An upper bound on one transaction, so a burst cannot hold the write lock for long.
    private let maxBatch = 512
    /// The longest an unwaited write waits for others before its commit starts: what a killed
    /// process can lose of them, beyond the commit in progress.
    private let detachedPause: Duration

    init(
        pool: DatabasePool, fileGuard: StoreFileGuard, detachedPause: Duration,
        onDetachedFailure: @escaping @Sendable (EventWrite, any Error) -> Void
    ) {
        self.pool = pool
        self.fileGuard = fileGuard
        self.detachedPause = detachedPause
        self.onDetachedFailure = onDetachedFailure
    }

    private func withState<Result>(_ body: (inout State) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body(&state)
    }

    func submit(_ write: EventWrite) async throws -> Int64 {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(Pending(write, waiter: continuation))
        }
    }

    func submitDetached(_ write: consuming EventWrite) {
        enqueue(Pending(write, waiter: nil))
    }

    /// Returns once every write queued so far has been committed (or has failed).
    func drain() async {
        await withCheckedContinuation { continuation in
            let (idle, pause) = withState { state in
                if !state.isFlushing && state.pending.isEmpty { return (true, nil as CheckedContinuation<Void, Never>?) }
                state.drainers.append(continuation)
                defer { state.pause = nil }
                return (false, state.pause)
            }
            pause?.resume()
            if idle { continuation.resume() }
        }
    }

    private func enqueue(_ entry: Pending) {
        let waited = entry.waiter != nil
        let (startFlushing, pause) = withState { state in
            state.pending.append(entry)
            if waited { state.waitedCount += 1 }
            var pause: CheckedContinuation<Void, Never>?
            if waited || state.pending.count >= maxBatch / 2 {
                pause = state.pause
                state.pause = nil
            }
            guard !state.isFlushing else { return (false, pause) }
            state.isFlushing = true
            return (true, pause)
        }
        pause?.resume()
        if startFlushing { Task { await self.flush() } }
    }

    /// Waits up to `detachedPause` when there are pending writes, all unwaited, less than half a
    /// batch; returns at once otherwise, or as soon as `enqueue` or `drain` ends the pause.
    private func pauseForMoreDetachedWrites() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let pausing = withState { state -> Int? in
                guard !state.pending.isEmpty, state.waitedCount == 0, state.pending.count < maxBatch / 2, state.drainers.isEmpty
                else { return nil }
                state.pause = continuation
                state.pauses += 1
                return state.pauses
            }
            guard let pausing else {
                continuation.resume()
                return
            }
            Task {
                try? await Task.sleep(for: self.detachedPause)
                let pause = self.withState { state -> CheckedContinuation<Void, Never>? in
                    guard state.pauses == pausing else { return nil }  // ended early; a later pause may be on
                    defer { state.pause = nil }
                    return state.pause
                }
                pause?.resume()
            }
        }
    }

    /// Writes batches until nothing is pending, then wakes the drainers.
    private func flush() async {
        while true {
            await pauseForMoreDetachedWrites()
            let next = withState { state -> (batch: [Pending], drainers: [CheckedContinuation<Void, Never>]) in
                guard state.pending.isEmpty else {
                    let batch = Array(state.pending.prefix(maxBatch))
                    state.pending.removeFirst(batch.count)
                    state.waitedCount -= batch.count { $0.waiter != nil }
                    return (batch, [])
                }
                // Stopping and handing over the drainers in one step: a write queued after this
                // starts a new loop, and a drain that comes after it waits for that loop.
                state.isFlushing = false
                let drainers = state.drainers
                state.drainers = []
                return ([], drainers)
            }
            guard !next.batch.isEmpty else {
                for drainer in next.drainers { drainer.resume() }
                return
            }
            let results = await write(next.batch)
            for (entry, result) in zip(next.batch, results) {
                if let waiter = entry.waiter {
                    waiter.resume(with: result)
                } else if case .failure(let error) = result {
                    onDetachedFailure(entry.write, error)
                }
            }
        }
    }

    /// What a batch's written events add up to, written once at the end of its transaction: the
    /// minute counters and the environments' state.
    private struct BatchRollup {
        var counters = MinuteCounters()
        var environments = EnvironmentStateChanges()

        mutating func add(_ record: EventRecord, eventID: Int64) {
            counters.add(record)
            environments.add(record, eventID: eventID)
        }

        func write(in db: Database) throws {
            try counters.write(in: db)
            try environments.write(in: db)
        }
    }

    /// One transaction for the batch, its roll-up written once at the end.
    private func write(_ batch: [Pending]) async -> [Result<Int64, any Error>] {
        do {
            // Almost always every write succeeds: the batch in one transaction, no savepoints
            // (two more statements per event, a fifth of the write's cost).
            let fileGuard = self.fileGuard
            return try await pool.write { db in
                try fileGuard.check(db)
                var rollup = BatchRollup()
                let results: [Result<Int64, any Error>] = try batch.map { entry in
                    let id = try StateStore.apply(entry.write, in: db)
                    rollup.add(entry.write.record, eventID: id)
                    return .success(id)
                }
                try rollup.write(in: db)
                return results
            }
        } catch {
            // One failed and the transaction was rolled back: again, each write in a savepoint of
            // its own, so only the bad one fails (and only the ones written are counted).
            return await writeOneByOne(batch)
        }
    }

    private func writeOneByOne(_ batch: [Pending]) async -> [Result<Int64, any Error>] {
        do {
            let fileGuard = self.fileGuard
            return try await pool.write { db in
                try fileGuard.check(db)
                var rollup = BatchRollup()
                let results = batch.map { entry -> Result<Int64, any Error> in
                    do {
                        var id: Int64 = 0
                        try db.inSavepoint {
                            id = try StateStore.apply(entry.write, in: db)
                            return .commit
                        }
                        rollup.add(entry.write.record, eventID: id)
                        return .success(id)
                    } catch {
                        return .failure(error)
                    }
                }
                try rollup.write(in: db)
                return results
            }
        } catch {
            return Array(repeating: .failure(error), count: batch.count)
        }
    }
}
