import FluxDispatchCore
import Foundation
import GRDB

/// The receiver's dedup look-up, on a read-only connection of its own, asked synchronously.
///
/// Every new dedup key is looked up (another process on the store may have recorded it), so the
/// look-up is on the dispatch path of every event. Through the pool's readers it was an async read:
/// a hop onto a reader's queue and back, which on the sync dispatch path cost more CPU than the
/// query. A synchronous read through the pool is not an option: it blocked the Swift concurrency
/// pool's threads waiting for a reader while the async reads holding the readers needed one of those
/// threads to finish, and the receiver deadlocked under a mixed load. This connection is used by
/// nothing else, and a look-up never suspends while it holds it, so a caller waits at most for
/// another caller's one indexed SELECT; it cannot deadlock.
///
/// Opened on first use: the dashboard and the CLI commands open the store too and never need it.
/// (`NSLock`, not `Synchronization.Mutex`: see `EventWriteQueue`.)
final class DedupLookup: @unchecked Sendable {  // `connection` only behind `lock`
    private let path: String
    private let lock = NSLock()
    private var connection: DatabaseQueue?
    private var isClosed = false

    init(path: String) {
        self.path = path
    }

    /// When `key` was recorded, if it is in the store and not older than `notBefore`. One cached
    /// statement and no transaction: one SELECT reads one snapshot on its own.
    func recordedAt(_ key: String, notBefore: EpochMilliseconds) throws -> EpochMilliseconds? {
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed else { throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "the store is closed") }
        let queue = try connection ?? .readOnlyConnection(path: path)
        connection = queue
        return try queue.unsafeRead { db in
            try EpochMilliseconds.fetchOne(
                db.cachedStatement(sql: "SELECT recorded_at FROM dedup_entry WHERE key = ? AND recorded_at >= ?"),
                arguments: [key, notBefore])
        }
    }

    func close() throws {
        lock.lock()
        defer { lock.unlock() }
        isClosed = true
        try connection?.close()
        connection = nil
    }
}
