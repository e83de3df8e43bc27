import GRDB

/// Group commit: concurrent event writes that arrive while a commit is in progress are written
/// together in the next transaction, each inside its own savepoint, so one bad write fails alone.
///
/// At low load every write is committed at once (no timer, no added latency); under load the cost of
/// a commit is shared by every event waiting for it, which is what lets the receiver answer
/// thousands of events a second while still answering 200 only after the event is on disk.
actor EventWriteQueue {
    private let pool: DatabasePool
    private var pending: [(write: EventWrite, continuation: CheckedContinuation<Int64, any Error>)] = []
    private var isFlushing = false
    /// An upper bound on one transaction, so a burst cannot hold the write lock for long.
    private let maxBatch = 512

    init(pool: DatabasePool) {
        self.pool = pool
    }

    func submit(_ write: EventWrite) async throws -> Int64 {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((write, continuation))
            if !isFlushing {
                isFlushing = true
                Task { await self.flush() }
            }
        }
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            let writes = batch.map(\.write)
            let results: [Result<Int64, any Error>]
            do {
                results = try await pool.write { db in
                    try writes.map { write in
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
                results = Array(repeating: .failure(error), count: batch.count)
            }
            for (entry, result) in zip(batch, results) {
                entry.continuation.resume(with: result)
            }
        }
        isFlushing = false
    }
}
