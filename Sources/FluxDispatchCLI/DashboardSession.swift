import Dispatch
import FluxDispatchDashboard
import FluxDispatchStore
import FluxDispatchTerminal
import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// The interactive loop of `dash`: reads keys, applies them to the pure view state, performs the
/// effects (dismissals go to the store), reloads the snapshot when the store changed, renders the
/// grid and lets the backend blit what differs.
///
/// Change detection is `PRAGMA data_version` every 100 ms, so a new event is on screen well within
/// 500 ms of its commit; when nothing changes nothing is reloaded and, because the grid is then
/// identical, nothing is written to the terminal.
final class DashboardSession {
    let store: StateStore
    let loader: SnapshotLoader
    let themeArgument: String?
    let noColor: Bool
    private let stopRequested = StopFlag()

    static let tick: Duration = .milliseconds(25)
    static let watchEvery = 4  // ticks: 100 ms

    /// For `demo --duration`: end by itself after this long.
    let stopAfter: Duration?

    init(store: StateStore, loader: SnapshotLoader, themeArgument: String?, noColor: Bool, stopAfter: Duration? = nil) {
        self.store = store
        self.loader = loader
        self.themeArgument = themeArgument
        self.noColor = noColor
        self.stopAfter = stopAfter
    }

    /// Runs until `q`, ^C, SIGTERM or SIGHUP; returns the exit code.
    func run() async -> Int32 {
        let signalSources = installSignalHandlers()
        defer { signalSources.forEach { $0.cancel() } }

        var catalog = ThemeCatalog()
        var themeIndex = catalog.index(named: "default") ?? 0
        var startupNotice: String?
        if let themeArgument {
            switch catalog.select(themeArgument) {
            case .success(let index): themeIndex = index
            case .failure(let error): startupNotice = "\(error.description); using the default theme"
            }
        }

        let screen = CursesScreen()
        TerminalRestore.installCrashHandlers()
        defer { screen.stop() }
        screen.apply(catalog[themeIndex].effective(noColor: noColor))

        var state = DashboardState(terminalSize: Self.terminalSize(screen), themeIndex: themeIndex, themeNames: catalog.names)
        if let startupNotice { state.notice = startupNotice }
        let watcher = try? StoreWatcher(path: store.path)
        var snapshot = reload(state: state, previous: nil, size: screen.size)
        var tick = 0
        var lastMinute = EpochMilliseconds.now() / 60_000
        var pacer = ReloadPacer()

        let started = ContinuousClock.now
        while !stopRequested.isSet {
            if let stopAfter, ContinuousClock.now - started >= stopAfter { return 0 }
            var needsReload = false
            var needsRender = false
            state.terminalSize = Self.terminalSize(screen)
            while let key = screen.readKey() {
                needsRender = true
                let action = KeyMap.action(for: key, in: state)
                for effect in state.apply(action, snapshot: snapshot) {
                    switch effect {
                    case .quit:
                        return 0
                    case .dismiss(let product):
                        do {
                            try await store.dismiss(product: product, operatorName: loader.operatorName, at: .now())
                        } catch {
                            state.notice = "could not dismiss \(product): \(error)"
                        }
                        needsReload = true
                    case .undismiss(let product):
                        do {
                            try await store.undismiss(product: product, operatorName: loader.operatorName)
                        } catch {
                            state.notice = "could not undo the dismissal of \(product): \(error)"
                        }
                        needsReload = true
                    case .redeliver(let eventID):
                        do {
                            let item = try await store.redeliver(eventID: eventID, operatorName: loader.operatorName, at: .now())
                            state.notice = "event #\(eventID) queued again for \(item.dispatchRepo) (asked by \(loader.operatorName))"
                        } catch let error as RedeliveryError {
                            state.notice = "not redelivered: \(error.description)"
                        } catch {
                            state.notice = "could not queue event #\(eventID) again: \(error)"
                        }
                        needsReload = true
                    case .openDetail, .reload:
                        needsReload = true
                    case .themeChanged(let index):
                        screen.apply(catalog[index].effective(noColor: noColor))
                    }
                }
            }
            tick += 1
            if tick % Self.watchEvery == 0 {
                if (try? watcher?.hasChanged()) ?? true { pacer.storeChanged() }
                let minute = EpochMilliseconds.now() / 60_000
                if minute != lastMinute {
                    lastMinute = minute
                    needsReload = true
                }
            }
            if pacer.isDue(at: .now) { needsReload = true }
            if needsReload {
                snapshot = reload(state: state, previous: snapshot, size: screen.size)
                pacer.reloaded(at: .now)
                needsRender = true
            }
            if needsRender {
                let size = screen.size
                screen.draw(
                    DashboardRenderer.render(
                        snapshot: snapshot, state: state, size: TerminalSize(width: size.width, height: size.height),
                        glyphs: screen.glyphs))
            }
            try? await Task.sleep(for: Self.tick)
        }
        return 0
    }

    private func reload(state: DashboardState, previous: DashboardSnapshot?, size: (width: Int, height: Int)) -> DashboardSnapshot {
        let now = EpochMilliseconds.now()
        do {
            let snapshot = try loader.load(
                now: now, filter: state.feedFilter, feedLimit: max(200, size.height * 4), detailID: state.detailEventID)
            return snapshot
        } catch {
            var snapshot = previous ?? DashboardSnapshot(now: now, host: loader.host, operatorName: loader.operatorName, receiver: .down(why: nil))
            snapshot.now = now
            snapshot.receiver = .down(why: "cannot read the store: \(error)")
            return snapshot
        }
    }

    static func terminalSize(_ screen: CursesScreen) -> TerminalSize {
        TerminalSize(width: screen.size.width, height: screen.size.height)
    }

    private func installSignalHandlers() -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM, SIGHUP].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [stopRequested] in stopRequested.set() }
            source.resume()
            return source
        }
    }
}

/// Set from a signal handler's queue, read by the loop.
final class StopFlag: Sendable {
    private let value = NIOLockedValueBox(false)
    var isSet: Bool { value.withLockedValue { $0 } }
    func set() { value.withLockedValue { $0 = true } }
}
