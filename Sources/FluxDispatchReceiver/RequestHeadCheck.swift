import Foundation
import NIOCore
import NIOHTTP1

/// Refuses, on its head, a request whose framing or target is ambiguous, or that asks for what a
/// webhook receiver does not do, as RFC 9112 requires and Go's `net/http` server (the reference
/// service) does:
/// - `Host` missing (HTTP/1.1), repeated, or not a host: 400 (RFC 9112 §3.2);
/// - `Transfer-Encoding` other than exactly one `chunked`: 501 for a coding it does not implement
///   (`gzip, chunked`), 400 for the field repeated (RFC 9112 §6.1);
/// - `CONNECT`: 405. This is no proxy, and SwiftNIO treats what follows a `CONNECT` head as a
///   tunnel it never parses, so the connection would otherwise hang open after the answer;
/// - `Expect` without `100-continue` (`Expect: foo`): 417, as Go answers it (RFC 9110 §10.1.1).
///
/// Two `Host` fields are the ambiguity request smuggling and cache poisoning are made of: a proxy
/// in front may route by one and this receiver would see the other. Hummingbird's HTTP types keep
/// only the first as the request's authority and pass the second on as an ordinary field. A
/// transfer coding the receiver does not decode would reach the signature check and the parser
/// still encoded, and a proxy in front may frame the body differently.
///
/// Sits just before the HTTP/1 → HTTP types codec, where the version is still known (HTTP/1.0 may
/// leave `Host` out). It does not answer itself: writing from here could overtake the answers of
/// requests pipelined before this one. It marks the request instead (`status message`), and
/// `FluxEventsResponder` answers it in turn. A marker field sent by the client is removed first, so
/// only this handler's word counts.
final class RequestHeadCheck: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    /// The field that carries the problem to the responder. Never sent by a client: removed from every head.
    static let problemField = "flux-dispatch-head-problem"

    /// What is wrong with a request's head: the status it is answered with, and Go's words for it.
    struct Problem: Equatable {
        var status: Int
        var message: String

        /// `400 missing required Host header`: the marker field's value.
        var fieldValue: String { "\(status) \(message)" }

        init(status: Int, message: String) {
            self.status = status
            self.message = message
        }

        /// Reads a marker field's value back; a value it cannot read is a plain 400.
        init(fieldValue: String) {
            let parts = fieldValue.split(separator: " ", maxSplits: 1)
            if parts.count == 2, let status = Int(parts[0]), (400..<600).contains(status) {
                self.init(status: status, message: String(parts[1]))
            } else {
                self.init(status: 400, message: fieldValue)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        let fields = Fields(head.headers)
        let problem = Self.problem(in: fields, method: head.method, version: head.version)
        guard problem != nil || fields.hasProblemField else {
            context.fireChannelRead(data)
            return
        }
        head.headers.remove(name: Self.problemField)
        if let problem {
            head.headers.add(name: Self.problemField, value: problem.fieldValue)
            // Go closes the connection after such an answer; what follows on it is not trusted.
            head.headers.replaceOrAdd(name: "connection", value: "close")
        }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    /// A head SwiftNIO could not parse never reaches `channelRead`: the error passes here instead,
    /// and `ParseErrorAnswer` is put in place to make Hummingbird's answer to it say what was wrong.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? HTTPParserError {
            try? context.pipeline.syncOperations.addHandler(ParseErrorAnswer(error: error), position: .after(self))
        }
        context.fireErrorCaught(error)
    }

    /// The `Host`, `Transfer-Encoding` and `Expect` fields and whether a client sent the marker,
    /// found in one pass over the head's fields (this runs for every request; the by-name subscript
    /// builds an array per call).
    struct Fields {
        var hostCount = 0
        var firstHost: Substring.UTF8View?
        var transferEncodingCount = 0
        var firstTransferEncoding: String?
        /// The `Expect` fields' values (almost always none: no allocation then).
        var expectations: [String] = []
        var hasProblemField = false

        init(_ headers: HTTPHeaders) {
            for (name, value) in headers {
                switch name.utf8.count {
                case 4 where name.lowercased() == "host":
                    hostCount += 1
                    if firstHost == nil { firstHost = value[...].utf8 }
                case 6 where name.lowercased() == "expect":
                    expectations.append(value)
                case 17 where name.lowercased() == "transfer-encoding":
                    transferEncodingCount += 1
                    if firstTransferEncoding == nil { firstTransferEncoding = value }
                case RequestHeadCheck.problemField.utf8.count where name.lowercased() == RequestHeadCheck.problemField:
                    hasProblemField = true
                default:
                    break
                }
            }
        }
    }

    /// What is wrong with the request's head, in Go's words; nil when nothing is.
    /// Checked in Go's order: the head's framing first, then the method, then the expectation.
    static func problem(in fields: Fields, method: HTTPMethod, version: HTTPVersion) -> Problem? {
        if let problem = hostProblem(in: fields, version: version) { return Problem(status: 400, message: problem) }
        if let problem = transferEncodingProblem(in: fields) { return problem }
        if method == .CONNECT {
            return Problem(status: 405, message: "CONNECT is not served: this is a webhook receiver, not a proxy; POST events to /flux-events")
        }
        return expectationProblem(in: fields)
    }

    /// Go's server meets `100-continue` (`ContinueResponder` does that here) and answers any other
    /// expectation 417, since it cannot meet it. An empty value expects nothing.
    private static func expectationProblem(in fields: Fields) -> Problem? {
        guard !fields.expectations.isEmpty else { return nil }
        let tokens = fields.expectations.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: Self.optionalWhitespace) }.filter { !$0.isEmpty }
        guard !tokens.isEmpty, !tokens.contains(where: { $0.lowercased() == "100-continue" }) else { return nil }
        return Problem(
            status: 417, message: "unsupported expectation \"\(tokens.joined(separator: ", "))\"; only 100-continue is met, or send no Expect")
    }

    private static func hostProblem(in fields: Fields, version: HTTPVersion) -> String? {
        guard let host = fields.firstHost else {
            let needsHost = version.major > 1 || (version.major == 1 && version.minor >= 1)
            return needsHost ? "missing required Host header" : nil
        }
        if fields.hostCount > 1 { return "too many Host headers" }
        return host.allSatisfy(isHostByte) ? nil : "malformed Host header"
    }

    /// Go accepts exactly one `Transfer-Encoding` field whose value is `chunked` (any case): one
    /// field more is 400, any other coding (`gzip, chunked`, `identity`) is 501.
    private static func transferEncodingProblem(in fields: Fields) -> Problem? {
        guard let coding = fields.firstTransferEncoding else { return nil }
        if fields.transferEncodingCount > 1 { return Problem(status: 400, message: "too many transfer encodings") }
        let trimmed = coding.trimmingCharacters(in: Self.optionalWhitespace)
        guard trimmed.lowercased() != "chunked" else { return nil }
        return Problem(
            status: 501, message: "unsupported transfer encoding \"\(trimmed)\"; send the body as it is or chunked, uncompressed")
    }

    /// HTTP's optional whitespace around a field value.
    private static let optionalWhitespace = CharacterSet(charactersIn: " \t")

    /// The bytes Go's `httpguts.ValidHostHeader` accepts: a host name, an IPv4 or bracketed IPv6
    /// address, a port, and the sub-delimiters and percent-escapes a registered name may hold. (An
    /// empty value passes, as in Go: RFC 9112 allows it for a target without an authority.)
    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!$%&'()*+,-.:;=[]_~".utf8.contains(byte)
        }
    }
}
