import Foundation
import GRDB
import GRDBSQLite

/// Refuses writes once the store's file has been deleted or replaced under the running process.
///
/// SQLite goes on writing to a file that is unlinked while open (in WAL mode it does not notice at
/// all), so a receiver would go on answering 200 for events that vanish when it restarts. So each
/// write transaction first asks SQLite whether the file at the store's path is still the one it has
/// open (`SQLITE_FCNTL_HAS_MOVED`: one stat(2) per transaction, and the write queue groups events
/// into one transaction). Once it is not, every write fails and keeps failing, even if a file turns
/// up at the path again: what this process wrote since is in no file anyone can open, and the way
/// out is a restart on the right file.
final class StoreFileGuard: Sendable {
    let path: String
    private let lock = NSLock()
    nonisolated(unsafe) private var moved = false

    init(path: String) {
        self.path = path
    }

    /// Whether the file was found deleted or replaced.
    var hasMoved: Bool {
        lock.withLock { moved }
    }

    /// Throws `StoreError.fileMoved` if the file at `path` is no longer the one `db` has open.
    func check(_ db: Database) throws {
        if hasMoved { throw error }
        var result: Int32 = 0
        let status = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_HAS_MOVED, &result)
        guard status == SQLITE_OK, result != 0 else { return }
        lock.withLock { moved = true }
        throw error
    }

    var error: StoreError {
        StoreError(kind: .fileMoved, path: path, problem: "the file was deleted or replaced while this process had it open")
    }
}
