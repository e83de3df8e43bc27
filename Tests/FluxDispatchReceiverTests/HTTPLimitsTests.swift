import FluxDispatchCore
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Size cap and stalled clients, with raw sockets so the client can misbehave.
final class HTTPLimitsTests: XCTestCase {
    var harness: ReceiverHarness!
    var port: UInt16 = 0

    override func setUp() async throws {
        harness = try ReceiverHarness()
        try await harness.start()
        port = UInt16(URL(string: harness.webhookURL)!.port!)
    }

    override func tearDown() async throws {
        await harness.stop()
        // XCTest on Linux keeps every test case object until the process exits: let the receiver go.
        harness = nil
    }

    func testSeventyKiBBodyIs413AndNothingIsParsed() async throws {
        var body = Array(FluxEventBody().json.utf8)
        body.append(contentsOf: Array(repeating: UInt8(ascii: " "), count: 70 * 1024 - body.count))
        let answer = try await harness.post(bytes: body)
        XCTAssertEqual(answer.status, 413)
        XCTAssertTrue(harness.github.dispatches.isEmpty)
        // A body exactly at the cap is read and handled.
        var atCap = Array(FluxEventBody().json.utf8)
        atCap.append(contentsOf: Array(repeating: UInt8(ascii: " "), count: 64 * 1024 - atCap.count))
        let accepted = try await harness.post(bytes: atCap)
        XCTAssertEqual(accepted.outcome, "dispatched")
    }

    func testChunkedBodyOverTheCapIs413AndTheConnectionIsClosed() throws {
        let socket = try RawSocket(port: port)
        let body = FluxEventBody().json
        let signature = SignatureVerifier(token: Array(ReceiverHarness.token.utf8)).signatureHeader(for: Array(body.utf8))
        try socket.send(
            "POST /flux-events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX-Signature: \(signature)\r\n\r\n")
        // 80 chunks of 1 KiB: past the cap after 64.
        let chunk = String(repeating: "x", count: 1024)
        for _ in 0..<80 { try? socket.send("400\r\n\(chunk)\r\n") }
        let response = socket.readAll(timeout: 5)
        XCTAssertTrue(response.hasPrefix("HTTP/1.1 413"), response)
        XCTAssertTrue(response.lowercased().contains("connection: close"), response)
    }

    /// A request pipelined behind an oversized body is never handled: its answer could not be sent.
    func testRequestPipelinedBehindAnOversizedBodyIsNotHandled() throws {
        let body = FluxEventBody(digest: "behind-413").json
        let signature = SignatureVerifier(token: Array(ReceiverHarness.token.utf8)).signatureHeader(for: Array(body.utf8))
        let oversized = "POST /flux-events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + String(repeating: "400\r\n" + String(repeating: "x", count: 1024) + "\r\n", count: 70) + "0\r\n\r\n"
        let next = "POST /flux-events HTTP/1.1\r\nHost: x\r\nX-Signature: \(signature)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        let socket = try RawSocket(port: port)
        try socket.send(oversized + next)
        let response = socket.readAll(timeout: 5)
        XCTAssertTrue(response.hasPrefix("HTTP/1.1 413"), response)
        XCTAssertEqual(response.components(separatedBy: "HTTP/1.1 ").count - 1, 1, "one answer only: \(response)")
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertTrue(harness.github.dispatches.isEmpty, "the pipelined event was dispatched without an answer")
    }

    /// The webhook's two header fields are found by name in any case; a repeated signature field
    /// is not trusted for its first value: refused with a 401 that says the field is repeated.
    func testSignatureFieldInAnyCaseCountsAndARepeatedOneIsRefused() throws {
        let body = FluxEventBody(digest: "header-case").json
        let signature = SignatureVerifier(token: Array(ReceiverHarness.token.utf8)).signatureHeader(for: Array(body.utf8))
        let lower = try RawSocket(port: port)
        try lower.send(
            "POST /flux-events HTTP/1.1\r\nHost: x\r\nconnection: close\r\nx-signature: \(signature)\r\ncontent-LENGTH: \(body.utf8.count)\r\n\r\n\(body)")
        let accepted = lower.readAll(timeout: 5)
        XCTAssertTrue(accepted.hasPrefix("HTTP/1.1 200"), accepted)
        XCTAssertTrue(accepted.contains("\"outcome\":\"dispatched\""), accepted)

        let again = FluxEventBody(digest: "header-repeated").json
        let good = SignatureVerifier(token: Array(ReceiverHarness.token.utf8)).signatureHeader(for: Array(again.utf8))
        // The valid signature with another value, and the valid signature twice: one field too
        // many either way, and the answer says so.
        for second in ["sha256=00", good] {
            let repeated = try RawSocket(port: port)
            try repeated.send(
                "POST /flux-events HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Signature: \(good)\r\nX-Signature: \(second)\r\nContent-Length: \(again.utf8.count)\r\n\r\n\(again)")
            let refused = repeated.readAll(timeout: 5)
            XCTAssertTrue(refused.hasPrefix("HTTP/1.1 401"), "second \(second): \(refused)")
            XCTAssertTrue(refused.contains("more than one X-Signature"), "second \(second): \(refused)")
        }
        XCTAssertEqual(harness.github.dispatches.count, 1, "only the first request was dispatched")
    }

    func testLyingContentLengthIsHandled() async throws {
        // Declares more than it sends, then stalls: cut off by the read timeout, never answered 200.
        let short = try RawSocket(port: port)
        let body = FluxEventBody().json
        try short.send("POST /flux-events HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count + 100)\r\n\r\n\(body)")
        // Declares less than it sends: the rest is a malformed second request, answered 400 and closed.
        let long = try RawSocket(port: port)
        let signature = SignatureVerifier(token: Array(ReceiverHarness.token.utf8)).signatureHeader(for: Array(body.utf8))
        try long.send(
            "POST /flux-events HTTP/1.1\r\nHost: x\r\nX-Signature: \(signature)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)garbage-after-the-body\r\n\r\n")
        let longResponse = long.readAll(timeout: 12)
        XCTAssertTrue(longResponse.hasPrefix("HTTP/1.1 200"), longResponse)
        XCTAssertTrue(longResponse.contains("HTTP/1.1 400"), longResponse)
        let shortResponse = short.readAll(timeout: 12)
        XCTAssertFalse(shortResponse.contains("200 OK"), shortResponse)
        // Still healthy.
        let after = try await harness.post(FluxEventBody(digest: "after").json)
        XCTAssertEqual(after.outcome, "dispatched")
    }

    func testStalledHeadersAndTrickledBodiesAreDisconnected() async throws {
        // Headers one byte a second never finish within the 5 s header timeout.
        let headers = try RawSocket(port: port)
        let header = Array("POST /flux-events HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n".utf8)
        // A body trickled slower than the 10 s read timeout.
        let body = try RawSocket(port: port)
        try body.send("POST /flux-events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")

        let started = Date()
        var headersClosedAt: TimeInterval?
        var bodyClosedAt: TimeInterval?
        var sent = 0
        while Date().timeIntervalSince(started) < 14, headersClosedAt == nil || bodyClosedAt == nil {
            if headersClosedAt == nil {
                if sent < header.count, (try? headers.send(bytes: [header[sent]])) == nil || headers.isClosed() {
                    headersClosedAt = Date().timeIntervalSince(started)
                } else if headers.isClosed() {
                    headersClosedAt = Date().timeIntervalSince(started)
                }
                sent += 1
            }
            if bodyClosedAt == nil {
                if (try? body.send("x")) == nil || body.isClosed() { bodyClosedAt = Date().timeIntervalSince(started) }
            }
            try await Task.sleep(for: .seconds(1))
        }
        let headerTime = try XCTUnwrap(headersClosedAt, "a client trickling headers was never disconnected")
        let bodyTime = try XCTUnwrap(bodyClosedAt, "a client trickling a body was never disconnected")
        XCTAssertLessThan(headerTime, 8)
        XCTAssertLessThan(bodyTime, 13)
        let after = try await harness.post(FluxEventBody(digest: "healthy").json)
        XCTAssertEqual(after.outcome, "dispatched")
    }

    func testAKeepAliveConnectionStaysOpenWhileUsedAndIsClosedTenSecondsAfterItsLastAnswer() throws {
        let socket = try RawSocket(port: port)
        let request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        try socket.send(request)
        // Past the first request's 5 s head deadline: the connection is idle, not stalled.
        Thread.sleep(forTimeInterval: 6)
        XCTAssertFalse(socket.isClosed(), "closed while idle for less than 10 s")
        try socket.send(request)
        let secondSent = Date()
        let answers = socket.readAll(timeout: 20)
        let closedAfter = Date().timeIntervalSince(secondSent)
        XCTAssertEqual(answers.components(separatedBy: "HTTP/1.1 200").count - 1, 2, answers)
        XCTAssertGreaterThan(closedAfter, 9, "closed \(closedAfter) s after the last answer")
        XCTAssertLessThan(closedAfter, 13, "closed \(closedAfter) s after the last answer")
    }

    /// An HTTP/1.0 client without keep-alive (ApacheBench without `-k`) reads to the end of the
    /// connection: it must end with the answer, not 10 s later at the idle timeout. So must a
    /// `Connection: Close` in any spelling; an HTTP/1.0 keep-alive stays open.
    func testConnectionsThatAskToCloseAreClosedAfterTheAnswer() async throws {
        let body = FluxEventBody(digest: "http10").json
        let signature = SignatureVerifier(token: Array(ReceiverHarness.token.utf8)).signatureHeader(for: Array(body.utf8))
        for (version, connection) in [("HTTP/1.0", ""), ("HTTP/1.1", "Connection: Close\r\n")] {
            let socket = try RawSocket(port: port)
            let sent = Date()
            try socket.send(
                "POST /flux-events \(version)\r\nHost: x\r\n\(connection)Content-Length: \(body.utf8.count)\r\n"
                    + "X-Signature: \(signature)\r\n\r\n\(body)")
            let answer = socket.readAll(timeout: 20)
            let closedAfter = Date().timeIntervalSince(sent)
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 200"), "\(version) \(connection): \(answer)")
            XCTAssertTrue(answer.contains("\"outcome\":\"dispatched\"") || answer.contains("\"outcome\":\"duplicate\""), answer)
            XCTAssertLessThan(closedAfter, 3, "\(version) \(connection): closed \(closedAfter) s after sending")
        }
        let keepAlive = try RawSocket(port: port)
        try keepAlive.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        try await Task.sleep(for: .seconds(1))
        XCTAssertFalse(keepAlive.isClosed(), "an HTTP/1.0 keep-alive connection was closed after its answer")
        let after = try await harness.post(FluxEventBody(digest: "after-http10").json)
        XCTAssertEqual(after.outcome, "dispatched")
    }

    /// A client that sends `Expect: 100-continue` waits for the interim answer before its body (Go's
    /// server, the reference, sends it); an HTTP/1.0 client is never sent one.
    func testExpectContinueIsAnsweredBeforeTheBodyIsSent() throws {
        let body = FluxEventBody(digest: "expect-continue").json
        let signature = SignatureVerifier(token: Array(ReceiverHarness.token.utf8)).signatureHeader(for: Array(body.utf8))
        let head = { (version: String) in
            "POST /flux-events \(version)\r\nHost: x\r\nExpect: 100-Continue\r\nConnection: close\r\n"
                + "X-Signature: \(signature)\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        }
        let socket = try RawSocket(port: port)
        try socket.send(head("HTTP/1.1"))
        let interim = socket.readUntil("\r\n\r\n", timeout: 5)
        XCTAssertTrue(interim.hasPrefix("HTTP/1.1 100 Continue\r\n"), "no interim answer before the body: \(interim)")
        try socket.send(body)
        let answer = socket.readAll(timeout: 5)
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 200"), answer)
        XCTAssertTrue(answer.contains("\"outcome\":\"dispatched\""), answer)

        let old = try RawSocket(port: port)
        try old.send(head("HTTP/1.0"))
        XCTAssertEqual(old.readUntil("\r\n\r\n", timeout: 1), "", "an HTTP/1.0 client was sent an interim answer")
        try old.send(body)
        let oldAnswer = old.readAll(timeout: 5)
        XCTAssertTrue(oldAnswer.hasPrefix("HTTP/1.1 200"), oldAnswer)
        XCTAssertTrue(oldAnswer.contains("\"outcome\":\"duplicate\""), oldAnswer)
    }

    /// RFC 9112 §3.2, as Go's server (the reference) applies it: an HTTP/1.1 request without `Host`,
    /// any request with two, or with one that is not a host, is answered 400 and the connection
    /// closed, whatever follows on it; it is never parsed as an event.
    func testARequestWithoutOneValidHostIsRefusedAndTheConnectionClosed() async throws {
        let request = signedEventRequest
        for (hostLines, problem) in [
            ("", "missing required Host header"), ("Host: a\r\nhost: b\r\n", "too many Host headers"),
            ("Host: a, b\r\n", "malformed Host header"), ("Host: a b\r\n", "malformed Host header"),
        ] {
            let socket = try RawSocket(port: port)
            // A well-formed signed event pipelined behind it must be neither answered nor handled:
            // the connection is not trusted, and an event handled unanswered would be recorded and
            // dispatched while its sender retries it.
            try socket.send(request("HTTP/1.1", hostLines, "refused") + request("HTTP/1.1", "Host: x\r\n", "behind-\(problem)"))
            let answer = socket.readAll(timeout: 5)
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 400"), "\(hostLines.debugDescription): \(answer)")
            XCTAssertTrue(answer.contains("{\"error\":\"\(problem)\"}"), answer)
            XCTAssertEqual(answer.components(separatedBy: "HTTP/1.1 ").count - 1, 1, "answered past the refused request: \(answer)")
        }
        try await Task.sleep(for: .milliseconds(500))
        XCTAssertEqual(try harness.openStore().eventCount(), 0, "a refused request, or one pipelined behind it, was recorded")
        XCTAssertTrue(harness.github.dispatches.isEmpty, "an event pipelined behind a refused Host was dispatched")

        // It is refused on its head: a client waiting for `100 Continue` is not invited to send the body.
        let waiting = try RawSocket(port: port)
        try waiting.send("POST /flux-events HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        let refusal = waiting.readAll(timeout: 5)
        XCTAssertTrue(refusal.hasPrefix("HTTP/1.1 400"), refusal)

        // HTTP/1.0 may leave `Host` out; a client cannot forge the check's verdict; an IPv6 host passes.
        for (index, (version, hostLines)) in [
            ("HTTP/1.0", ""), ("HTTP/1.1", "Host: x\r\nFlux-Dispatch-Head-Problem: forged\r\n"), ("HTTP/1.1", "Host: [::1]:8080\r\n"),
        ].enumerated() {
            let socket = try RawSocket(port: port)
            try socket.send(request(version, hostLines + "Connection: close\r\n", "accepted-\(index)"))
            let answer = socket.readAll(timeout: 5)
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 200"), "\(version) \(hostLines.debugDescription): \(answer)")
        }
        XCTAssertEqual(try harness.openStore().eventCount(), 3)
    }

    /// Go's rule for `Transfer-Encoding`: exactly one field, `chunked`. A coding the receiver does
    /// not decode is 501 (its body would reach the signature check still encoded), the field
    /// repeated is 400; neither is recorded, and the connection is closed after the answer, so a
    /// signed event pipelined behind is not handled. `chunked` in any case passes.
    func testTransferCodingsOtherThanChunkedAreRefused() async throws {
        let token = SignatureVerifier(token: Array(ReceiverHarness.token.utf8))
        let chunkedEvent = { (codingLines: String, digest: String) in
            let body = FluxEventBody(digest: digest).json
            return "POST /flux-events HTTP/1.1\r\nHost: x\r\n\(codingLines)X-Signature: \(token.signatureHeader(for: Array(body.utf8)))\r\n\r\n"
                + String(body.utf8.count, radix: 16) + "\r\n\(body)\r\n0\r\n\r\n"
        }
        for (index, (codingLines, status, problem)) in [
            ("Transfer-Encoding: gzip, chunked\r\n", 501, "unsupported transfer encoding \\\"gzip, chunked\\\""),
            ("Transfer-Encoding: GZIP,chunked\r\n", 501, "unsupported transfer encoding \\\"GZIP,chunked\\\""),
            ("Transfer-Encoding: identity\r\n", 501, "unsupported transfer encoding"),
            ("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", 400, "too many transfer encodings"),
            // SwiftNIO's parser refuses these itself, before the check (`ParseErrorAnswer` words it).
            ("Transfer-Encoding: chunked, chunked\r\n", 400, "body's framing does not parse"),
            ("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", 400, "body's framing does not parse"),
        ].enumerated() {
            let socket = try RawSocket(port: port)
            try socket.send(chunkedEvent(codingLines, "refused-\(index)") + chunkedEvent("Transfer-Encoding: chunked\r\n", "behind-\(index)"))
            let answer = socket.readAll(timeout: 5)
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 \(status)"), "\(codingLines.debugDescription): \(answer)")
            XCTAssertTrue(answer.contains(problem), "\(codingLines.debugDescription): \(answer)")
            XCTAssertEqual(answer.components(separatedBy: "HTTP/1.1 ").count - 1, 1, "answered past the refused request: \(answer)")
        }
        try await Task.sleep(for: .milliseconds(500))
        XCTAssertEqual(try harness.openStore().eventCount(), 0, "a refused request, or one pipelined behind it, was recorded")
        XCTAssertTrue(harness.github.dispatches.isEmpty)

        let accepted = try RawSocket(port: port)
        try accepted.send(chunkedEvent("Transfer-Encoding:  CHUNKED \r\nConnection: close\r\n", "accepted"))
        let answer = accepted.readAll(timeout: 5)
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 200"), answer)
        XCTAssertTrue(answer.contains("\"outcome\":\"dispatched\""), answer)
    }

    /// A signed event with `Content-Length`, after `headLines` (which carry `Host`, if any).
    func signedEventRequest(version: String, headLines: String, digest: String) -> String {
        let body = FluxEventBody(digest: digest).json
        let signature = SignatureVerifier(token: Array(ReceiverHarness.token.utf8)).signatureHeader(for: Array(body.utf8))
        return "POST /flux-events \(version)\r\n\(headLines)X-Signature: \(signature)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    /// A head over the limits is 431, as Go answers it, and says what the limits are; the
    /// connection is closed. (Hummingbird's own answer is an empty 400.)
    func testOversizedHeadersAreRefusedWithTheLimits() throws {
        let manyFields = (0...1000).map { "X-\($0): v\r\n" }.joined()
        for fields in ["X-Big: \(String(repeating: "a", count: 70 * 1024))\r\n", manyFields] {
            let socket = try RawSocket(port: port)
            try? socket.send("POST /flux-events HTTP/1.1\r\nHost: x\r\n\(fields)Content-Length: 2\r\n\r\n{}")
            let answer = socket.readAll(timeout: 5)
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 431 "), String(answer.prefix(300)))
            XCTAssertTrue(answer.hasSuffix("{\"error\":\"request header fields too large: at most 1000 fields and 64 KiB in all\"}\n"), answer)
            XCTAssertTrue(socket.isClosed(), "the connection stayed open after a 431")
        }
        let within = try RawSocket(port: port)
        let thousandFields = (1...990).map { "X-\($0): v\r\n" }.joined()
        try within.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\(thousandFields)Connection: close\r\n\r\n")
        XCTAssertTrue(within.readAll(timeout: 5).hasPrefix("HTTP/1.1 200"), "a head within the limits was refused")
    }

    /// A request SwiftNIO cannot parse is answered 400 with what was wrong, after the answers to the
    /// requests pipelined before it, and the connection is closed.
    func testARequestThatDoesNotParseIsAnsweredWithWhatWasWrong() throws {
        for (request, problem) in [
            ("GET /healthz HTTP/1.1\r\nHost: x\r\nBad Field: y\r\n\r\n", "a header field has a character HTTP does not allow there"),
            ("POST /flux-events HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", "malformed Content-Length"),
            ("POST /flux-events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "a chunk size is not a hexadecimal number"),
        ] {
            let socket = try RawSocket(port: port)
            try socket.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" + request)
            let answer = socket.readAll(timeout: 5)
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 200 OK"), "the request before it was not answered first: \(answer)")
            let refusal = answer.components(separatedBy: "{\"status\":\"ok\"}\n").last ?? ""
            XCTAssertTrue(refusal.hasPrefix("HTTP/1.1 400 "), answer)
            XCTAssertTrue(refusal.contains("Content-Type: application/json"), refusal)
            XCTAssertTrue(refusal.contains(problem), refusal)
            XCTAssertTrue(socket.isClosed(), "the connection stayed open after a request that did not parse")
        }
    }

    /// Go answers an expectation it cannot meet 417; `100-continue` among others is met. A signed
    /// event pipelined behind a refused one is not handled.
    func testAnExpectationOtherThanContinueIsRefused() async throws {
        let request = { (version: String, expectLines: String, digest: String) in
            self.signedEventRequest(version: version, headLines: "Host: x\r\n" + expectLines, digest: digest)
        }
        for (index, (version, expectLines)) in [
            ("HTTP/1.1", "Expect: foo\r\n"), ("HTTP/1.0", "Expect: foo\r\n"), ("HTTP/1.1", "Expect: 200-ok, bar\r\n"),
        ].enumerated() {
            let socket = try RawSocket(port: port)
            try socket.send(request(version, expectLines, "refused-\(index)") + request("HTTP/1.1", "", "behind-\(index)"))
            let answer = socket.readAll(timeout: 5)
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 417 "), "\(version) \(expectLines.debugDescription): \(answer)")
            XCTAssertTrue(answer.contains("only 100-continue is met"), answer)
            XCTAssertEqual(answer.components(separatedBy: "HTTP/1.1 ").count - 1, 1, "answered past the refused request: \(answer)")
            XCTAssertTrue(socket.isClosed())
        }
        try await Task.sleep(for: .milliseconds(500))
        XCTAssertEqual(try harness.openStore().eventCount(), 0, "a refused request, or one pipelined behind it, was recorded")
        XCTAssertTrue(harness.github.dispatches.isEmpty)

        for (index, expectLines) in ["Expect: 100-continue, foo\r\n", "Expect:\r\n"].enumerated() {
            let socket = try RawSocket(port: port)
            try socket.send(request("HTTP/1.1", expectLines + "Connection: close\r\n", "accepted-\(index)"))
            let answer = socket.readAll(timeout: 5)
            XCTAssertTrue(answer.contains("HTTP/1.1 200 OK"), "\(expectLines.debugDescription): \(answer)")
        }
        XCTAssertEqual(try harness.openStore().eventCount(), 2)
    }

    /// `CONNECT` is 405 and the connection closed at once. (SwiftNIO sends no body with any answer
    /// to `CONNECT`, and parses nothing after its head, so a connection left open would hang.)
    func testConnectIsRefusedAndTheConnectionClosed() async throws {
        let body = FluxEventBody(digest: "behind-connect").json
        let signature = SignatureVerifier(token: Array(ReceiverHarness.token.utf8)).signatureHeader(for: Array(body.utf8))
        let socket = try RawSocket(port: port)
        let started = Date()
        try socket.send(
            "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"
                + "POST /flux-events HTTP/1.1\r\nHost: x\r\nX-Signature: \(signature)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let answer = socket.readAll(timeout: 5)
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 405 "), answer)
        XCTAssertTrue(answer.contains("Connection: close"), answer)
        XCTAssertTrue(socket.isClosed())
        XCTAssertLessThan(Date().timeIntervalSince(started), 4, "the connection was left open after the answer to CONNECT")
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(try harness.openStore().eventCount(), 0, "an event sent behind CONNECT was handled")
    }
}

/// A blocking TCP client to 127.0.0.1 that can send partial requests.
final class RawSocket {
    let fd: Int32

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw POSIXError(.ECONNREFUSED) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        signal(SIGPIPE, SIG_IGN)
    }

    deinit { close(fd) }

    func send(_ text: String) throws { try send(bytes: Array(text.utf8)) }

    func send(bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw POSIXError(.EPIPE) }
            offset += n
        }
    }

    /// Whether the peer has closed (a non-blocking peek reads end of file or an error).
    func isClosed() -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if n == 0 { return true }
        if n < 0 { return errno != EAGAIN && errno != EWOULDBLOCK }
        return false
    }

    /// Reads until what has arrived contains `marker`, the peer closes, or `timeout` seconds pass.
    func readUntil(_ marker: String, timeout: Double) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !String(decoding: data, as: UTF8.self).contains(marker), Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000))) > 0 else { break }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads until the peer closes or `timeout` seconds pass.
    func readAll(timeout: Double) -> String {
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: data, as: UTF8.self)
    }
}
