import NIOCore

/// Lets callers wait until both servers are bound and learn their actual addresses (port 0 picks a
/// free port, so the configured address is not always the real one).
actor StartupSignal {
    private(set) var webhook: SocketAddress?
    private(set) var metrics: SocketAddress?
    /// The heartbeat row exists: the receiver is fully up (and `/readyz` can say so).
    private(set) var isRegistered = false
    private var failure: String?
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func webhookBound(_ address: SocketAddress?) {
        webhook = address
        wakeIfReady()
    }

    func metricsBound(_ address: SocketAddress?) {
        metrics = address
        wakeIfReady()
    }

    func registered() {
        isRegistered = true
        wakeAll()
    }

    /// Start-up failed (or the receiver stopped before it was up): wakes every waiter.
    func failed(_ why: String) {
        guard webhook == nil || metrics == nil || !isRegistered else { return }
        failure = why
        for waiter in waiters { waiter.resume() }
        waiters = []
    }

    /// Waits for both servers; returns nil if start-up failed instead, or the waiting task was
    /// cancelled (a service group tearing down must not hang on a server that never bound).
    func wait(untilRegistered: Bool = false) async -> (webhook: SocketAddress, metrics: SocketAddress)? {
        await withTaskCancellationHandler {
            while true {
                if let webhook, let metrics, isRegistered || !untilRegistered { return (webhook, metrics) }
                if failure != nil || Task.isCancelled { return nil }
                await withCheckedContinuation { waiters.append($0) }
            }
        } onCancel: {
            Task { await self.wakeAll() }
        }
    }

    private func wakeAll() {
        for waiter in waiters { waiter.resume() }
        waiters = []
    }

    var failureReason: String? { failure }

    private func wakeIfReady() {
        guard webhook != nil, metrics != nil else { return }
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}
