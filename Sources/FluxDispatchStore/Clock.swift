import Foundation

/// Milliseconds since the Unix epoch: how the store keeps every time (compact, indexable, and the
/// same in every process that reads the file).
public typealias EpochMilliseconds = Int64

extension EpochMilliseconds {
    public static func now() -> EpochMilliseconds {
        EpochMilliseconds((Date().timeIntervalSince1970 * 1000).rounded())
    }

    public init(date: Date) {
        self = EpochMilliseconds((date.timeIntervalSince1970 * 1000).rounded())
    }

    public var date: Date { Date(timeIntervalSince1970: Double(self) / 1000) }

    /// The start of the minute this time falls in: the key of every per-minute counter.
    public var minuteStart: EpochMilliseconds { self - self % 60_000 }
}
