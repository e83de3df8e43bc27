import FluxDispatchCore
import FluxDispatchStore
import Foundation
import Logging

/// SPEC §1 steps 2–10 for one request whose body has been read within the size cap: signature,
/// parse, reason, target, route, dedup, dispatch (or dry run), record, answer.
///
/// Independent of HTTP so it can be driven directly; the HTTP layer only reads the body and writes
/// the answer.
public struct EventPipeline: Sendable {
    public struct Answer: Sendable, Equatable {
        public var status: Int
        public var outcome: String
        public var detail: String

        /// The JSON body sent back: `{"outcome": "...", "detail": "..."}`.
        public var body: String {
            var line = "{\"outcome\":" + JSONText.quoted(outcome)
            if !detail.isEmpty { line += ",\"detail\":" + JSONText.quoted(detail) }
            return line + "}\n"
        }
    }

    public enum Delivery: Sendable {
        case dryRun
        /// Sync mode: dispatch while Flux waits.
        case github(GitHubDispatcher)
        /// Outbox mode: commit the dispatch with the event and let the worker deliver it.
        case outbox(DeliveryWorker)
    }

    let verifier: SignatureVerifier?
    let rules: Triage.Rules
    let delivery: Delivery
    let dedup: DedupGate
    let store: StateStore
    let metrics: ReceiverMetrics
    let rejections: RejectionCounter
    let logger: Logger
    let clock: @Sendable () -> EpochMilliseconds

    public init(
        verifier: SignatureVerifier?, rules: Triage.Rules, delivery: Delivery, dedup: DedupGate, store: StateStore,
        metrics: ReceiverMetrics, rejections: RejectionCounter, logger: Logger,
        clock: @escaping @Sendable () -> EpochMilliseconds = { .now() }
    ) {
        self.verifier = verifier
        self.rules = rules
        self.delivery = delivery
        self.dedup = dedup
        self.store = store
        self.metrics = metrics
        self.rejections = rejections
        self.logger = logger
        self.clock = clock
    }

    /// A body over the cap (step 1), answered 413 by the HTTP layer; only counted.
    public func rejectTooLarge(source: String) -> Answer {
        rejections.add(.tooLarge, source: source, at: clock())
        metrics.requestRejected(kind: RejectionKind.tooLarge.rawValue)
        logger.debug("request body over the size cap", metadata: ["source": .string(source)])
        return Answer(status: 413, outcome: "too_large", detail: "body larger than \(FluxEventsResponder.maxBodyBytes) bytes")
    }

    public func handle(body: [UInt8], signature: String?, source: String) async -> Answer {
        let started = ContinuousClock.now
        let receivedAt = clock()

        // 2. Signature.
        if let verifier {
            do {
                try verifier.verify(signatureHeader: signature, body: body)
            } catch {
                rejections.add(.badSignature, source: source, at: receivedAt)
                metrics.requestRejected(kind: RejectionKind.badSignature.rawValue)
                logger.debug("signature rejected", metadata: ["source": .string(source), "error": .string(error.description)])
                return Answer(status: 401, outcome: "unauthorized", detail: error.description)
            }
        }

        // 3. Parse.
        let event: FluxEvent
        do {
            event = try FluxEvent.parse(body)
        } catch {
            rejections.add(.unparseable, source: source, at: receivedAt)
            metrics.requestRejected(kind: RejectionKind.unparseable.rawValue)
            logger.info(
                "event not parsed",
                metadata: ["outcome": .string(Outcome.invalidPayload.rawValue), "error": .string(error.description)])
            return Answer(status: 200, outcome: Outcome.invalidPayload.rawValue, detail: error.description)
        }
        metrics.eventReceived(reason: event.reason)

        var record = EventRecord(
            receivedAt: receivedAt, sourceAddress: source, event: event, reasonClass: ReasonClass(reason: event.reason),
            dispatchRepo: event.metadata[FluxEvent.MetadataKey.dispatchRepository] ?? "",
            eventType: event.metadata[FluxEvent.MetadataKey.dispatchEventType] ?? "", dedupKey: nil,
            outcome: .ignoredReason, httpStatus: 200, githubStatus: nil, durationMilliseconds: 0, detail: "",
            body: String(decoding: body, as: UTF8.self), payload: nil)

        // 4–6. Reason, target, route.
        let target: Triage.DispatchTarget
        switch Triage(event: event, rules: rules) {
        case .settled(let outcome, let detail):
            record.outcome = outcome
            record.detail = detail
            return await finish(EventWrite(record: record), started: started)
        case .dispatch(let t):
            target = t
        }
        record.eventType = target.eventType
        record.dedupKey = target.dedupKey.rawValue

        // 7. Dedup.
        let evict: [String]
        switch await dedup.claim(target.dedupKey.rawValue, now: receivedAt) {
        case .duplicate:
            metrics.dedupHit(reason: event.reason)
            record.outcome = .duplicate
            // A duplicate changes nothing that matters after a crash: recorded, but not waited for.
            return await finish(EventWrite(record: record), started: started, waitForCommit: false)
        case .proceed(let keys):
            evict = keys
        }

        // 8–10. Dispatch, queue, or dry run.
        let payload = DispatchPayload(event: event, eventType: target.eventType)
        let payloadBytes = payload.json
        record.payload = String(decoding: payloadBytes, as: UTF8.self)
        var write = EventWrite(record: record)
        let repo = target.repository.description
        switch delivery {
        case .dryRun:
            write.record.outcome = .dryRun
            metrics.dryRunDispatched(repo: repo, eventType: target.eventType, reason: event.reason)
        case .outbox:
            write.record.outcome = .queued
            write.enqueue = OutboxEntry(dispatchRepo: repo, eventType: target.eventType, dedupKey: target.dedupKey.rawValue)
        case .github(let github):
            let result = await github.dispatch(to: target.repository, payload: payloadBytes)
            write.record.outcome = result.outcome
            write.record.githubStatus = result.githubStatus
            write.record.detail = result.detail
            write.attempts = result.attempts
            if let seconds = result.durationSeconds { metrics.dispatchDuration(repo: repo, seconds: seconds) }
            if result.outcome == .dispatched {
                metrics.dispatched(repo: repo, eventType: target.eventType, reason: event.reason)
            } else if let code = result.errorCode {
                metrics.dispatchError(repo: repo, eventType: target.eventType, errorCode: code)
                if result.outcome == .githubAuthFailed { metrics.githubAuthError() }
            }
        }
        write.record.httpStatus = write.record.outcome.httpStatus
        // Delivered, or (outbox) queued: the key is claimed in the same transaction. A queued
        // dispatch that ends rejected or dead releases it.
        let claimed = write.record.outcome.isDelivered || write.record.outcome == .queued
        if claimed {
            write.recordDedupKey = target.dedupKey.rawValue
            write.evictedDedupKeys = evict
        }
        let answer = await finish(write, started: started)
        let committed = answer.outcome != Self.storeUnavailable
        // The key goes into memory only once it is in the store, so memory never claims more than
        // survives a restart. (If the store failed after a real dispatch, it still goes in memory:
        // GitHub has the event, and Flux's retry should not send it twice.)
        let inMemory = write.record.outcome.isDelivered || (claimed && committed)
        dedup.complete(target.dedupKey.rawValue, recordedAt: inMemory ? receivedAt : nil)
        if case .outbox(let worker) = delivery, committed { worker.notify(repo: repo) }
        return answer
    }

    /// Records the event and answers. A store failure is answered 500 so Flux retries: an answer of
    /// 200 promises the event is recorded. A duplicate is recorded without waiting for the commit
    /// (`StateStore.recordLater`): it repeats an event that is already recorded.
    private func finish(_ write: EventWrite, started: ContinuousClock.Instant, waitForCommit: Bool = true) async -> Answer {
        var write = write
        write.record.durationMilliseconds = (ContinuousClock.now - started).inMilliseconds
        let r = write.record
        do {
            if waitForCommit {
                _ = try await store.record(write)
            } else if let problem = store.fileProblem {
                // The file is gone, so this record would be lost too: not answered 200.
                throw problem
            } else {
                store.recordLater(write)
            }
        } catch {
            logger.error("event not recorded: state store write failed", metadata: Self.logFields(r, error: error))
            return Answer(status: 500, outcome: Self.storeUnavailable, detail: "the state store could not record the event; retry")
        }
        // The fields are an autoclosure: not built at all when the level is off.
        logger.log(level: r.outcome.isDispatchFailure ? .warning : .info, "event handled", metadata: Self.logFields(r))
        return Answer(status: r.httpStatus, outcome: r.outcome.rawValue, detail: r.detail)
    }

    /// What each event's log line carries.
    static func logFields(_ r: EventRecord, error: (any Error)? = nil) -> Logger.Metadata {
        var fields: Logger.Metadata = [
            "product": .string(r.event.product), "env": .string(r.event.environment), "repo": .string(r.dispatchRepo),
            "reason": .string(r.event.reason), "event_type": .string(r.eventType), "outcome": .string(r.outcome.rawValue),
            "duration_ms": .stringConvertible(r.durationMilliseconds),
        ]
        if let status = r.githubStatus { fields["github_status"] = .stringConvertible(status) }
        if !r.detail.isEmpty { fields["detail"] = .string(r.detail) }
        if let error { fields["error"] = .string("\(error)") }
        return fields
    }

    /// The outcome answered (500) when the event could not be recorded.
    static let storeUnavailable = "store_unavailable"
}
