import FluxDispatchStore
import NIOConcurrencyHelpers

/// Counts requests refused before they were trusted, per minute and source address, in memory.
/// The counts are flushed to the store every few seconds, so a flood of unsigned requests costs one
/// small write per interval instead of a row each.
public final class RejectionCounter: Sendable {
    private let counts = NIOLockedValueBox<[RejectionCountKey: Int]>([:])
    /// A flood from many addresses must not grow memory without bound either.
    private let maxKeys = 10_000

    public init() {}

    public func add(_ kind: RejectionKind, source: String, at now: EpochMilliseconds) {
        let key = RejectionCountKey(minute: now.minuteStart, sourceAddress: source, kind: kind)
        counts.withLockedValue { counts in
            if counts[key] == nil, counts.count >= maxKeys {
                counts[RejectionCountKey(minute: key.minute, sourceAddress: "(other)", kind: kind), default: 0] += 1
            } else {
                counts[key, default: 0] += 1
            }
        }
    }

    /// Takes the counts gathered so far, leaving the counter empty.
    public func drain() -> [RejectionCountKey: Int] {
        counts.withLockedValue { counts in
            defer { counts = [:] }
            return counts
        }
    }
}
