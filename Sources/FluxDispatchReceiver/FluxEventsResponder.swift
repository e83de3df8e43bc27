import FluxDispatchCore
import HTTPTypes
import Hummingbird
import NIOCore

/// The webhook server's HTTP surface: `POST /flux-events`, `GET /healthz`, `GET /readyz`.
///
/// A plain responder rather than a router: three fixed paths, and the hot path should not pay for
/// routing or middleware it does not use.
public struct FluxEventsResponder: HTTPResponder {
    public typealias Context = ReceiverRequestContext

    /// Flux events are a few kilobytes; anything over 64 KiB is refused before it is read whole.
    public static let maxBodyBytes = 64 * 1024
    /// A request head over either limit is answered 431 (`ParseErrorAnswer`). Flux sends a handful
    /// of fields; Go's server allows 1 MiB of head but reads it all into memory first.
    public static let maxHeaderBytes = 64 * 1024
    public static let maxHeaderFields = 1000

    let pipeline: EventPipeline
    /// `nil` when ready, else why not.
    let readiness: @Sendable () async -> String?

    public init(pipeline: EventPipeline, readiness: @escaping @Sendable () async -> String?) {
        self.pipeline = pipeline
        self.readiness = readiness
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        if let marker = request.headers[Self.headProblemField] {
            // `RequestHeadCheck` found the request's `Host` or `Transfer-Encoding` unacceptable.
            let problem = RequestHeadCheck.Problem(fieldValue: marker)
            return Self.json(problem.status, "{\"error\":\(JSONText.quoted(problem.message))}\n", extra: [.connection: "close"])
        }
        switch request.uri.path {
        case "/flux-events":
            guard request.method == .post else {
                return Self.json(405, "{\"error\":\"use POST\"}\n", extra: [.allow: "POST"])
            }
            return try await receive(request, context: context)
        case "/healthz":
            return Self.json(200, "{\"status\":\"ok\"}\n")
        case "/readyz":
            if let problem = await readiness() {
                return Self.json(503, "{\"status\":\"not ready\",\"problem\":\(JSONText.quoted(problem))}\n")
            }
            return Self.json(200, "{\"status\":\"ready\"}\n")
        default:
            return Self.json(404, "{\"error\":\"not found\"}\n")
        }
    }

    private func receive(_ request: Request, context: Context) async throws -> Response {
        let limit = Self.maxBodyBytes
        let headers = WebhookHeaders(request.headers)
        // 1. Size: refuse by the declared length without reading, and stop reading a body (chunked,
        // or lying about its length) as soon as it passes the cap.
        if let length = headers.contentLength, length > limit {
            return tooLarge(context)
        }
        var body: [UInt8] = []
        body.reserveCapacity(min(headers.contentLength ?? 4096, limit))
        for try await chunk in request.body {
            guard body.count + chunk.readableBytes <= limit else { return tooLarge(context) }
            body.append(contentsOf: chunk.readableBytesView)
        }
        let answer = await pipeline.handle(body: body, signature: headers.signature, source: context.sourceAddress)
        return Self.json(answer.status, answer.body)
    }

    /// The two header fields the webhook reads, found in one pass over the request's fields. (The
    /// fields' by-name subscript builds a new joined string on every call; three of them per
    /// request showed in the receiver's profile.)
    struct WebhookHeaders {
        var contentLength: Int?
        /// Repeated `X-Signature` fields are joined with ", ", as the by-name subscript would, so
        /// such a request still fails the check.
        var signature: String?

        init(_ fields: HTTPFields) {
            for field in fields {
                if field.name == .contentLength {
                    contentLength = Int(field.value)
                } else if field.name == FluxEventsResponder.signatureField {
                    signature = signature.map { $0 + ", " + field.value } ?? field.value
                }
            }
        }
    }

    private func tooLarge(_ context: Context) -> Response {
        let answer = pipeline.rejectTooLarge(source: context.sourceAddress)
        // Close the connection after answering: the rest of the body is never read.
        return Self.json(answer.status, answer.body, extra: [.connection: "close"])
    }

    static let signatureField = HTTPField.Name("X-Signature")!
    static let headProblemField = HTTPField.Name(RequestHeadCheck.problemField)!

    static func json(_ status: Int, _ body: String, extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// `GET /metrics` on the metrics address, in the Prometheus text format.
struct MetricsResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let metrics: ReceiverMetrics

    func respond(to request: Request, context: Context) async throws -> Response {
        guard request.uri.path == "/metrics" else {
            return Response(status: .notFound, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "not found\n")))
        }
        guard request.method == .get || request.method == .head else {
            return Response(status: .methodNotAllowed, headers: [.allow: "GET"])
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
    }
}
