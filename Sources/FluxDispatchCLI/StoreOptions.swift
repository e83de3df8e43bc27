import ArgumentParser
import FluxDispatchReceiver
import FluxDispatchStore
import Foundation

/// `--db` for the commands that read or change an existing store.
struct StoreOptions: ParsableArguments {
    @Option(
        name: [.customLong("db"), .customLong("state-db")],
        help: "The state store; default STATE_DB, else $XDG_STATE_HOME/flux-dispatch/state.db.")
    var db: String?

    /// The store path from the flag, STATE_DB or the default.
    func path() -> String {
        if let db, !db.isEmpty { return db }
        do {
            return try ConfigurationResolver(environment: ProcessInfo.processInfo.environment).stateDB()
        } catch {
            fail(2, error.description)
        }
    }

    /// Opens a store that must already exist; exit code 2 (with the reason) when it cannot be read.
    func openExisting() -> StateStore {
        let path = path()
        guard FileManager.default.fileExists(atPath: path) else {
            fail(2, "no state store at \(path) (run `flux-dispatch serve` or `dash` first, or point --db / STATE_DB at it)")
        }
        do {
            return try StateStore(path: path)
        } catch {
            fail(2, "\(error)")
        }
    }
}

/// UTC timestamps for command output.
enum Timestamp {
    static func iso(_ at: EpochMilliseconds) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: at.date)
    }
}

/// The Unix user running the command.
enum UnixUser {
    static var name: String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "unknown"
    }
}
