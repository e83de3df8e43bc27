import FluxDispatchCore

/// One authenticated request and what was done with it, as written to the store.
public struct EventRecord: Sendable, Equatable {
    public var receivedAt: EpochMilliseconds
    public var sourceAddress: String
    public var event: FluxEvent
    public var reasonClass: ReasonClass
    public var dispatchRepo: String
    public var eventType: String
    public var dedupKey: String?
    public var outcome: Outcome
    public var httpStatus: Int
    public var githubStatus: Int?
    public var durationMilliseconds: Double
    /// Why this outcome, in words (validation problem, GitHub's error message, …).
    public var detail: String
    /// The raw body as received.
    public var body: String
    /// The JSON sent (or, in dry run, that would have been sent) to GitHub.
    public var payload: String?

    public init(
        receivedAt: EpochMilliseconds, sourceAddress: String, event: FluxEvent, reasonClass: ReasonClass,
        dispatchRepo: String, eventType: String, dedupKey: String?, outcome: Outcome, httpStatus: Int,
        githubStatus: Int?, durationMilliseconds: Double, detail: String, body: String, payload: String?
    ) {
        self.receivedAt = receivedAt
        self.sourceAddress = sourceAddress
        self.event = event
        self.reasonClass = reasonClass
        self.dispatchRepo = dispatchRepo
        self.eventType = eventType
        self.dedupKey = dedupKey
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.githubStatus = githubStatus
        self.durationMilliseconds = durationMilliseconds
        self.detail = detail
        self.body = body
        self.payload = payload
    }
}

/// One HTTP exchange with GitHub made while handling an event.
public struct DispatchAttempt: Sendable, Equatable {
    public enum Request: String, Sendable {
        case installationToken = "token"
        case dispatch
    }

    public var startedAt: EpochMilliseconds
    public var request: Request
    public var status: Int?
    public var durationMilliseconds: Double
    public var error: String?

    public init(startedAt: EpochMilliseconds, request: Request, status: Int?, durationMilliseconds: Double, error: String?) {
        self.startedAt = startedAt
        self.request = request
        self.status = status
        self.durationMilliseconds = durationMilliseconds
        self.error = error
    }
}

/// Everything one event changes, written in one transaction.
public struct EventWrite: Sendable {
    public var record: EventRecord
    public var attempts: [DispatchAttempt]
    /// Record this dedup key (after a successful or dry-run dispatch).
    public var recordDedupKey: String?
    /// Keys evicted from the dedup index to make room, deleted in the same transaction.
    public var evictedDedupKeys: [String]
    /// Outbox mode: the dispatch to queue for the delivery worker.
    public var enqueue: OutboxEntry?

    public init(
        record: EventRecord, attempts: [DispatchAttempt] = [], recordDedupKey: String? = nil, evictedDedupKeys: [String] = [],
        enqueue: OutboxEntry? = nil
    ) {
        self.record = record
        self.attempts = attempts
        self.recordDedupKey = recordDedupKey
        self.evictedDedupKeys = evictedDedupKeys
        self.enqueue = enqueue
    }
}

/// A dispatch to be queued in the outbox with its event. What is sent is the event record's
/// `payload`, stored once.
public struct OutboxEntry: Sendable, Equatable {
    public var dispatchRepo: String
    public var eventType: String
    public var dedupKey: String

    public init(dispatchRepo: String, eventType: String, dedupKey: String) {
        self.dispatchRepo = dispatchRepo
        self.eventType = eventType
        self.dedupKey = dedupKey
    }
}
