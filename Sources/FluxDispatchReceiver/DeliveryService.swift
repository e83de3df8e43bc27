import FluxDispatchStore
import Logging
import ServiceLifecycle

/// Runs the delivery worker in the background: a pass whenever something is queued or a lane ends,
/// when the next retry is due, and at least once a second (so redeliveries queued by another process, such as
/// `flux-dispatch redeliver`, are picked up promptly).
///
/// On graceful shutdown it starts no new attempt; the attempts in flight finish (each is bounded by
/// the 10 s GitHub timeout) and are recorded, and everything else stays pending for the next start.
final class DeliveryService: Service {
    private let worker: DeliveryWorker
    private let clock: @Sendable () -> EpochMilliseconds
    static let pollInterval: EpochMilliseconds = 1000

    init(worker: DeliveryWorker, clock: @escaping @Sendable () -> EpochMilliseconds = { .now() }) {
        self.worker = worker
        self.clock = clock
    }

    func run() async throws {
        let worker = self.worker
        await worker.resume()
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                let next = await worker.deliverDue(waitForLanes: false)
                let wait = min(Self.pollInterval, max(0, (next ?? .max) - self.clock()))
                if wait > 0 { await worker.wake.wait(upTo: .milliseconds(wait)) }
            }
        } onGracefulShutdown: {
            worker.stop()
            worker.wake.signal()
        }
        // Attempts in flight finish and are recorded before the store is closed.
        await worker.waitForLanes()
    }
}
