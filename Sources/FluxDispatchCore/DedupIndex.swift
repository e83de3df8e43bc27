/// The dedup policy as a value: keys live for `ttl`, at most `capacity` are kept, and at the cap the
/// oldest is evicted. Time is passed in (milliseconds since the epoch) so the policy is testable
/// without a clock; persistence is the caller's business.
public struct DedupIndex: Sendable {
    public let ttlMilliseconds: Int64
    public let capacity: Int

    private var recordedAt: [String: Int64] = [:]
    /// Keys in recording order; entries whose time no longer matches `recordedAt` are stale and skipped.
    private var order: [(key: String, at: Int64)] = []
    private var orderStart = 0

    public init(ttlMilliseconds: Int64, capacity: Int) {
        precondition(capacity > 0, "dedup capacity must be positive")
        self.ttlMilliseconds = ttlMilliseconds
        self.capacity = capacity
    }

    public var count: Int { recordedAt.count }

    /// Whether `key` was recorded and has not expired at `now`.
    public func contains(_ key: String, now: Int64) -> Bool {
        guard let at = recordedAt[key] else { return false }
        return now - at < ttlMilliseconds
    }

    /// Records `key` at `now` and returns the keys evicted to stay within the capacity.
    @discardableResult
    public mutating func record(_ key: String, at now: Int64) -> [String] {
        recordedAt[key] = now
        order.append((key, now))
        var evicted: [String] = []
        while recordedAt.count > capacity, let oldest = popOldest() {
            recordedAt[oldest] = nil
            evicted.append(oldest)
        }
        compactIfNeeded()
        return evicted
    }

    /// Which keys `record` would evict if it added one new key now (without changing anything),
    /// so a caller can persist the eviction in the same transaction as the new entry.
    public func keysToEvictForOneMore() -> [String] {
        var excess = recordedAt.count + 1 - capacity
        guard excess > 0 else { return [] }
        var keys: [String] = []
        var index = orderStart
        while excess > 0, index < order.count {
            let entry = order[index]
            if recordedAt[entry.key] == entry.at {
                keys.append(entry.key)
                excess -= 1
            }
            index += 1
        }
        return keys
    }

    /// Drops entries that expired before `now`; returns how many.
    @discardableResult
    public mutating func removeExpired(now: Int64) -> Int {
        var removed = 0
        while orderStart < order.count {
            let entry = order[orderStart]
            if recordedAt[entry.key] != entry.at {
                orderStart += 1
                continue
            }
            guard now - entry.at >= ttlMilliseconds else { break }
            recordedAt[entry.key] = nil
            orderStart += 1
            removed += 1
        }
        compactIfNeeded()
        return removed
    }

    public mutating func remove(_ key: String) {
        recordedAt[key] = nil
    }

    private mutating func popOldest() -> String? {
        while orderStart < order.count {
            let entry = order[orderStart]
            orderStart += 1
            if recordedAt[entry.key] == entry.at { return entry.key }
        }
        return nil
    }

    private mutating func compactIfNeeded() {
        if orderStart > 1024, orderStart * 2 > order.count {
            order.removeFirst(orderStart)
            orderStart = 0
        }
    }
}
