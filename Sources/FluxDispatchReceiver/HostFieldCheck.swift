import NIOCore
import NIOHTTP1

/// Refuses a request whose `Host` field is missing (HTTP/1.1), repeated, or not a host, with 400, as
/// RFC 9112 §3.2 requires and Go's `net/http` server (the reference service) does.
///
/// Two `Host` fields are the ambiguity request smuggling and cache poisoning are made of: a proxy
/// in front may route by one and this receiver would see the other. Hummingbird's HTTP types keep
/// only the first as the request's authority and pass the second on as an ordinary field.
///
/// Sits just before the HTTP/1 → HTTP types codec, where the version is still known (HTTP/1.0 may
/// leave `Host` out). It does not answer itself: writing from here could overtake the answers of
/// requests pipelined before this one. It marks the request instead, and `FluxEventsResponder`
/// answers it in turn. A marker field sent by the client is removed first, so only this handler's
/// word counts.
final class HostFieldCheck: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    /// The field that carries the problem to the responder. Never sent by a client: removed from every head.
    static let problemField = "flux-dispatch-host-problem"

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        let fields = Fields(head.headers)
        let problem = Self.problem(in: fields, version: head.version)
        guard problem != nil || fields.hasProblemField else {
            context.fireChannelRead(data)
            return
        }
        head.headers.remove(name: Self.problemField)
        if let problem {
            head.headers.add(name: Self.problemField, value: problem)
            // Go closes the connection after such an answer; what follows on it is not trusted.
            head.headers.replaceOrAdd(name: "connection", value: "close")
        }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    /// The `Host` fields and whether a client sent the marker, found in one pass over the head's
    /// fields (this runs for every request; the by-name subscript builds an array per call).
    struct Fields {
        var hostCount = 0
        var firstHost: Substring.UTF8View?
        var hasProblemField = false

        init(_ headers: HTTPHeaders) {
            for (name, value) in headers {
                if name.utf8.count == 4, name.lowercased() == "host" {
                    hostCount += 1
                    if firstHost == nil { firstHost = value[...].utf8 }
                } else if name.utf8.count == HostFieldCheck.problemField.utf8.count, name.lowercased() == HostFieldCheck.problemField {
                    hasProblemField = true
                }
            }
        }
    }

    /// What is wrong with the request's `Host` fields, in Go's words; nil when nothing is.
    static func problem(in fields: Fields, version: HTTPVersion) -> String? {
        guard let host = fields.firstHost else {
            let needsHost = version.major > 1 || (version.major == 1 && version.minor >= 1)
            return needsHost ? "missing required Host header" : nil
        }
        if fields.hostCount > 1 { return "too many Host headers" }
        return host.allSatisfy(isHostByte) ? nil : "malformed Host header"
    }

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
