import FluxDispatchCore
import NIOCore
import NIOHTTP1

/// Makes the answer to a request SwiftNIO could not parse say what was wrong with it.
///
/// Hummingbird answers every `HTTPParserError` with the same empty `400` and closes the
/// connection. A client then cannot tell a header block over the limits (Go answers `431` for that)
/// from a stray byte in a field name. This handler rewrites that one answer: `431` with the limits
/// for a head too large, else `400` naming the fault, each with a JSON body as every other refusal
/// has, and the connection still closed.
///
/// `RequestHeadCheck` adds it to the pipeline when the parse error passes it, so an answer that
/// follows no parse error never goes through it. It rewrites only the empty `400` Hummingbird writes
/// for the error, then removes itself.
final class ParseErrorAnswer: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    let error: HTTPParserError

    init(error: HTTPParserError) {
        self.error = error
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = unwrapOutboundIn(data), head.status == .badRequest,
            head.headers["content-length"] == ["0"]
        else {
            context.write(data, promise: promise)
            return
        }
        let (status, message) = Self.answer(for: error)
        let body = context.channel.allocator.buffer(string: "{\"error\":\(JSONText.quoted(message))}\n")
        head.status = HTTPResponseStatus(statusCode: status)
        head.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        head.headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: promise)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// The status and the words for a parse error. Every answer ends the connection: what follows
    /// a request that did not parse cannot be framed.
    static func answer(for error: HTTPParserError) -> (status: Int, message: String) {
        switch error {
        case .headerOverflow:
            return (
                431,
                "request header fields too large: at most \(FluxEventsResponder.maxHeaderFields) fields and "
                    + "\(FluxEventsResponder.maxHeaderBytes / 1024) KiB in all"
            )
        case .invalidHeaderToken, .invalidCharactersUsed:
            return (400, "malformed request head: a header field has a character HTTP does not allow there")
        case .invalidContentLength, .unexpectedContentLength:
            return (400, "malformed Content-Length: not one decimal number, repeated with other values, or sent with Transfer-Encoding")
        case .invalidChunkSize:
            return (400, "malformed chunked body: a chunk size is not a hexadecimal number")
        case .invalidMethod:
            return (400, "malformed request line: unknown method")
        case .invalidURL:
            return (400, "malformed request line: the target is not a path")
        case .invalidVersion:
            return (400, "malformed request line: not HTTP/1.0 or HTTP/1.1")
        case .unknown:
            // What the parser reports for framing it cannot follow, such as `chunked` twice.
            return (400, "malformed HTTP request: its head or its body's framing does not parse")
        default:
            return (400, "malformed HTTP request: \(error.debugDescription)")
        }
    }
}
