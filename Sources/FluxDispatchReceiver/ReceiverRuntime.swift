import AsyncHTTPClient
import FluxDispatchCore
import FluxDispatchStore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// One receiver: the webhook server, the metrics server, the heartbeat and the store upkeep, run as
/// a service group with graceful shutdown. `serve` runs one; `dash` embeds one.
///
/// Shutdown order (reverse of start): the webhook server stops accepting and finishes in-flight
/// requests (their dispatches included), then metrics, then the delivery worker finishes the
/// attempts in flight (the rest stay pending for the next start), then the heartbeat marks the
/// receiver stopped, then pending counters are flushed; only then is the store closed.
public final class ReceiverRuntime: Sendable {
    public let configuration: ReceiverConfiguration
    public let store: StateStore
    public let metrics: ReceiverMetrics
    private let group: ServiceGroup
    private let startup: StartupSignal
    private let httpClient: HTTPClient?
    private let logger: Logger
    /// The most connections the webhook server holds open (below the descriptor limit).
    public let connectionLimit: ConnectionLimit

    /// Validates what can only be checked by touching files (HMAC token, App key, store) and builds
    /// the services. Throws `ConfigurationError` for bad configuration, `StoreError` for the store.
    public init(
        configuration: ReceiverConfiguration, mode: String = "serve", logger: Logger,
        signals: [UnixSignal] = [.sigterm, .sigint]
    ) async throws {
        self.configuration = configuration
        self.logger = logger

        let verifier = try Self.loadVerifier(configuration)
        let appKey = try configuration.githubApp.map { app throws(ConfigurationError) in try GitHubAppKey.load(path: app.privateKeyPath) }

        let store = try StateStore(path: configuration.stateDB) { write, error in
            logger.error(
                "a duplicate's record could not be written",
                metadata: ["product": .string(write.record.event.product), "error": .string("\(error)")])
        }
        self.store = store
        let metrics = ReceiverMetrics()
        self.metrics = metrics
        let dedup = try DedupGate(
            store: store, ttlSeconds: configuration.dedupTTLSeconds, capacity: configuration.dedupMaxEntries,
            metrics: metrics, now: .now())
        let rejections = RejectionCounter()

        var tokens: InstallationTokenProvider?
        let delivery: EventPipeline.Delivery
        var worker: DeliveryWorker?
        if let app = configuration.githubApp, let appKey, !configuration.isDryRun {
            var clientConfiguration = HTTPClient.Configuration()
            clientConfiguration.redirectConfiguration = .disallow
            clientConfiguration.timeout = .init(connect: .seconds(10), read: .seconds(10))
            // Like Go's client (no per-host cap): concurrent dispatches each get a connection
            // instead of queueing behind 8 (AsyncHTTPClient's default). Over HTTP/2, which
            // api.github.com speaks, one connection carries them all and this does not apply.
            clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
            // No tracer is bootstrapped, but the default (the global no-op tracer) still made
            // AsyncHTTPClient parse every request's URL with Foundation for span attributes nobody
            // reads: about 3 % of the receiver's CPU on the sync dispatch path.
            clientConfiguration.tracing.tracer = nil
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
            httpClient = client
            let provider = await InstallationTokenProvider(
                app: app, key: appKey, apiURL: configuration.githubAPIURL, httpClient: client,
                userAgent: FluxDispatchVersion.userAgent)
            tokens = provider
            let dispatcher = GitHubDispatcher(
                apiURL: configuration.githubAPIURL, httpClient: client, tokens: provider, userAgent: FluxDispatchVersion.userAgent)
            // The worker runs in sync mode too: it delivers redeliveries that operators ask for.
            let deliveryWorker = DeliveryWorker(
                store: store, dispatcher: dispatcher, dedup: dedup, metrics: metrics, logger: logger,
                settings: .init(
                    policy: RetryPolicy(maxAge: EpochMilliseconds(configuration.outboxMaxAgeSeconds * 1000)),
                    allowedOrganisations: configuration.allowedOrganisations))
            worker = deliveryWorker
            switch configuration.deliveryMode {
            case .sync: delivery = .github(dispatcher)
            case .outbox: delivery = .outbox(deliveryWorker)
            }
        } else {
            httpClient = nil
            delivery = .dryRun
        }

        let pipeline = EventPipeline(
            verifier: verifier, rules: configuration.triageRules, delivery: delivery, dedup: dedup, store: store,
            metrics: metrics, rejections: rejections, logger: logger)

        let startup = StartupSignal()
        self.startup = startup
        let dryRun = configuration.isDryRun
        let deliveryMode = configuration.deliveryMode.rawValue
        let tokenProvider = tokens
        let heartbeat = HeartbeatService(
            store: store, startup: startup,
            info: { webhook, metricsAddress in
                ReceiverInfo(
                    host: ProcessInfo.processInfo.hostName, pid: ProcessInfo.processInfo.processIdentifier,
                    listenAddress: webhook, metricsAddress: metricsAddress, mode: mode, deliveryMode: deliveryMode,
                    dryRun: dryRun, version: FluxDispatchVersion.current, startedAt: .now(), lastBeatAt: .now(),
                    tokenState: dryRun ? "dry run: no GitHub App in use" : "no token yet")
            },
            tokenState: {
                guard let tokenProvider else { return ("dry run: no GitHub App in use", nil) }
                switch await tokenProvider.state {
                case .none: return ("no token yet", nil)
                case .valid(let expiresAt): return ("valid", EpochMilliseconds(date: expiresAt))
                case .failing(let why): return ("failing: \(why)", nil)
                }
            },
            logger: logger)

        let maintenance = MaintenanceService(
            store: store, dedup: dedup, rejections: rejections, retentionSeconds: configuration.retentionSeconds,
            dedupTTLSeconds: configuration.dedupTTLSeconds, dedupCapacity: configuration.dedupMaxEntries, logger: logger)

        var serverLogger = logger
        serverLogger.logLevel = .warning
        let connections = ConnectionLimit.raisingDescriptorLimit()
        self.connectionLimit = connections
        let webhook = Application(
            responder: FluxEventsResponder(pipeline: pipeline, readiness: { await heartbeat.beatNow() }),
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [RequestDeadlineHandler()],
                    idleTimeout: nil,
                    httpDecoderConfiguration: Self.headLimits)),
            configuration: .init(
                address: .hostname(configuration.listenAddress.host, port: configuration.listenAddress.port),
                serverName: nil, backlog: 1024,
                availableConnectionsDelegate: .maximum(connections.webhookConnections, logger: serverLogger)),
            onServerRunning: { channel in await startup.webhookBound(channel.localAddress) },
            logger: serverLogger)
        let metricsServer = Application(
            responder: MetricsResponder(metrics: metrics),
            server: .http1(configuration: .init(additionalChannelHandlers: [RequestDeadlineHandler()], httpDecoderConfiguration: Self.headLimits)),
            configuration: .init(
                address: .hostname(configuration.metricsAddress.host, port: configuration.metricsAddress.port),
                serverName: nil,
                availableConnectionsDelegate: .maximum(ConnectionLimit.metricsConnections, logger: serverLogger)),
            onServerRunning: { channel in await startup.metricsBound(channel.localAddress) },
            logger: serverLogger)

        // Started in this order, stopped in reverse: the webhook stops taking events first, and the
        // delivery worker finishes its attempts in flight before the heartbeat marks us stopped.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: maintenance), .init(service: heartbeat)]
        if let worker { services.append(.init(service: DeliveryService(worker: worker))) }
        services += [.init(service: metricsServer), .init(service: webhook)]
        group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: signals,
                logger: serverLogger))
    }

    /// Runs until a shutdown signal (or `shutdown()`), then closes the store. Throws if a server
    /// cannot start (address in use, …).
    public func run() async throws {
        let c = configuration
        if let other = try? store.liveReceivers(freshAfter: .now() - 5000).first {
            logger.warning(
                "another receiver is writing to this state store",
                metadata: ["host": .string(other.host), "pid": .stringConvertible(Int(other.pid)), "listen": .string(other.listenAddress)])
        }
        if c.isDryRun {
            let why = c.githubApp == nil ? "no GitHub App configured" : "DRY_RUN=true"
            logger.warning(
                "DRY RUN (\(why)): events are processed and recorded, nothing is sent to GitHub",
                metadata: ["outcome": .string(Outcome.dryRun.rawValue)])
        }
        if c.hmacTokenPath == nil {
            logger.warning("ALLOW_UNSIGNED=true and no HMAC_TOKEN_PATH: accepting unsigned events from anyone who can reach the port")
        }
        let runError: (any Error)?
        do {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask {
                    do {
                        try await self.group.run()
                    } catch {
                        await self.startup.failed("\(error)")
                        throw await self.describeStartFailure(error)
                    }
                    // Stopped before both servers were bound: nothing more to wait for.
                    await self.startup.failed("stopped before listening")
                }
                tasks.addTask {
                    if let addresses = await self.startup.wait(untilRegistered: true) {
                        self.logger.info(
                            "flux-dispatch receiver started",
                            metadata: [
                                "listen": .string(addresses.webhook.displayAddress),
                                "metrics": .string(addresses.metrics.displayAddress), "state_db": .string(c.stateDB),
                                "dry_run": .stringConvertible(c.isDryRun), "delivery_mode": .string(c.deliveryMode.rawValue),
                                "allowed_orgs": .string(c.allowedOrganisations.joined(separator: ",")),
                                "version": .string(FluxDispatchVersion.current),
                                "max_connections": .stringConvertible(self.connectionLimit.webhookConnections),
                                "descriptor_limit": .stringConvertible(self.connectionLimit.descriptorLimit),
                            ])
                    }
                }
                try await tasks.waitForAll()
            }
            runError = nil
        } catch {
            runError = error
        }
        try? await httpClient?.shutdown()
        await store.flush()
        do {
            try store.close()
        } catch {
            logger.error("closing the state store failed", metadata: ["error": .string("\(error)")])
        }
        if let runError { throw runError }
        logger.info("flux-dispatch receiver stopped")
    }

    /// Names the address that could not be bound, when that is why a server stopped.
    private func describeStartFailure(_ error: any Error) async -> any Error {
        let text = "\(error)"
        guard text.contains("Address already in use") || text.contains("Cannot assign requested address")
            || text.contains("Permission denied")
        else { return error }
        let (webhookBound, metricsBound) = await (startup.webhook != nil, startup.metrics != nil)
        let reason = text.contains("Address already in use") ? "address already in use"
            : text.contains("Permission denied") ? "permission denied" : "no such local address"
        var which: [String] = []
        if !webhookBound { which.append("\(configuration.listenAddress) (LISTEN_ADDR)") }
        if !metricsBound { which.append("\(configuration.metricsAddress) (METRICS_ADDR)") }
        return ReceiverStartError(description: "cannot listen on \(which.joined(separator: " or ")): \(reason)")
    }

    /// The bound addresses once both servers listen and the heartbeat row is written; nil if
    /// start-up failed.
    public func addresses() async -> (webhook: SocketAddress, metrics: SocketAddress)? {
        await startup.wait(untilRegistered: true)
    }

    /// Begins graceful shutdown; `run()` returns when it is complete.
    public func shutdown() async {
        await group.triggerGracefulShutdown()
    }

    /// Both servers' limits on a request head (`ParseErrorAnswer` names them in its 431).
    private static let headLimits = HTTP1Channel.Configuration.DecoderConfiguration(
        maxHeaderFieldSize: FluxEventsResponder.maxHeaderBytes, maxHeaderListSize: FluxEventsResponder.maxHeaderBytes,
        maxHeaderFieldCount: FluxEventsResponder.maxHeaderFields)

    private static func loadVerifier(_ configuration: ReceiverConfiguration) throws(ConfigurationError) -> SignatureVerifier? {
        guard let path = configuration.hmacTokenPath else { return nil }
        return SignatureVerifier(token: try HMACTokenFile.read(path))
    }
}

/// A server could not start; the text names the address and the variable that set it.
public struct ReceiverStartError: Error, CustomStringConvertible {
    public let description: String
}
