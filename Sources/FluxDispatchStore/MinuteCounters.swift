import FluxDispatchCore
import GRDB

/// The per-minute counters (`activity_minute`, `dedup_hit_minute`) of a batch of event writes,
/// added up in memory and written once per row at the end of the batch's transaction. Under load
/// a batch holds hundreds of events of the same minute: one upsert per minute and dedup series
/// instead of one or two per event, with the same totals.
struct MinuteCounters {
    private struct Activity {
        var events = 0
        var delivered = 0
        var dispatchFailed = 0
        var duplicates = 0
    }

    private struct DedupSeries: Hashable {
        var minute: EpochMilliseconds
        var product: String
        var environment: String
        var reason: String
    }

    private struct DedupHits {
        var count = 0
        var lastAt: EpochMilliseconds = .min
    }

    /// Few minutes per batch (usually one), kept in the order first seen.
    private var activity: [(minute: EpochMilliseconds, counts: Activity)] = []
    private var dedupHits: [DedupSeries: DedupHits] = [:]

    /// Counts one recorded event in the minute it was received.
    mutating func add(_ r: EventRecord) {
        let minute = r.receivedAt.minuteStart
        let index: Int
        if let found = activity.lastIndex(where: { $0.minute == minute }) {
            index = found
        } else {
            activity.append((minute, Activity()))
            index = activity.count - 1
        }
        activity[index].counts.events += 1
        if r.outcome.isDelivered { activity[index].counts.delivered += 1 }
        if r.outcome.isDispatchFailure { activity[index].counts.dispatchFailed += 1 }
        guard r.outcome == .duplicate else { return }
        activity[index].counts.duplicates += 1
        let series = DedupSeries(minute: minute, product: r.event.product, environment: r.event.environment, reason: r.event.reason)
        Self.count(r.receivedAt, into: &dedupHits[series, default: DedupHits()])
    }

    /// One look-up of the series for both updates.
    private static func count(_ receivedAt: EpochMilliseconds, into hits: inout DedupHits) {
        hits.count += 1
        hits.lastAt = max(hits.lastAt, receivedAt)
    }

    func write(in db: Database) throws {
        for (minute, counts) in activity {
            try StateStore.countActivity(
                minute: minute, events: counts.events, delivered: counts.delivered, dispatchFailed: counts.dispatchFailed,
                duplicates: counts.duplicates, in: db)
        }
        for (series, hits) in dedupHits {
            try db.cachedStatement(sql: """
                INSERT INTO dedup_hit_minute (product, environment, reason, minute, count, last_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (minute, product, environment, reason) DO UPDATE SET count = count + excluded.count,
                    last_at = MAX(last_at, excluded.last_at)
                """).execute(arguments: [series.product, series.environment, series.reason, series.minute, hits.count, hits.lastAt])
        }
    }
}
