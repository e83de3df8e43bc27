import AsyncHTTPClient
import FluxDispatchCore
import FluxDispatchReceiver
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

    /// A fresh directory for one `serve` (its store and log go in it), the path of an HMAC token
    /// written there, and a free port to listen on. The caller removes the directory.
    func makeServeDirectory(_ name: String) throws -> (directory: URL, token: String, port: Int) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let token = directory.appendingPathComponent("token").path
        try Data("\(name)-token".utf8).write(to: URL(fileURLWithPath: token))
        return (directory, token, try DashboardEndToEndTests.freePort())
    }

    func testTenThousandIdleConnectionsNeitherStopTheServerNorLeakDescriptors() async throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("\(binary) not built") }
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let connections = 10_000
        guard limit.rlim_cur >= rlim_t(connections + 500) else {
            throw XCTSkip("needs a descriptor limit of \(connections + 500); this process has \(limit.rlim_cur)")
        }
        let (directory, token, port) = try makeServeDirectory("idle")
        defer { try? FileManager.default.removeItem(at: directory) }
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

        // It closes idle connections by itself (no request within the header timeout): every one of
        // them, including the last few, which may still have been in the kernel's backlog when the
        // rest were closed, and its descriptors go back to where they were.
        let deadline = ContinuousClock.now + .seconds(30)
        var after = during
        var closedByServer = 0
        while ContinuousClock.now < deadline {
            closedByServer = sockets.filter(isClosedByPeer).count
            after = descriptorCount(pid)
            if closedByServer == connections && after <= baseline + 10 { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        XCTAssertEqual(closedByServer, connections, "the server accepted every connection and hung up on each")
        XCTAssertLessThanOrEqual(after, baseline + 10, "descriptors back to \(after) from \(during) (baseline \(baseline))")
        let (statusAfter, _) = try await post()
        XCTAssertEqual(statusAfter, 200)
        print("idle connections: \(connections) open; serve descriptors \(baseline) → \(during) → \(after); an event answered in \(took)")
    }

    /// More connections than the process has descriptors for: past its cap the server stops
    /// accepting (they wait in the kernel's backlog) instead of retrying a failing `accept(2)` in a
    /// loop, which is what it did before the cap: a core at 100 % for as long as the flood lasted.
    func testConnectionsPastTheDescriptorLimitWaitInsteadOfSpinning() async throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("\(binary) not built") }
        let (directory, token, port) = try makeServeDirectory("fdcap")
        defer { try? FileManager.default.removeItem(at: directory) }
        let descriptorLimit = 200
        // `ulimit -n` sets the soft and the hard limit, so the server cannot raise it.
        let pid = try XCTUnwrap(
            Subprocess.start(
                ["/bin/sh", "-c", "ulimit -n \(descriptorLimit) && exec \"$0\" \"$@\"", binary, "serve", "--hmac-token-path", token,
                 "--db", directory.appendingPathComponent("state.db").path, "--listen-addr", "127.0.0.1:\(port)",
                 "--metrics-addr", "127.0.0.1:0"],
                logPath: directory.appendingPathComponent("serve.log").path))
        defer { _ = Subprocess.stop(pid) }
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? healthCheck(port: UInt16(port))) == true
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        XCTAssertTrue(ready, "serve did not start")
        let log = try String(contentsOfFile: directory.appendingPathComponent("serve.log").path, encoding: .utf8)
        let cap = ConnectionLimit(descriptorLimit: descriptorLimit)
        XCTAssertTrue(log.contains("\"max_connections\":\(cap.webhookConnections)"), "the start line names the cap: \(log)")

        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        for _ in 0..<(descriptorLimit * 2) { sockets.append(try connectTo(port: UInt16(port))) }
        try await Task.sleep(for: .seconds(1))
        XCTAssertLessThan(descriptorCount(pid), descriptorLimit, "the server stays below its descriptor limit")
        let before = cpuTicks(pid)
        try await Task.sleep(for: .seconds(3))
        let spent = Double(cpuTicks(pid) - before) / Double(sysconf(Int32(_SC_CLK_TCK)))
        XCTAssertLessThan(spent, 0.75, "CPU seconds spent in 3 s holding \(sockets.count) idle connections")

        sockets.forEach { close($0) }
        sockets = []
        var answered = false
        for _ in 0..<100 where !answered {
            answered = (try? healthCheck(port: UInt16(port))) == true
            if !answered { try await Task.sleep(for: .milliseconds(100)) }
        }
        XCTAssertTrue(answered, "answers again once the flood is gone")
    }

    /// `GET /healthz` over a fresh connection; true on a 200.
    func healthCheck(port: UInt16) throws -> Bool {
        let fd = try connectTo(port: port)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, 0) == request.count else { return false }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 && String(decoding: buffer[0..<n], as: UTF8.self).hasPrefix("HTTP/1.1 200")
    }

    func cpuTicks(_ pid: pid_t) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based over the whole line).
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
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
