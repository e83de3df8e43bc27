import NIOCore
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Disconnects clients that stall, with the reference service's limits (Go's `http.Server`
/// `ReadHeaderTimeout` 5 s, `ReadTimeout` 10 s, `WriteTimeout` 30 s, idle keep-alive 10 s):
///
/// - the request head must be complete 5 s after its first byte (or after the connection opened);
/// - the whole request 10 s after its first byte;
/// - the response 30 s after the head was read;
/// - an idle keep-alive connection is closed after 10 s.
///
/// It also closes the connection after a response that says `Connection: close` (a 413 whose body
/// was left unread), passes nothing on after a body over the cap or a request refused on its
/// head (so nothing pipelined behind them is handled unanswered), and installs three handlers:
/// `RequestHeadCheck`, which marks a request with a missing, repeated or malformed `Host` or a
/// `Transfer-Encoding` other than `chunked` to be refused; `NonPersistentRequestMarker`, which
/// closes the connection after a request that asked for that; and `ContinueResponder`, which
/// answers `Expect: 100-continue`.
///
/// Sits after the HTTP codec; on being added it puts a companion at the front of the pipeline that
/// notices the first raw byte of each request, which the codec does not report.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    struct Limits: Sendable {
        var head: TimeAmount = .seconds(5)
        var request: TimeAmount = .seconds(10)
        var response: TimeAmount = .seconds(30)
        var idle: TimeAmount = .seconds(10)
    }

    private enum Phase {
        case idle
        case readingHead(started: NIODeadline)
        case readingBody(started: NIODeadline)
        case responding
    }

    private let limits: Limits
    private var phase: Phase = .idle
    /// When the connection is closed unless the phase moves on first.
    private var deadline = NIODeadline.distantFuture
    /// One timer per connection, re-armed lazily: moving the deadline later (which every phase of a
    /// request does) only changes `deadline`, and the timer, when it fires early, sleeps again until
    /// the deadline. Scheduling and cancelling a task for each of a request's four phases cost 4–5 %
    /// of the receiver's CPU under load.
    private var timer: (task: Scheduled<Void>, firesAt: NIODeadline)?
    private var closeAfterResponse = false
    /// The current request's body bytes so far, against `maxBodyBytes`.
    private var bodyBytes = 0
    private let maxBodyBytes: Int
    /// The current request is refused and ends the connection.
    private var lastRequest = false
    /// Inbound parts are dropped until the connection closes.
    private var discardingInbound = false

    init(limits: Limits = Limits(), maxBodyBytes: Int = FluxEventsResponder.maxBodyBytes) {
        self.limits = limits
        self.maxBodyBytes = maxBodyBytes
    }

    func handlerAdded(context: ChannelHandlerContext) {
        try? context.pipeline.syncOperations.addHandler(FirstByteHandler(owner: self), position: .first)
        // Three handlers that need a request in HTTP/1 terms (its version), so sit before the codec
        // that turns it into Hummingbird's version-less types: the `Host` check (first, so a
        // refused request is marked to close and is not sent `100 Continue`), HTTP/1.0 clients that
        // expect the connection closed after the answer, and clients that wait for `100 Continue`
        // before their body. A pipeline without that codec (not HTTP/1) gets none of them.
        let pipeline = context.pipeline.syncOperations
        if let codec = try? pipeline.handler(type: HTTP1ToHTTPServerCodec.self) {
            try? pipeline.addHandlers(
                [RequestHeadCheck(), NonPersistentRequestMarker(), ContinueResponder()], position: .before(codec))
        }
        // The first request's head is due 5 s after the connection opened.
        startRequest(context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.task.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.task.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    fileprivate func bytesArrived(context: ChannelHandlerContext) {
        if case .idle = phase { startRequest(context: context) }
    }

    private func startRequest(context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        phase = .readingHead(started: now)
        arm(context: context, at: now + limits.head)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // A request that will be answered with `Connection: close` (a body over the cap, a refused
        // `Host`) is the connection's last: nothing after it is passed on — not the rest of the
        // body, and not a request pipelined behind it, which would be handled (recorded, even
        // dispatched) with its answer never sent. The connection closes once the answer is out.
        if discardingInbound { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            bodyBytes = 0
            lastRequest = head.headerFields.contains(FluxEventsResponder.headProblemField)
            let started: NIODeadline
            if case .readingHead(let s) = phase { started = s } else { started = .now() }
            phase = .readingBody(started: started)
            arm(context: context, at: started + limits.request)
        case .body(let chunk):
            bodyBytes += chunk.readableBytes
            if bodyBytes > maxBodyBytes {
                // Enough for the responder to see the cap passed and answer 413.
                discardingInbound = true
            }
        case .end:
            phase = .responding
            arm(context: context, at: .now() + limits.response)
            if lastRequest { discardingInbound = true }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response):
            if response.headerFields[.connection]?.lowercased() == "close" { closeAfterResponse = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            if closeAfterResponse {
                let written = promise ?? context.eventLoop.makePromise()
                context.write(data, promise: written)
                let channel = context.channel
                written.futureResult.whenComplete { _ in channel.close(promise: nil) }
                return
            }
            context.write(data, promise: promise)
            // The request may have been answered before it was read whole (an early 4xx); only a
            // fully read request makes the connection idle.
            if case .responding = phase {
                phase = .idle
                arm(context: context, at: .now() + limits.idle)
            }
        }
    }

    private func arm(context: ChannelHandlerContext, at deadline: NIODeadline) {
        self.deadline = deadline
        if let timer, timer.firesAt <= deadline { return }  // it fires first and looks again
        schedule(on: context.channel, at: deadline)
    }

    private func schedule(on channel: any Channel, at when: NIODeadline) {
        timer?.task.cancel()
        let handler = NIOLoopBound(self, eventLoop: channel.eventLoop)
        let task = channel.eventLoop.scheduleTask(deadline: when) { handler.value.timerFired(channel: channel) }
        timer = (task, when)
    }

    private func timerFired(channel: any Channel) {
        timer = nil
        if NIODeadline.now() >= deadline {
            channel.close(promise: nil)
        } else {
            schedule(on: channel, at: deadline)
        }
    }
}

/// Tells its owner when raw bytes arrive, so the owner can time a request from its first byte.
private final class FirstByteHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    // Both handlers live on the same channel and event loop.
    weak var owner: RequestDeadlineHandler?

    init(owner: RequestDeadlineHandler) {
        self.owner = owner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        owner?.bytesArrived(context: context)
        context.fireChannelRead(data)
    }
}
