import NIOCore
import NIOHTTP1

/// Ends the connection after the answer when the client asked for that the HTTP/1 way: an HTTP/1.0
/// request without `Connection: keep-alive`, or a `Connection: close` however it is spelled.
///
/// Hummingbird works on version-less HTTP types and closes a connection only after a request whose
/// `Connection` header is exactly `close`. An HTTP/1.0 client that reads to the end of the
/// connection (ApacheBench without `-k`, simple health checkers) therefore got its answer and then
/// waited for the 10 s idle timeout. This handler sits just before the HTTP/1 → HTTP types codec,
/// where the version is still known, and writes the client's wish the way Hummingbird reads it.
final class NonPersistentRequestMarker: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data), !head.isKeepAlive else {
            context.fireChannelRead(data)
            return
        }
        head.headers.replaceOrAdd(name: "connection", value: "close")
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}
