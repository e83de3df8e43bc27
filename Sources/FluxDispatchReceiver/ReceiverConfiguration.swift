import FluxDispatchCore
import Foundation

/// Everything the receiver is configured with, resolved and validated.
public struct ReceiverConfiguration: Sendable {
    public struct GitHubApp: Sendable, Equatable {
        public var appID: String
        public var installationID: String
        public var privateKeyPath: String

        public init(appID: String, installationID: String, privateKeyPath: String) {
            self.appID = appID
            self.installationID = installationID
            self.privateKeyPath = privateKeyPath
        }
    }

    public enum DeliveryMode: String, Sendable {
        /// Dispatch while Flux waits, no internal retry: the reference service's behaviour.
        case sync
        /// Commit the dispatch to the outbox with the event, answer `queued`, and deliver in the
        /// background with retries until GitHub takes it or `OUTBOX_MAX_AGE` passes.
        case outbox
    }

    public var githubApp: GitHubApp?
    public var hmacTokenPath: String?
    public var githubAPIURL: URL
    public var dedupTTLSeconds: Double
    public var dedupMaxEntries: Int
    public var listenAddress: ListenAddress
    public var metricsAddress: ListenAddress
    public var defaultDispatchEvent: String
    public var stateDB: String
    /// `DRY_RUN=true` as given; see `isDryRun` for the effective mode.
    public var dryRunRequested: Bool
    public var deliveryMode: DeliveryMode
    /// How long the outbox keeps trying a dispatch before it is dead (`OUTBOX_MAX_AGE`).
    public var outboxMaxAgeSeconds: Double
    public var allowedOrganisations: [String]
    public var allowUnsigned: Bool
    public var retentionSeconds: Double
    public var logLevel: String

    /// Dry run when asked for, or when there is no GitHub App to dispatch with.
    public var isDryRun: Bool { dryRunRequested || githubApp == nil }

    public var triageRules: Triage.Rules {
        Triage.Rules(allowedOrganisations: allowedOrganisations, defaultEventType: defaultDispatchEvent)
    }

    public init(
        githubApp: GitHubApp? = nil, hmacTokenPath: String? = nil,
        githubAPIURL: URL = URL(string: "https://api.github.com")!, dedupTTLSeconds: Double = 86_400,
        dedupMaxEntries: Int = 10_000, listenAddress: ListenAddress = .init(host: "0.0.0.0", port: 8080),
        metricsAddress: ListenAddress = .init(host: "0.0.0.0", port: 9090), defaultDispatchEvent: String = "flux-deploy",
        stateDB: String, dryRunRequested: Bool = false, deliveryMode: DeliveryMode = .sync,
        allowedOrganisations: [String] = ["Altinn"], allowUnsigned: Bool = false, retentionSeconds: Double = 336 * 3600,
        logLevel: String = "info", outboxMaxAgeSeconds: Double = 86_400
    ) {
        self.outboxMaxAgeSeconds = outboxMaxAgeSeconds
        self.githubApp = githubApp
        self.hmacTokenPath = hmacTokenPath
        self.githubAPIURL = githubAPIURL
        self.dedupTTLSeconds = dedupTTLSeconds
        self.dedupMaxEntries = dedupMaxEntries
        self.listenAddress = listenAddress
        self.metricsAddress = metricsAddress
        self.defaultDispatchEvent = defaultDispatchEvent
        self.stateDB = stateDB
        self.dryRunRequested = dryRunRequested
        self.deliveryMode = deliveryMode
        self.allowedOrganisations = allowedOrganisations
        self.allowUnsigned = allowUnsigned
        self.retentionSeconds = retentionSeconds
        self.logLevel = logLevel
    }
}

/// A configuration value that stops start-up: which variable, and what is wrong with it.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let variable: String
    public let problem: String

    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    public var description: String { "\(variable): \(problem)" }
}
