/// A receiver process writing to the store, as its heartbeat row says.
public struct ReceiverInfo: Sendable, Equatable {
    public var id: Int64
    public var host: String
    public var pid: Int32
    public var listenAddress: String
    public var metricsAddress: String
    /// `serve` or `embedded` (inside a dashboard).
    public var mode: String
    public var deliveryMode: String
    public var dryRun: Bool
    public var version: String
    public var startedAt: EpochMilliseconds
    public var lastBeatAt: EpochMilliseconds
    public var stoppedAt: EpochMilliseconds?
    public var tokenState: String
    public var tokenExpiresAt: EpochMilliseconds?

    public init(
        id: Int64 = 0, host: String, pid: Int32, listenAddress: String, metricsAddress: String, mode: String,
        deliveryMode: String, dryRun: Bool, version: String, startedAt: EpochMilliseconds, lastBeatAt: EpochMilliseconds,
        stoppedAt: EpochMilliseconds? = nil, tokenState: String = "", tokenExpiresAt: EpochMilliseconds? = nil
    ) {
        self.id = id
        self.host = host
        self.pid = pid
        self.listenAddress = listenAddress
        self.metricsAddress = metricsAddress
        self.mode = mode
        self.deliveryMode = deliveryMode
        self.dryRun = dryRun
        self.version = version
        self.startedAt = startedAt
        self.lastBeatAt = lastBeatAt
        self.stoppedAt = stoppedAt
        self.tokenState = tokenState
        self.tokenExpiresAt = tokenExpiresAt
    }
}

/// Why a request was refused before it was trusted; counted, never stored row by row.
public enum RejectionKind: String, Sendable, CaseIterable {
    case badSignature = "bad_signature"
    case tooLarge = "too_large"
    case unparseable = "unparseable"
}

public struct RejectionCountKey: Sendable, Hashable {
    public var minute: EpochMilliseconds
    public var sourceAddress: String
    public var kind: RejectionKind

    public init(minute: EpochMilliseconds, sourceAddress: String, kind: RejectionKind) {
        self.minute = minute
        self.sourceAddress = sourceAddress
        self.kind = kind
    }
}
