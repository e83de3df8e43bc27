import FluxDispatchReceiver
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The connection cap is taken from the descriptor limit, after raising the soft limit to the hard
/// one. (That a server at its cap waits instead of spinning is checked against the built binary in
/// `IdleConnectionsTests`.)
final class ConnectionLimitTests: XCTestCase {
    func testTheCapKeepsDescriptorsBackForTheStoreTheClientAndTheMetricsServer() {
        XCTAssertEqual(ConnectionLimit(descriptorLimit: 1024).webhookConnections, 1024 - 128 - 32)
        XCTAssertEqual(ConnectionLimit(descriptorLimit: 1 << 20).webhookConnections, (1 << 20) - 160)
        XCTAssertEqual(ConnectionLimit(descriptorLimit: 100).webhookConnections, 16, "never below a handful")
    }

    func testRaisesTheSoftDescriptorLimitToTheHardOne() throws {
        var original = rlimit()
        XCTAssertEqual(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &original), 0)
        defer { _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &original) }
        guard original.rlim_max > 512 else { throw XCTSkip("hard descriptor limit \(original.rlim_max) leaves nothing to raise") }
        var lowered = original
        lowered.rlim_cur = 512
        XCTAssertEqual(setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lowered), 0)

        let limit = ConnectionLimit.raisingDescriptorLimit()

        var now = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &now)
        let expected = min(original.rlim_max, 1 << 20)
        XCTAssertEqual(now.rlim_cur, expected, "soft limit raised from 512 to the hard limit")
        XCTAssertEqual(limit.descriptorLimit, Int(expected))
        XCTAssertEqual(limit.webhookConnections, Int(expected) - 160)
    }
}
