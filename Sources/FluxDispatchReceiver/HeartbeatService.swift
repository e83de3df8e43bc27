import FluxDispatchStore
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// Writes this receiver's heartbeat row once a second, so dashboards and `status` can tell whether a
/// receiver is alive, where it listens and in which mode. Marks the row stopped on shutdown.
final class HeartbeatService: Service {
    static let interval: Duration = .seconds(1)

    private let store: StateStore
    private let startup: StartupSignal
    private let info: @Sendable (_ webhook: String, _ metrics: String) -> ReceiverInfo
    private let tokenState: @Sendable () async -> (String, EpochMilliseconds?)
    private let logger: Logger
    private let registered = RegisteredID()

    init(
        store: StateStore, startup: StartupSignal, info: @escaping @Sendable (String, String) -> ReceiverInfo,
        tokenState: @escaping @Sendable () async -> (String, EpochMilliseconds?), logger: Logger
    ) {
        self.store = store
        self.startup = startup
        self.info = info
        self.tokenState = tokenState
        self.logger = logger
    }

    /// One beat now; used by `/readyz`, whose question is exactly "can the store still be written?".
    func beatNow() async -> String? {
        guard let id = await registered.value else { return "receiver not registered in the state store yet" }
        if let problem = store.fileProblem { return problem.description }
        guard store.isWritable else { return "the state store file \(store.path) is not writable" }
        do {
            let (state, expires) = await tokenState()
            try await store.beat(receiverID: id, at: .now(), tokenState: state, tokenExpiresAt: expires)
            return nil
        } catch {
            return "heartbeat write failed: \(error)"
        }
    }

    func run() async throws {
        let startup = self.startup
        guard let addresses = await cancelWhenGracefulShutdown({ await startup.wait() }) else { return }
        let row = info(addresses.webhook.displayAddress, addresses.metrics.displayAddress)
        let id: Int64
        do {
            id = try await store.registerReceiver(row)
        } catch {
            logger.error("cannot register the receiver in the state store", metadata: ["error": .string("\(error)")])
            throw error
        }
        await registered.set(id)
        await startup.registered()
        await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.interval)
                if Task.isCancelled { break }
                if let problem = await self.beatNow() {
                    if !failing { self.logger.error("heartbeat failed", metadata: ["error": .string(problem)]) }
                    failing = true
                } else if failing {
                    self.logger.notice("heartbeat recovered")
                    failing = false
                }
            }
        }
        do {
            try await store.markStopped(receiverID: id, at: .now())
        } catch {
            logger.warning("cannot mark the receiver stopped", metadata: ["error": .string("\(error)")])
        }
    }
}

actor RegisteredID {
    private(set) var value: Int64?
    func set(_ id: Int64) { value = id }
}

extension SocketAddress {
    /// `127.0.0.1:8080` / `[::1]:8080`.
    var displayAddress: String {
        guard let ip = ipAddress, let port else { return description }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}
