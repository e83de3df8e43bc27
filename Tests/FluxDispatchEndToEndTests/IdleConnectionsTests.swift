import AsyncHTTPClient
import FluxDispatchCore
import Foundation
import NIOCore
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// 10,000 idle connections to the built `serve` (its own process, so the descriptor counts are its
/// own): it keeps answering others, closes the idle ones by itself, and its descriptors go back to
/// where they were.
final class IdleConnectionsTests: XCTestCase {
    var binary: String { DashboardEndToEndTests.binary.path }

    func testTenThousandIdleConnectionsNeitherStopTheServerNorLeakDescriptors() async throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("\(binary) not built") }
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let connections = 10_000
        guard limit.rlim_cur >= rlim_t(connections + 500) else {
            throw XCTSkip("needs a descriptor limit of \(connections + 500); this process has \(limit.rlim_cur)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idle-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let token = directory.appendingPathComponent("token").path
        try Data("idle-token".utf8).write(to: URL(fileURLWithPath: token))
        let port = try DashboardEndToEndTests.freePort()
        let pid = try XCTUnwrap(
            Subprocess.start(
                [binary, "serve", "--hmac-token-path", token, "--db", directory.appendingPathComponent("state.db").path,
                 "--listen-addr", "127.0.0.1:\(port)", "--metrics-addr", "127.0.0.1:0"],
                logPath: directory.appendingPathComponent("serve.log").path))
        defer { _ = Subprocess.stop(pid) }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { Task { try? await http.shutdown() } }
        func post() async throws -> (Int, Duration) {
            let body = "{\"reason\":\"ReconciliationSucceeded\",\"metadata\":{\"product\":\"p\",\"env\":\"e\",\"dispatch_repo\":\"Altinn/p\"}}"
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/flux-events")
            request.method = .POST
            request.headers.add(name: "X-Signature", value: SignatureVerifier(token: Array("idle-token".utf8)).signatureHeader(for: Array(body.utf8)))
            request.body = .bytes(ByteBuffer(string: body))
            let started = ContinuousClock.now
            let response = try await http.execute(request, timeout: .seconds(15))
            _ = try await response.body.collect(upTo: 1 << 16)
            return (Int(response.status.code), ContinuousClock.now - started)
        }
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? await post())?.0 == 200
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        XCTAssertTrue(ready, "serve did not start")
        let baseline = descriptorCount(pid)

        var sockets: [Int32] = []
        sockets.reserveCapacity(connections)
        defer { sockets.forEach { close($0) } }
        for _ in 0..<connections {
            let fd = try connectTo(port: UInt16(port))
            sockets.append(fd)
        }
        // Held open and silent: the server still answers someone else (within `post`'s timeout; how
        // fast is a benchmark's business, and this suite also runs under ThreadSanitizer).
        let (status, took) = try await post()
        XCTAssertEqual(status, 200, "answered while \(connections) idle connections are open")
        let during = descriptorCount(pid)
        XCTAssertGreaterThan(during, baseline + 1_000, "the server holds them (\(baseline) → \(during); the first ones are already timed out)")

        // It closes idle connections by itself (no request within the header timeout).
        let deadline = ContinuousClock.now + .seconds(30)
        var after = during
        while ContinuousClock.now < deadline {
            after = descriptorCount(pid)
            if after <= baseline + 10 { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        XCTAssertLessThanOrEqual(after, baseline + 10, "descriptors back to \(after) from \(during) (baseline \(baseline))")
        let closedByServer = sockets.filter(isClosedByPeer).count
        XCTAssertEqual(closedByServer, connections, "the server accepted every connection and hung up on each")
        let (statusAfter, _) = try await post()
        XCTAssertEqual(statusAfter, 200)
        print("idle connections: \(connections) open; serve descriptors \(baseline) → \(during) → \(after); an event answered in \(took)")
    }

    func descriptorCount(_ pid: pid_t) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    func connectTo(port: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        return fd
    }

    func isClosedByPeer(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return n == 0 || (n < 0 && errno == ECONNRESET)
    }
}
