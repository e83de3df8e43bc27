import ArgumentParser

/// The receiver's configuration as flags. Each flag stands for the environment variable of the same
/// name and wins over it; validation happens once, in `ConfigurationResolver`, so an error names
/// the variable whichever way the value came in.
struct ReceiverOptions: ParsableArguments {
    @Option(name: .customLong("github-app-id"), help: "GitHub App ID. (GITHUB_APP_ID)")
    var githubAppID: String?

    @Option(name: .customLong("github-installation-id"), help: "GitHub App installation ID. (GITHUB_INSTALLATION_ID)")
    var githubInstallationID: String?

    @Option(name: .customLong("github-private-key-path"), help: "PEM file with the App's RSA key, PKCS#1 or PKCS#8. (GITHUB_PRIVATE_KEY_PATH)")
    var githubPrivateKeyPath: String?

    @Option(name: .customLong("hmac-token-path"), help: "File holding Flux's generic-hmac token. (HMAC_TOKEN_PATH)")
    var hmacTokenPath: String?

    @Option(name: .customLong("github-api-url"), help: "GitHub API base URL; default https://api.github.com. (GITHUB_API_URL)")
    var githubAPIURL: String?

    @Option(name: .customLong("dedup-ttl"), help: "How long a dispatched event suppresses its duplicates, Go syntax; default 24h. (DEDUP_TTL)")
    var dedupTTL: String?

    @Option(name: .customLong("dedup-max-entries"), help: "Most dedup entries kept; the oldest goes first; default 10000. (DEDUP_MAX_ENTRIES)")
    var dedupMaxEntries: String?

    @Option(name: .customLong("listen-addr"), help: "Webhook address, :PORT or HOST:PORT; default :8080. (LISTEN_ADDR)")
    var listenAddr: String?

    @Option(name: .customLong("metrics-addr"), help: "Prometheus /metrics address; default :9090. (METRICS_ADDR)")
    var metricsAddr: String?

    @Option(name: .customLong("default-dispatch-event"), help: "Event type when an Alert names none; default flux-deploy. (DEFAULT_DISPATCH_EVENT)")
    var defaultDispatchEvent: String?

    @Option(
        name: [.customLong("state-db"), .customLong("db")],
        help: "SQLite state store; default $XDG_STATE_HOME/flux-dispatch/state.db. (STATE_DB)")
    var stateDB: String?

    @Flag(inversion: .prefixedNo, help: "Process and record events but send nothing to GitHub. (DRY_RUN)")
    var dryRun: Bool?

    @Option(
        name: [.customLong("delivery-mode"), .customLong("delivery")],
        help: "outbox (default): queue, answer 200, deliver with retries; sync: dispatch while Flux waits. (DELIVERY_MODE)")
    var deliveryMode: String?

    @Option(name: .customLong("outbox-max-age"), help: "How long the outbox keeps retrying a dispatch, Go syntax; default 24h. (OUTBOX_MAX_AGE)")
    var outboxMaxAge: String?

    @Option(name: .customLong("allowed-orgs"), help: "Comma list of GitHub owners dispatch_repo may name; default Altinn. (ALLOWED_ORGS)")
    var allowedOrgs: String?

    @Flag(inversion: .prefixedNo, help: "Accept unsigned events when no HMAC token is configured. (ALLOW_UNSIGNED)")
    var allowUnsigned: Bool?

    @Option(name: .customLong("retention"), help: "How long events are kept, Go syntax; default 336h. (RETENTION)")
    var retention: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical; default info. (LOG_LEVEL)")
    var logLevel: String?

    /// The flags given, keyed by the environment variable each stands for.
    var overrides: [String: String] {
        var values: [String: String?] = [
            "GITHUB_APP_ID": githubAppID, "GITHUB_INSTALLATION_ID": githubInstallationID,
            "GITHUB_PRIVATE_KEY_PATH": githubPrivateKeyPath, "HMAC_TOKEN_PATH": hmacTokenPath,
            "GITHUB_API_URL": githubAPIURL, "DEDUP_TTL": dedupTTL, "DEDUP_MAX_ENTRIES": dedupMaxEntries,
            "LISTEN_ADDR": listenAddr, "METRICS_ADDR": metricsAddr, "DEFAULT_DISPATCH_EVENT": defaultDispatchEvent,
            "STATE_DB": stateDB, "DELIVERY_MODE": deliveryMode, "OUTBOX_MAX_AGE": outboxMaxAge, "ALLOWED_ORGS": allowedOrgs, "RETENTION": retention,
            "LOG_LEVEL": logLevel,
        ]
        values["DRY_RUN"] = dryRun.map { $0 ? "true" : "false" }
        values["ALLOW_UNSIGNED"] = allowUnsigned.map { $0 ? "true" : "false" }
        return values.compactMapValues { $0 }
    }
}
