import FluxDispatchCore
import Foundation

/// Builds a `ReceiverConfiguration` from environment variables, with command-line flags taking
/// precedence. Values are strings on both sides so each is validated once, and an error names the
/// environment variable whichever way the value came in. An empty value counts as unset, as it does
/// for the reference service (Go's `os.Getenv`).
public struct ConfigurationResolver: Sendable {
    public static let variables = [
        "GITHUB_APP_ID", "GITHUB_INSTALLATION_ID", "GITHUB_PRIVATE_KEY_PATH", "HMAC_TOKEN_PATH", "GITHUB_API_URL",
        "DEDUP_TTL", "DEDUP_MAX_ENTRIES", "LISTEN_ADDR", "METRICS_ADDR", "DEFAULT_DISPATCH_EVENT", "STATE_DB",
        "DRY_RUN", "DELIVERY_MODE", "OUTBOX_MAX_AGE", "ALLOWED_ORGS", "ALLOW_UNSIGNED", "RETENTION", "LOG_LEVEL",
    ]

    private let values: [String: String]

    /// - Parameters:
    ///   - environment: the process environment.
    ///   - overrides: values given as flags, keyed by the environment variable they stand for.
    public init(environment: [String: String], overrides: [String: String] = [:]) {
        var values: [String: String] = [:]
        for name in Self.variables {
            // A flag wins; an empty flag or variable counts as not given.
            if let value = [overrides[name], environment[name]].compactMap({ $0 }).first(where: { !$0.isEmpty }) {
                values[name] = value
            }
        }
        // Only what the default STATE_DB needs.
        for name in ["XDG_STATE_HOME", "HOME"] { values["env:" + name] = environment[name] }
        self.values = values
    }

    public func resolve() throws(ConfigurationError) -> ReceiverConfiguration {
        // Outbox is the default for commands that resolve their configuration (serve, dash, demo);
        // `DELIVERY_MODE=sync` gives the reference service's behaviour.
        var config = ReceiverConfiguration(stateDB: try stateDB(), deliveryMode: .outbox)
        config.githubApp = try githubApp()
        config.hmacTokenPath = values["HMAC_TOKEN_PATH"]
        if let text = values["GITHUB_API_URL"] {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                url.host != nil
            else {
                throw ConfigurationError(variable: "GITHUB_API_URL", problem: "\"\(text)\" is not an http(s) URL")
            }
            config.githubAPIURL = url
        }
        if let text = values["DEDUP_TTL"] { config.dedupTTLSeconds = try positiveDuration("DEDUP_TTL", text) }
        if let text = values["DEDUP_MAX_ENTRIES"] {
            guard let n = Int(text), n > 0 else {
                throw ConfigurationError(variable: "DEDUP_MAX_ENTRIES", problem: "\"\(text)\" is not a positive whole number")
            }
            config.dedupMaxEntries = n
        }
        if let text = values["LISTEN_ADDR"] { config.listenAddress = try address("LISTEN_ADDR", text) }
        if let text = values["METRICS_ADDR"] { config.metricsAddress = try address("METRICS_ADDR", text) }
        if let text = values["DEFAULT_DISPATCH_EVENT"] {
            guard text.count <= 100, !text.contains(where: { $0.isWhitespace || $0.isNewline }) else {
                throw ConfigurationError(
                    variable: "DEFAULT_DISPATCH_EVENT", problem: "\"\(text)\" must be at most 100 characters without spaces")
            }
            config.defaultDispatchEvent = text
        }
        if let text = values["DRY_RUN"] { config.dryRunRequested = try boolean("DRY_RUN", text) }
        if let text = values["DELIVERY_MODE"] {
            guard let mode = ReceiverConfiguration.DeliveryMode(rawValue: text.lowercased()) else {
                throw ConfigurationError(
                    variable: "DELIVERY_MODE", problem: "\"\(text)\" is not a delivery mode (use outbox or sync)")
            }
            config.deliveryMode = mode
        }
        if let text = values["OUTBOX_MAX_AGE"] { config.outboxMaxAgeSeconds = try positiveDuration("OUTBOX_MAX_AGE", text) }
        if let text = values["ALLOWED_ORGS"] {
            let orgs = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !orgs.isEmpty else {
                throw ConfigurationError(variable: "ALLOWED_ORGS", problem: "\"\(text)\" names no organisation")
            }
            config.allowedOrganisations = orgs
        }
        if let text = values["ALLOW_UNSIGNED"] { config.allowUnsigned = try boolean("ALLOW_UNSIGNED", text) }
        if let text = values["RETENTION"] { config.retentionSeconds = try positiveDuration("RETENTION", text) }
        if let text = values["LOG_LEVEL"] {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard levels.contains(text.lowercased()) else {
                throw ConfigurationError(variable: "LOG_LEVEL", problem: "\"\(text)\" is not one of \(levels.joined(separator: ", "))")
            }
            config.logLevel = text.lowercased()
        }
        if config.hmacTokenPath == nil, !config.allowUnsigned {
            throw ConfigurationError(
                variable: "HMAC_TOKEN_PATH",
                problem: "not set; give the file holding Flux's generic-hmac token, or set ALLOW_UNSIGNED=true to accept unsigned events")
        }
        return config
    }

    private func githubApp() throws(ConfigurationError) -> ReceiverConfiguration.GitHubApp? {
        let names = ["GITHUB_APP_ID", "GITHUB_INSTALLATION_ID", "GITHUB_PRIVATE_KEY_PATH"]
        let given = names.filter { values[$0] != nil }
        if given.isEmpty { return nil }
        let missing = names.filter { values[$0] == nil }
        guard missing.isEmpty else {
            throw ConfigurationError(
                variable: missing.joined(separator: ", "),
                problem: "missing; the GitHub App needs all of GITHUB_APP_ID, GITHUB_INSTALLATION_ID and GITHUB_PRIVATE_KEY_PATH (or none, for dry run)")
        }
        for name in ["GITHUB_APP_ID", "GITHUB_INSTALLATION_ID"] {
            let text = values[name]!
            guard let n = Int64(text), n > 0 else {
                throw ConfigurationError(variable: name, problem: "\"\(text)\" is not a positive whole number")
            }
        }
        return .init(
            appID: values["GITHUB_APP_ID"]!, installationID: values["GITHUB_INSTALLATION_ID"]!,
            privateKeyPath: values["GITHUB_PRIVATE_KEY_PATH"]!)
    }

    /// Just the store path (what a viewer needs even when the rest of the configuration is bad).
    public func stateDB() throws(ConfigurationError) -> String {
        if let path = values["STATE_DB"] { return path }
        if let state = values["env:XDG_STATE_HOME"], state.hasPrefix("/") {
            return state + "/flux-dispatch/state.db"
        }
        guard let home = values["env:HOME"], !home.isEmpty else {
            throw ConfigurationError(variable: "STATE_DB", problem: "not set, and neither XDG_STATE_HOME nor HOME is; give a path")
        }
        return home + "/.local/state/flux-dispatch/state.db"
    }

    private func positiveDuration(_ name: String, _ text: String) throws(ConfigurationError) -> Double {
        let seconds: Double
        do {
            seconds = try GoDuration.parseSeconds(text)
        } catch {
            throw ConfigurationError(variable: name, problem: error.description)
        }
        guard seconds > 0 else { throw ConfigurationError(variable: name, problem: "\"\(text)\" must be longer than zero") }
        return seconds
    }

    private func address(_ name: String, _ text: String) throws(ConfigurationError) -> ListenAddress {
        do {
            return try ListenAddress(parsing: text)
        } catch {
            throw ConfigurationError(variable: name, problem: error.description)
        }
    }

    private func boolean(_ name: String, _ text: String) throws(ConfigurationError) -> Bool {
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ConfigurationError(variable: name, problem: "\"\(text)\" is not a boolean (use true/false, 1/0, yes/no)")
        }
    }
}
