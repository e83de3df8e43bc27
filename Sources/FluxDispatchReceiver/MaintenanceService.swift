import FluxDispatchStore
import Foundation
import Logging
import ServiceLifecycle

/// Background upkeep of the store: flushes the rejected-request counters every few seconds, and
/// every minute prunes events past `RETENTION` and dedup entries past `DEDUP_TTL` or the cap.
final class MaintenanceService: Service {
    private let store: StateStore
    private let dedup: DedupGate
    private let rejections: RejectionCounter
    private let retentionSeconds: Double
    private let dedupTTLSeconds: Double
    private let dedupCapacity: Int
    private let logger: Logger
    static let flushInterval: Duration = .seconds(5)
    static let pruneEvery = 12  // flushes, i.e. once a minute

    init(
        store: StateStore, dedup: DedupGate, rejections: RejectionCounter, retentionSeconds: Double,
        dedupTTLSeconds: Double, dedupCapacity: Int, logger: Logger
    ) {
        self.store = store
        self.dedup = dedup
        self.rejections = rejections
        self.retentionSeconds = retentionSeconds
        self.dedupTTLSeconds = dedupTTLSeconds
        self.dedupCapacity = dedupCapacity
        self.logger = logger
    }

    func run() async throws {
        await prune()
        await cancelWhenGracefulShutdown {
            var tick = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.flushInterval)
                if Task.isCancelled { break }
                await self.flushRejections()
                tick += 1
                if tick % Self.pruneEvery == 0 { await self.prune() }
            }
        }
        // Whatever was counted since the last flush.
        await flushRejections()
    }

    func flushRejections() async {
        let pending = rejections.drain()
        guard !pending.isEmpty else { return }
        var byKind: [String: Int] = [:]
        var sources = Set<String>()
        for (key, n) in pending {
            byKind[key.kind.rawValue, default: 0] += n
            sources.insert(key.sourceAddress)
        }
        logger.warning(
            "requests rejected before they were trusted",
            metadata: [
                "counts": .dictionary(byKind.mapValues { .stringConvertible($0) }),
                "sources": .array(sources.sorted().prefix(10).map { .string($0) }),
            ])
        do {
            try await store.addRejections(pending)
        } catch {
            logger.error("cannot record rejected-request counts", metadata: ["error": .string("\(error)")])
        }
    }

    func prune() async {
        let now = EpochMilliseconds.now()
        do {
            let events = try await store.pruneEvents(before: now - EpochMilliseconds(retentionSeconds * 1000))
            let entries = try await store.pruneDedup(before: now - EpochMilliseconds(dedupTTLSeconds * 1000), keep: dedupCapacity)
            dedup.removeExpired(now: now)
            if events > 0 || entries > 0 {
                logger.info(
                    "pruned the state store",
                    metadata: ["events": .stringConvertible(events), "dedup_entries": .stringConvertible(entries)])
            }
        } catch {
            logger.error("pruning the state store failed", metadata: ["error": .string("\(error)")])
        }
    }
}
