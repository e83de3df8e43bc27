import CNcursesw

#if canImport(Glibc)
import Glibc
#endif

/// Puts the terminal back the way the shell had it, however the dashboard ends: `q`, `^C`,
/// SIGTERM, SIGHUP (the SSH session dropped), or a crash signal.
public enum TerminalRestore {
    /// Crash signals: restore the terminal, then die by the same signal so the exit status and any
    /// core dump are what they would have been. `endwin` is not async-signal-safe, but the process
    /// is ending either way and a usable terminal is worth the risk (htop does the same).
    public static func installCrashHandlers() {
        for crash in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT] {
            signal(crash) { received in
                endwin()
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }

    /// Leaves curses mode (idempotent).
    public static func restore() {
        if isendwin() == false { endwin() }
    }
}
