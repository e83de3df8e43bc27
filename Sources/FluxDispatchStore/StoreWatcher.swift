import GRDB

/// Tells cheaply whether anything was committed to the store since the last look, by any process:
/// `PRAGMA data_version` on a connection of its own that never writes, so every commit counts.
/// Dashboards poll it a few times a second and reload only when it moved.
public final class StoreWatcher: @unchecked Sendable {
    // Used from one task at a time (the dashboard loop); DatabaseQueue serialises access anyway.
    private let queue: DatabaseQueue
    private var lastVersion: Int64?

    public init(path: String) throws {
        queue = try .readOnlyConnection(path: path)
    }

    /// True on the first call and whenever a commit happened since the previous call.
    public func hasChanged() throws -> Bool {
        let version = try queue.read { db in try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
        defer { lastVersion = version }
        return version != lastVersion
    }
}
