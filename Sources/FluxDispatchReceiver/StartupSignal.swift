import NIOCore

/// Lets callers wait until both servers are bound and learn their actual addresses (port 0 picks a
/// free port, so the configured address is not always the real one).
actor StartupSignal {
    private(set) var webhook: SocketAddress?
    private(set) var metrics: SocketAddress?
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

    /// Start-up failed (or the receiver stopped before both servers were bound): wakes every waiter.
    func failed(_ why: String) {
        guard webhook == nil || metrics == nil else { return }
        failure = why
        for waiter in waiters { waiter.resume() }
        waiters = []
    }

    /// Waits for both servers; returns nil if start-up failed instead, or the waiting task was
    /// cancelled (a service group tearing down must not hang on a server that never bound).
    func wait() async -> (webhook: SocketAddress, metrics: SocketAddress)? {
        await withTaskCancellationHandler {
            while true {
                if let webhook, let metrics { return (webhook, metrics) }
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
