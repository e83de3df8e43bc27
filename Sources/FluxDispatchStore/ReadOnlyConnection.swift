import GRDB

extension DatabaseQueue {
    /// A read-only connection of its own on the store at `path`, for reads that must not wait for
    /// the pool's readers: the dashboard's change watch and the receiver's dedup look-up. Readers
    /// in WAL mode wait only while a crashed writer's WAL is recovered, which is short.
    static func readOnlyConnection(path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(1)
        return try DatabaseQueue(path: path, configuration: configuration)
    }
}
