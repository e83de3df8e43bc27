import FluxDispatchCore
import XCTest

final class RetryPolicyTests: XCTestCase {
    let policy = RetryPolicy()

    func testBackoffStartsAtASecondDoublesAndIsCappedAtFiveMinutes() {
        let middle = (1...12).map { policy.delay(afterFailedAttempt: $0, unit: 0.5) }
        XCTAssertEqual(middle, [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000, 300_000])
        XCTAssertEqual(policy.delay(afterFailedAttempt: 1_000, unit: 0.5), 300_000, "no overflow on huge attempt counts")
    }

    func testJitterSpreadsEachDelayByAFifthBothWaysButNeverPastTheCap() {
        XCTAssertEqual(policy.delay(afterFailedAttempt: 1, unit: 0), 800)
        XCTAssertEqual(policy.delay(afterFailedAttempt: 1, unit: 1), 1_200)
        XCTAssertEqual(policy.delay(afterFailedAttempt: 20, unit: 0), 240_000)
        XCTAssertEqual(policy.delay(afterFailedAttempt: 20, unit: 1), 300_000)
        XCTAssertEqual(policy.delay(afterFailedAttempt: 1, unit: -5), 800, "a bad random number is clamped")
    }

    func testMaximumAge() {
        let day = RetryPolicy(maxAge: 86_400_000)
        XCTAssertFalse(day.isExpired(queuedAt: 0, now: 86_399_999))
        XCTAssertTrue(day.isExpired(queuedAt: 0, now: 86_400_000))
    }
}

final class CircuitBreakerTests: XCTestCase {
    func testOpensAfterTheThresholdProbesLessOftenAndClosesOnSuccess() {
        var breaker = CircuitBreaker()
        for attempt in 1..<CircuitBreaker.threshold {
            XCTAssertFalse(breaker.recordFailure(now: Int64(attempt)))
            XCTAssertNil(breaker.notBefore)
        }
        XCTAssertTrue(breaker.recordFailure(now: 1_000), "the fifth failure in a row opens it")
        XCTAssertTrue(breaker.isOpen)
        XCTAssertEqual(breaker.state, .open(since: 1_000, probeAt: 31_000))
        XCTAssertFalse(breaker.recordFailure(now: 31_000), "a failed probe keeps it open")
        XCTAssertEqual(breaker.notBefore, 91_000, "and doubles the wait")
        for _ in 0..<10 { breaker.recordFailure(now: 100_000) }
        XCTAssertEqual(breaker.notBefore, 100_000 + CircuitBreaker.maxProbeInterval)
        breaker.recordSuccess()
        XCTAssertEqual(breaker.state, .closed)
        XCTAssertEqual(breaker.consecutiveFailures, 0)
    }

    func testASuccessResetsTheCount() {
        var breaker = CircuitBreaker()
        for _ in 0..<CircuitBreaker.threshold - 1 { breaker.recordFailure(now: 0) }
        breaker.recordSuccess()
        XCTAssertFalse(breaker.recordFailure(now: 0))
        XCTAssertFalse(breaker.isOpen)
    }

    func testRestoresWhatWasPersisted() {
        let restored = CircuitBreaker(consecutiveFailures: 7, openedAt: 1_000, probeAt: 121_000)
        XCTAssertEqual(restored.state, .open(since: 1_000, probeAt: 121_000))
        XCTAssertEqual(restored.consecutiveFailures, 7)
        var next = restored
        next.recordFailure(now: 121_000)
        XCTAssertEqual(next.notBefore, 121_000 + 240_000, "the interval carries on doubling from where it was")
        XCTAssertFalse(CircuitBreaker(consecutiveFailures: 2, openedAt: nil, probeAt: nil).isOpen)
    }
}

final class RetryAfterTests: XCTestCase {
    func seconds(
        _ status: Int = 429, retryAfter: String? = nil, remaining: String? = nil, reset: String? = nil, message: String = ""
    ) -> Double? {
        RetryAfter.seconds(
            status: status, retryAfter: retryAfter, rateLimitRemaining: remaining, rateLimitReset: reset, message: message,
            now: 1_800_000_000)
    }

    func testRetryAfterSecondsAndHTTPDate() {
        XCTAssertEqual(seconds(retryAfter: "120"), 120)
        XCTAssertEqual(seconds(retryAfter: " 30 "), 30)
        XCTAssertEqual(seconds(retryAfter: "Fri, 15 Jan 2027 08:00:30 GMT"), 30)
    }

    func testRateLimitResetWhenNoneRemain() {
        XCTAssertEqual(seconds(403, remaining: "0", reset: "1800000090"), 90)
        XCTAssertNil(seconds(403, remaining: "12", reset: "1800000090"))
    }

    func testSecondaryRateLimitWaitsAMinute() {
        XCTAssertEqual(seconds(403, message: "GitHub answered 403: You have exceeded a secondary rate limit."), 60)
        XCTAssertNil(seconds(403, message: "Resource not accessible by integration"))
        XCTAssertNil(seconds(500, message: "secondary rate limit"), "only on 403 and 429")
    }

    func testNonsenseIsBoundedOrIgnored() {
        XCTAssertEqual(seconds(retryAfter: "0"), 1, "never zero: no spinning")
        XCTAssertEqual(seconds(retryAfter: "99999999"), 3600, "never more than an hour")
        XCTAssertEqual(seconds(retryAfter: "-5"), 1)
        XCTAssertNil(seconds(retryAfter: "soon"))
        XCTAssertNil(seconds(retryAfter: "nan"))
    }
}
