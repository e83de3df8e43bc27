import ArgumentParser
import FluxDispatchReceiver
import FluxDispatchStore
import Foundation
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the webhook receiver: POST /flux-events, /healthz, /readyz, and /metrics.",
        discussion: """
            Every setting is an environment variable (as for the reference Go service) and also a flag; \
            a flag wins. With no GitHub App configured it runs in dry run: everything but the call to \
            GitHub. HMAC_TOKEN_PATH is required unless ALLOW_UNSIGNED=true.

            Exit codes: 0 after a graceful shutdown (SIGTERM/SIGINT), 1 when a server cannot start \
            (address in use), 2 for a bad configuration value or an unusable state store.

            Examples:
              HMAC_TOKEN_PATH=/etc/flux-dispatch/token flux-dispatch serve
              flux-dispatch serve --allow-unsigned --listen-addr 127.0.0.1:8080 \\
                --db ./state.db
              GITHUB_APP_ID=1 GITHUB_INSTALLATION_ID=2 GITHUB_PRIVATE_KEY_PATH=app.pem \\
                HMAC_TOKEN_PATH=token ALLOWED_ORGS=Altinn,digdir flux-dispatch serve
            """
    )

    @OptionGroup var options: ReceiverOptions

    func run() async throws {
        let configuration = try resolveConfiguration(options)
        let logger = bootstrapLogging(level: configuration.logLevel)
        let runtime = try await makeRuntime(configuration, mode: "serve", logger: logger)
        do {
            try await runtime.run()
        } catch let error as ReceiverStartError {
            fail(1, error.description)
        } catch {
            fail(1, "the receiver stopped: \(error)")
        }
    }
}

/// Resolves flags and environment into a configuration, or stops with exit code 2 and one line.
func resolveConfiguration(_ options: ReceiverOptions) throws -> ReceiverConfiguration {
    do {
        return try ConfigurationResolver(environment: ProcessInfo.processInfo.environment, overrides: options.overrides).resolve()
    } catch {
        fail(2, error.description)
    }
}

func makeRuntime(_ configuration: ReceiverConfiguration, mode: String, logger: Logger) async throws -> ReceiverRuntime {
    do {
        return try await ReceiverRuntime(configuration: configuration, mode: mode, logger: logger)
    } catch let error as ConfigurationError {
        fail(2, error.description)
    } catch let error as StoreError {
        fail(2, "STATE_DB: \(error.description)")
    }
}

/// JSON lines on stderr, once per process.
func bootstrapLogging(level: String) -> Logger {
    let logLevel = Logger.Level(rawValue: level) ?? .info
    LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: logLevel) }
    return Logger(label: "flux-dispatch")
}

/// Prints `flux-dispatch: <message>` on stderr and exits.
func fail(_ code: Int32, _ message: String) -> Never {
    FileHandle.standardError.write(Data("flux-dispatch: \(message)\n".utf8))
    exit(code)
}
