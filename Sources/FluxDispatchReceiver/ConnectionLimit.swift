#if canImport(Glibc)
import Glibc
#endif

/// How many connections each server may hold open at once, from the process's descriptor limit.
///
/// When every descriptor is in use, `accept(2)` fails with `EMFILE` while the connection stays in
/// the kernel's queue, so the listening socket stays readable and the event loop tries again at
/// once: a flood of idle connections past the limit made the receiver spin a core until they went
/// away. With a cap below the limit the server stops accepting instead (new connections wait in
/// the backlog until the deadlines close idle ones), and the descriptors that the store, the
/// GitHub client and the log need stay free.
public struct ConnectionLimit: Sendable, Equatable {
    /// Kept back for everything that is not an accepted connection: SQLite (writer, readers, their
    /// WAL and shared-memory files), the GitHub client's connections, the log file, the event
    /// loops' own descriptors.
    static let reservedDescriptors = 128
    /// Scrapes and health checks; a handful at a time is normal.
    public static let metricsConnections = 32

    /// The descriptor limit the cap was taken from.
    public let descriptorLimit: Int
    /// Connections the webhook server holds open at most.
    public let webhookConnections: Int

    public init(descriptorLimit: Int) {
        self.descriptorLimit = descriptorLimit
        webhookConnections = max(16, descriptorLimit - Self.reservedDescriptors - Self.metricsConnections)
    }

    /// Raises the soft descriptor limit to the hard one first, as Go's runtime does at start, so a
    /// low default soft limit (1024 on many systems) does not cap a receiver the system allows more
    /// connections; then takes the cap from the limit in force.
    public static func raisingDescriptorLimit() -> ConnectionLimit {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return ConnectionLimit(descriptorLimit: 1024) }
        // An unlimited hard limit (RLIM_INFINITY, all bits set) is not a number of descriptors; a
        // million is more than any receiver needs.
        let wanted = min(limit.rlim_max, 1 << 20)
        if limit.rlim_cur < wanted {
            var raised = limit
            raised.rlim_cur = wanted
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return ConnectionLimit(descriptorLimit: Int(min(limit.rlim_cur, 1 << 20)))
    }
}
