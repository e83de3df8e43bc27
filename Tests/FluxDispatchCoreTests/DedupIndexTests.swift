import FluxDispatchCore
import TestSupport
import XCTest

final class DedupIndexTests: XCTestCase {
    func testEmptyIndex() {
        let index = DedupIndex(ttlMilliseconds: 1_000, capacity: 10)
        XCTAssertEqual(index.count, 0)
        XCTAssertFalse(index.contains("a", now: 0))
        XCTAssertEqual(index.keysToEvictForOneMore(), [])
        XCTAssertEqual(index.ttlMilliseconds, 1_000)
        XCTAssertEqual(index.capacity, 10)
    }

    func testContainsWithinTTLAndNotAfter() {
        var index = DedupIndex(ttlMilliseconds: 100, capacity: 10)
        XCTAssertEqual(index.record("a", at: 1_000), [])
        XCTAssertTrue(index.contains("a", now: 1_000))
        XCTAssertTrue(index.contains("a", now: 1_099))
        XCTAssertFalse(index.contains("a", now: 1_100), "expired exactly at the TTL")
        XCTAssertFalse(index.contains("a", now: 50_000))
        XCTAssertFalse(index.contains("b", now: 1_000))
    }

    func testRealisticTTL() {
        let day: Int64 = 86_400_000
        var index = DedupIndex(ttlMilliseconds: day, capacity: 10_000)
        let t0: Int64 = 1_772_712_000_000  // 2026-03-05T12:00:00Z
        index.record("dialogporten/at23/ReconciliationSucceeded/sha256:aa/Altinn/dialogporten", at: t0)
        XCTAssertTrue(index.contains("dialogporten/at23/ReconciliationSucceeded/sha256:aa/Altinn/dialogporten", now: t0 + day - 1))
        XCTAssertFalse(index.contains("dialogporten/at23/ReconciliationSucceeded/sha256:aa/Altinn/dialogporten", now: t0 + day))
    }

    func testCapacityEvictsOldestFirstAndReturnsEvictedKeys() {
        var index = DedupIndex(ttlMilliseconds: 1_000_000, capacity: 3)
        XCTAssertEqual(index.record("a", at: 1), [])
        XCTAssertEqual(index.record("b", at: 2), [])
        XCTAssertEqual(index.record("c", at: 3), [])
        XCTAssertEqual(index.count, 3)
        XCTAssertEqual(index.record("d", at: 4), ["a"])
        XCTAssertEqual(index.count, 3)
        XCTAssertFalse(index.contains("a", now: 4))
        XCTAssertTrue(index.contains("b", now: 4))
        XCTAssertTrue(index.contains("c", now: 4))
        XCTAssertTrue(index.contains("d", now: 4))
        XCTAssertEqual(index.record("e", at: 5), ["b"])
        XCTAssertEqual(index.record("f", at: 6), ["c"])
        XCTAssertEqual(index.record("g", at: 7), ["d"])
    }

    func testCapacityOne() {
        var index = DedupIndex(ttlMilliseconds: 1_000, capacity: 1)
        XCTAssertEqual(index.record("a", at: 0), [])
        XCTAssertEqual(index.record("b", at: 1), ["a"])
        XCTAssertEqual(index.record("c", at: 2), ["b"])
        XCTAssertEqual(index.count, 1)
        XCTAssertTrue(index.contains("c", now: 2))
    }

    func testReRecordingAKeyRefreshesItsTimeAndPosition() {
        var index = DedupIndex(ttlMilliseconds: 100, capacity: 2)
        index.record("a", at: 1)
        index.record("b", at: 2)
        XCTAssertEqual(index.record("a", at: 90), [], "re-recording does not grow the index")
        XCTAssertEqual(index.count, 2)
        XCTAssertTrue(index.contains("a", now: 150), "the TTL runs from the latest recording")
        // `b` is now the oldest.
        XCTAssertEqual(index.keysToEvictForOneMore(), ["b"])
        XCTAssertEqual(index.record("c", at: 95), ["b"])
        XCTAssertTrue(index.contains("a", now: 95))
    }

    func testReRecordingAtTheSameMillisecond() {
        var index = DedupIndex(ttlMilliseconds: 1_000, capacity: 1)
        XCTAssertEqual(index.record("a", at: 0), [])
        XCTAssertEqual(index.record("a", at: 0), [])
        XCTAssertEqual(index.count, 1)
        XCTAssertEqual(index.record("b", at: 0), ["a"])
        XCTAssertEqual(index.count, 1)
        // The second, stale order entry for `a` must not be offered for eviction.
        XCTAssertEqual(index.keysToEvictForOneMore(), ["b"])
        XCTAssertEqual(index.record("c", at: 0), ["b"])
        XCTAssertEqual(index.count, 1)
        XCTAssertTrue(index.contains("c", now: 0))
    }

    func testKeysToEvictForOneMorePredictsRecord() {
        var index = DedupIndex(ttlMilliseconds: 1_000_000, capacity: 3)
        XCTAssertEqual(index.keysToEvictForOneMore(), [])
        index.record("a", at: 1)
        index.record("b", at: 2)
        XCTAssertEqual(index.keysToEvictForOneMore(), [], "below the cap nothing goes")
        index.record("c", at: 3)
        let predicted = index.keysToEvictForOneMore()
        XCTAssertEqual(predicted, ["a"])
        // Predicting changes nothing.
        XCTAssertEqual(index.count, 3)
        XCTAssertTrue(index.contains("a", now: 3))
        XCTAssertEqual(index.keysToEvictForOneMore(), ["a"])
        XCTAssertEqual(index.record("d", at: 4), predicted)
        XCTAssertEqual(index.keysToEvictForOneMore(), ["b"])
    }

    func testKeysToEvictForOneMoreAgreesWithRecordOverALongRun() {
        var index = DedupIndex(ttlMilliseconds: 1_000_000, capacity: 7)
        var generator = SplitMix64(seed: 42)
        for step in 0..<5_000 {
            let now = Int64(step)
            switch generator.next() % 10 {
            case 0:
                index.remove("k\(generator.next() % 40)")
            case 1:
                index.removeExpired(now: now)
            default:
                let key = "k\(generator.next() % 40)"
                let isNew = !index.contains(key, now: now)
                let predicted = index.keysToEvictForOneMore()
                let evicted = index.record(key, at: now)
                if isNew {
                    XCTAssertEqual(evicted, predicted, "step \(step)")
                } else {
                    XCTAssertEqual(evicted, [], "step \(step): re-recording evicts nothing")
                }
                XCTAssertLessThanOrEqual(index.count, 7)
                XCTAssertTrue(index.contains(key, now: now))
                XCTAssertEqual(Set(evicted).count, evicted.count, "no key evicted twice")
                XCTAssertFalse(evicted.contains(key))
            }
        }
    }

    func testRemoveExpired() {
        var index = DedupIndex(ttlMilliseconds: 100, capacity: 10)
        index.record("a", at: 0)
        index.record("b", at: 50)
        index.record("c", at: 120)
        XCTAssertEqual(index.removeExpired(now: 99), 0)
        XCTAssertEqual(index.count, 3)
        XCTAssertEqual(index.removeExpired(now: 130), 1)
        XCTAssertEqual(index.count, 2)
        XCTAssertFalse(index.contains("a", now: 0), "removed, even for an earlier clock")
        XCTAssertTrue(index.contains("b", now: 130))
        XCTAssertEqual(index.removeExpired(now: 150), 1, "b expires exactly at its TTL")
        XCTAssertEqual(index.removeExpired(now: 150), 0)
        XCTAssertEqual(index.count, 1)
        XCTAssertEqual(index.removeExpired(now: 10_000), 1)
        XCTAssertEqual(index.count, 0)
    }

    func testRemoveExpiredAgreesWithContains() {
        var index = DedupIndex(ttlMilliseconds: 10, capacity: 100)
        for t in 0..<50 { index.record("k\(t)", at: Int64(t)) }
        let now: Int64 = 30
        let live = (0..<50).filter { index.contains("k\($0)", now: now) }
        XCTAssertEqual(index.removeExpired(now: now), 50 - live.count)
        XCTAssertEqual(index.count, live.count)
        XCTAssertEqual(live, Array(21..<50))
    }

    func testReRecordingAfterExpiry() {
        var index = DedupIndex(ttlMilliseconds: 100, capacity: 10)
        index.record("a", at: 0)
        XCTAssertFalse(index.contains("a", now: 200))
        XCTAssertEqual(index.record("a", at: 200), [])
        XCTAssertTrue(index.contains("a", now: 250))
        XCTAssertEqual(index.count, 1)
        // The stale entry from t=0 must not take the new recording with it.
        XCTAssertEqual(index.removeExpired(now: 250), 0)
        XCTAssertTrue(index.contains("a", now: 250))
        XCTAssertEqual(index.removeExpired(now: 300), 1)
        XCTAssertFalse(index.contains("a", now: 300))
    }

    func testReRecordingAfterRemoveExpired() {
        var index = DedupIndex(ttlMilliseconds: 100, capacity: 2)
        index.record("a", at: 0)
        index.record("b", at: 10)
        XCTAssertEqual(index.removeExpired(now: 105), 1)
        XCTAssertEqual(index.record("a", at: 105), [])
        XCTAssertEqual(index.count, 2)
        // b is older than the new a.
        XCTAssertEqual(index.record("c", at: 106), ["b"])
        XCTAssertTrue(index.contains("a", now: 106))
    }

    func testExpiredEntriesStillCountTowardTheCapUntilRemoved() {
        var index = DedupIndex(ttlMilliseconds: 10, capacity: 2)
        index.record("a", at: 0)
        index.record("b", at: 1)
        XCTAssertEqual(index.record("c", at: 100), ["a"])
        index.removeExpired(now: 200)
        XCTAssertEqual(index.count, 0)
        XCTAssertEqual(index.record("d", at: 200), [])
    }

    func testRemove() {
        var index = DedupIndex(ttlMilliseconds: 1_000, capacity: 2)
        index.record("a", at: 1)
        index.record("b", at: 2)
        index.remove("a")
        XCTAssertFalse(index.contains("a", now: 2))
        XCTAssertEqual(index.count, 1)
        index.remove("never-recorded")
        XCTAssertEqual(index.count, 1)
        XCTAssertEqual(index.keysToEvictForOneMore(), [])
        XCTAssertEqual(index.record("c", at: 3), [], "the removed key frees its slot")
        XCTAssertEqual(index.keysToEvictForOneMore(), ["b"], "the removed key is not offered for eviction")
        XCTAssertEqual(index.record("d", at: 4), ["b"])
    }

    func testManyRecordsStayConsistentAcrossCompaction() {
        var index = DedupIndex(ttlMilliseconds: 1_000_000, capacity: 10)
        var evicted: [String] = []
        for i in 0..<5_000 {
            evicted += index.record("k\(i)", at: Int64(i))
        }
        XCTAssertEqual(index.count, 10)
        XCTAssertEqual(evicted, (0..<4_990).map { "k\($0)" }, "evicted oldest first, each once")
        for i in 4_990..<5_000 { XCTAssertTrue(index.contains("k\(i)", now: 5_000)) }
        XCTAssertFalse(index.contains("k4989", now: 5_000))
        XCTAssertEqual(index.keysToEvictForOneMore(), ["k4990"])
        // k4990...k4995 are exactly TTL old or older at this instant.
        XCTAssertEqual(index.removeExpired(now: 1_004_995), 6)
        XCTAssertEqual(index.count, 4)
        XCTAssertFalse(index.contains("k4995", now: 1_004_995))
        XCTAssertTrue(index.contains("k4996", now: 1_004_995))
        XCTAssertEqual(index.keysToEvictForOneMore(), [])
    }
}
