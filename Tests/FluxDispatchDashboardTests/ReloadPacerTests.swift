import FluxDispatchDashboard
import XCTest

final class ReloadPacerTests: XCTestCase {
    let start = ContinuousClock.now

    func at(_ milliseconds: Int) -> ContinuousClock.Instant { start + .milliseconds(milliseconds) }

    func testALoneChangeIsReloadedAtOnce() {
        var pacer = ReloadPacer()
        XCTAssertFalse(pacer.isDue(at: at(0)), "nothing changed")
        pacer.storeChanged()
        XCTAssertTrue(pacer.isDue(at: at(0)), "the first change after start")
        pacer.reloaded(at: at(0))
        XCTAssertFalse(pacer.isDue(at: at(100)), "nothing changed since")
        // A quiet spell longer than the interval: the next change is reloaded at the next check.
        pacer.storeChanged()
        XCTAssertTrue(pacer.isDue(at: at(400)))
    }

    func testAStoreThatKeepsChangingIsReloadedAtMostOncePerInterval() {
        var pacer = ReloadPacer(minimumInterval: .milliseconds(250))
        var reloads: [Int] = []
        // A change before every 100 ms check, for 2 s.
        for time in stride(from: 0, through: 2_000, by: 100) {
            pacer.storeChanged()
            if pacer.isDue(at: at(time)) {
                pacer.reloaded(at: at(time))
                reloads.append(time)
            }
        }
        XCTAssertEqual(reloads, [0, 300, 600, 900, 1200, 1500, 1800])
        XCTAssertTrue(zip(reloads, reloads.dropFirst()).allSatisfy { $1 - $0 >= 250 }, "\(reloads)")
        XCTAssertTrue(zip(reloads, reloads.dropFirst()).allSatisfy { $1 - $0 <= 350 }, "a change waits at most one check past the interval")
    }

    func testAReloadForAKeyAlsoCoversPendingChanges() {
        var pacer = ReloadPacer()
        pacer.storeChanged()
        pacer.reloaded(at: at(0))  // e.g. Enter opened the details
        XCTAssertFalse(pacer.isDue(at: at(500)), "the key's reload read the change already")
    }
}
