import GRDB

/// Group commit: concurrent event writes that arrive while a commit is in progress are written
/// together in the next transaction; if one of them fails, the batch is written again with each
/// write in its own savepoint, so one bad write fails alone.
///
/// At low load every write is committed at once (no timer, no added latency); under load the cost of
/// a commit is shared by every event waiting for it, which is what lets the receiver answer
/// thousands of events a second while still answering 200 only after the event is on disk.
///
/// A write can also be queued without waiting (`submitDetached`): it goes into the next commit like
/// the others, and a failure is reported to `onDetachedFailure` instead of to a caller.
actor EventWriteQueue {
    private typealias Waiter = CheckedContinuation<Int64, any Error>

    private let pool: DatabasePool
    /// Writes waiting for the next commit; one without a waiter is not waited for.
    private var pending: [(write: EventWrite, waiter: Waiter?)] = []
    private var isFlushing = false
    /// Callers of `drain()`, resumed when nothing is pending any more.
    private var drainers: [CheckedContinuation<Void, Never>] = []
    private let onDetachedFailure: @Sendable (EventWrite, any Error) -> Void
    /// An upper bound on one transaction, so a burst cannot hold the write lock for long.
    private let maxBatch = 512

    init(pool: DatabasePool, onDetachedFailure: @escaping @Sendable (EventWrite, any Error) -> Void) {
        self.pool = pool
        self.onDetachedFailure = onDetachedFailure
    }

    func submit(_ write: EventWrite) async throws -> Int64 {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((write, continuation))
            startFlushing()
        }
    }

    func submitDetached(_ write: EventWrite) {
        pending.append((write, nil))
        startFlushing()
    }

    /// Returns once every write queued so far has been committed (or has failed).
    func drain() async {
        guard isFlushing || !pending.isEmpty else { return }
        await withCheckedContinuation { drainers.append($0) }
    }

    private func startFlushing() {
        guard !isFlushing else { return }
        isFlushing = true
        Task { await self.flush() }
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            let writes = batch.map(\.write)
            let results: [Result<Int64, any Error>]
            do {
                // Almost always every write succeeds: the batch in one transaction, no savepoints
                // (two more statements per event, a fifth of the write's cost).
                results = try await pool.write { db in try writes.map { .success(try StateStore.apply($0, in: db)) } }
            } catch {
                // One failed and the transaction was rolled back: again, each write in a savepoint of
                // its own, so only the bad one fails.
                results = await writeOneByOne(writes, batchCount: batch.count)
            }
            for (entry, result) in zip(batch, results) {
                if let waiter = entry.waiter {
                    waiter.resume(with: result)
                } else if case .failure(let error) = result {
                    onDetachedFailure(entry.write, error)
                }
            }
        }
        isFlushing = false
        let waiting = drainers
        drainers = []
        for drainer in waiting { drainer.resume() }
    }

    private func writeOneByOne(_ writes: [EventWrite], batchCount: Int) async -> [Result<Int64, any Error>] {
        do {
            return try await pool.write { db in
                writes.map { write in
                    do {
                        var id: Int64 = 0
                        try db.inSavepoint {
                            id = try StateStore.apply(write, in: db)
                            return .commit
                        }
                        return .success(id)
                    } catch {
                        return .failure(error)
                    }
                }
            }
        } catch {
            return Array(repeating: .failure(error), count: batchCount)
        }
    }
}
