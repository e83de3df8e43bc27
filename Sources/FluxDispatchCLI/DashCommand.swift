import ArgumentParser
import FluxDispatchDashboard
import FluxDispatchReceiver
import FluxDispatchStore
import FluxDispatchTerminal
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

struct DashCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dash",
        abstract: "Open the on-call dashboard: live dispatches, failure callouts, dedup hits.",
        discussion: """
            Opens the state store (STATE_DB / --db). If no live receiver writes to it, the dashboard starts \
            the embedded receiver in this process, with the same configuration as `serve`; otherwise it \
            attaches as a viewer. --attach never starts one. If the embedded receiver cannot start (no \
            HMAC token, port in use, bad value), the dashboard opens as a viewer and its header says why. \
            Several dashboards may share one store. While the dashboard owns the terminal, the embedded \
            receiver's JSON logs go to dash.log beside the store.

            Keys: ? help, q quit, arrows or j/k, PgUp/PgDn, g/G, Tab next pane, Enter details, Esc back, \
            d dismiss the selected callout's product, u undo, / filter by product or env, f failures only, \
            p pause the feed, t next theme.

            Examples:
              flux-dispatch dash
              flux-dispatch dash --attach --operator alice \\
                --db /var/lib/flux-dispatch/state.db
              NO_COLOR=1 flux-dispatch dash --theme monochrome
            """
    )

    @OptionGroup var options: ReceiverOptions

    @Flag(help: "Only view the store; never start the embedded receiver.")
    var attach = false

    @Option(name: .customLong("operator"), help: "Who dismissals are recorded for; default: the Unix user.")
    var operatorName: String?

    @Option(help: "Theme: default, high-contrast, solarized-dark, monochrome, or a YAML file path.")
    var theme: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let resolver = ConfigurationResolver(environment: environment, overrides: options.overrides)
        let stateDB: String
        do {
            stateDB = try resolver.stateDB()
        } catch {
            fail(2, error.description)
        }
        let store: StateStore
        do {
            store = try StateStore(path: stateDB)
        } catch {
            fail(2, "STATE_DB: \(error)")
        }
        let operatorName = self.operatorName ?? UnixUser.name
        let host = ProcessInfo.processInfo.hostName

        // Logs go to a file: the terminal belongs to the dashboard.
        let logPath = (stateDB as NSString).deletingLastPathComponent + "/dash.log"
        let output = LogOutput.file(logPath) ?? .discard

        var embedded: ReceiverRuntime?
        var embeddedTask: Task<Void, any Error>?
        var embeddedListen: String?
        var embeddedFailure: String?
        let live = (try? store.liveReceivers(freshAfter: .now() - SnapshotLoader.liveWindow)) ?? []
        if attach {
            embeddedFailure = live.isEmpty ? "no receiver is writing to this store (--attach)" : nil
        } else if live.isEmpty {
            do {
                let configuration = try resolver.resolve()
                let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
                let logger = Logger(label: "flux-dispatch") { label in JSONLogHandler(label: label, level: level, output: output) }
                let runtime = try await ReceiverRuntime(configuration: configuration, mode: "embedded", logger: logger, signals: [])
                let task = Task { try await runtime.run() }
                if let addresses = await runtime.addresses() {
                    embedded = runtime
                    embeddedTask = task
                    embeddedListen = addresses.webhook.port.map { ":\($0)" } ?? "?"
                } else {
                    let why = await Self.failure(of: task)
                    embeddedFailure = "receiver not started: " + Self.oneLine(why)
                }
            } catch let error as ConfigurationError {
                embeddedFailure = "receiver not started: \(error.description)"
            } catch {
                embeddedFailure = "receiver not started: \(Self.oneLine("\(error)"))"
            }
        }

        let loader = SnapshotLoader(
            store: store, host: host, operatorName: operatorName, embeddedListen: embeddedListen, embeddedFailure: embeddedFailure)
        let session = DashboardSession(store: store, loader: loader, themeArgument: theme, noColor: environment["NO_COLOR"].map { !$0.isEmpty } ?? false)
        let exitCode = await session.run()

        if let embedded, let embeddedTask {
            await embedded.shutdown()
            _ = try? await embeddedTask.value
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }

    static func failure(of task: Task<Void, any Error>) async -> String {
        do {
            try await task.value
            return "stopped"
        } catch {
            return "\(error)"
        }
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
    }
}
