import AsyncHTTPClient
import FluxDispatchCore
import Foundation
import NIOCore
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The real dashboard in tmux, with a real store and embedded receiver: events posted over loopback
/// show up; a failure becomes a callout; `d` hides it; a newer failure brings it back; another
/// operator still sees it, marked; `q` exits and restores the terminal.
final class DashboardEndToEndTests: XCTestCase {
    var directory: URL!
    var sessions: [String] = []
    var port = 0

    static var binary: URL {
        // The test bundle sits beside the built products.
        Bundle.main.bundleURL.appendingPathComponent("flux-dispatch")
    }

    override func setUpWithError() throws {
        guard Self.hasTmux else { throw XCTSkip("tmux is not installed") }
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            throw XCTSkip("\(Self.binary.path) not built (run swift build first)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dash-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("e2e-token".utf8).write(to: directory.appendingPathComponent("token"))
        port = try Self.freePort()
    }

    override func tearDown() {
        for session in sessions { _ = Self.tmux(["kill-session", "-t", session]) }
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    func testLiveEventsCalloutsDismissalAndTwoOperators() async throws {
        let db = directory.appendingPathComponent("state.db").path
        let token = directory.appendingPathComponent("token").path
        let alice = try startDashboard(
            name: "alice",
            arguments: ["--db", db, "--operator", "alice", "--hmac-token-path", token, "--listen-addr", "127.0.0.1:\(port)",
                        "--metrics-addr", "127.0.0.1:0"])
        try await waitForScreen(alice, containing: "embedded")

        try await post(reason: "ReconciliationSucceeded", product: "dialogporten", digest: "d1")
        try await waitForScreen(alice, containing: "dialogporten")

        try await post(reason: "HealthCheckFailed", product: "storage", digest: "s1", eventType: "flux-deploy-failed",
                       message: "timeout waiting for rollout")
        var screen = try await waitForScreen(alice, containing: "HealthCheckFailed")
        XCTAssertTrue(screen.contains("storage"), screen)

        // Bob, another operator, attached to the same store.
        let bob = try startDashboard(name: "bob", arguments: ["--db", db, "--operator", "bob", "--attach"])
        try await waitForScreen(bob, containing: "attached")
        try await waitForScreen(bob, containing: "HealthCheckFailed")

        // Alice dismisses the storage callout (the only one, selected in the callout pane).
        _ = Self.tmux(["send-keys", "-t", alice, "d"])
        screen = try await waitForScreen(alice, containing: "hidden")
        XCTAssertFalse(Self.calloutLines(screen).contains { $0.contains("storage") }, screen)
        screen = try await waitForScreen(bob, containing: "dismissed by alice")

        // A newer failure of storage brings it back for Alice.
        try await post(reason: "BuildFailed", product: "storage", digest: "s2", eventType: "flux-deploy-failed",
                       message: "kustomize build failed")
        screen = try await waitForScreen(alice, containing: "BuildFailed")
        XCTAssertFalse(screen.contains("dismissed by"), screen)

        // q quits and the terminal is restored (the pane shows the shell's screen again, not curses).
        _ = Self.tmux(["send-keys", "-t", alice, "q"])
        let status = try await waitForExit(alice)
        XCTAssertEqual(status, 0)
    }

    // MARK: helpers

    func startDashboard(name: String, arguments: [String]) throws -> String {
        let session = "fd-e2e-\(name)-\(UUID().uuidString.prefix(8))"
        sessions.append(session)
        let command = ([Self.binary.path, "dash"] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let result = Self.tmux([
            "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
            "env", "TERM=xterm-256color", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "sh", "-c", command + "; echo EXITED:$?; sleep 30",
        ])
        XCTAssertEqual(result.status, 0, result.output)
        return session
    }

    @discardableResult
    func waitForScreen(_ session: String, containing text: String, timeout: Double = 15) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = Self.tmux(["capture-pane", "-p", "-t", session]).output
            if last.contains(text) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTFail("\"\(text)\" did not appear in \(session) within \(timeout)s; screen:\n\(last)")
        return last
    }

    func waitForExit(_ session: String) async throws -> Int? {
        let screen = try await waitForScreen(session, containing: "EXITED:")
        guard let range = screen.range(of: "EXITED:") else { return nil }
        return Int(screen[range.upperBound...].prefix { $0.isNumber })
    }

    static func calloutLines(_ screen: String) -> [String] {
        screen.split(separator: "\n").map(String.init).filter { $0.contains("Failed") }
    }

    func post(reason: String, product: String, digest: String, eventType: String = "flux-deploy", message: String = "ok") async throws {
        let body: [String: Any] = [
            "involvedObject": ["kind": "Kustomization", "name": "\(product)-apps", "namespace": "product-\(product)"],
            "severity": "info", "reason": reason, "message": message,
            "metadata": [
                "product": product, "env": "at23", "dispatch_repo": "Altinn/\(product)", "dispatch_event": eventType,
                "kustomize.toolkit.fluxcd.io/revision": "at23@sha256:\(digest)",
                "kustomize.toolkit.fluxcd.io/originRevision": "main/abc1234",
            ],
        ]
        let data = try JSONSerialization.data(withJSONObject: body)
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/flux-events")
        request.method = .POST
        request.headers.add(
            name: "X-Signature", value: SignatureVerifier(token: Array("e2e-token".utf8)).signatureHeader(for: Array(data)))
        request.body = .bytes(ByteBuffer(bytes: data))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        XCTAssertEqual(response.status.code, 200)
    }

    static var hasTmux: Bool { tmux(["-V"]).status == 0 }

    @discardableResult
    static func tmux(_ arguments: [String]) -> (status: Int32, output: String) {
        Subprocess.run(["tmux"] + arguments)
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
