import NIOCore
import NIOHTTP1

/// Answers `Expect: 100-continue` with `100 Continue`, as Go's `net/http` server (the reference
/// service) does, so a client that waits for it before sending the body is not left waiting.
///
/// Hummingbird does not answer it. curl waits a second for the interim answer and then sends the
/// body anyway; a client without such a fallback would wait until the request timeout closed the
/// connection. The interim answer is sent as soon as the head is read, before the request is
/// routed: an answer refused on its head alone (405, 413 for a declared length over the cap) simply
/// follows it, which RFC 9110 §10.1.1 allows. An HTTP/1.0 client never gets one (it would not know
/// what it is). Other expectations are answered 417 on the head (`RequestHeadCheck`).
///
/// Sits just before the HTTP/1 → HTTP types codec, where the interim answer can be written in
/// HTTP/1 terms, which Hummingbird's response types do not offer.
///
/// Inbound only (it writes, but no answer passes through it), so it costs an answer nothing.
final class ContinueResponder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data), Self.expectsContinue(head) {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
        }
        context.fireChannelRead(data)
    }

    static func expectsContinue(_ head: HTTPRequestHead) -> Bool {
        guard head.version.major == 1, head.version.minor >= 1,
            head.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" })
        else { return false }
        // A request `RequestHeadCheck` marked is refused on its head: no body is wanted. (Asked only
        // of the few requests that expect `100 Continue`, not of every request.)
        return !head.headers.contains(name: RequestHeadCheck.problemField)
    }
}
