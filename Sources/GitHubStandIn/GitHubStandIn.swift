import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOConcurrencyHelpers

/// A stand-in for the parts of the GitHub API flux-dispatch uses, for tests, benchmarks and the
/// demo, on loopback only:
///
/// - `POST /app/installations/{id}/access_tokens` mints a token (201 `{token, expires_at}`) for a
///   request carrying an RS256 App JWT;
/// - `POST /repos/{owner}/{repo}/dispatches` records the dispatch and answers 204, or whatever the
///   behaviour set for that repository says (404 as if the App were not installed, 5xx, delays).
public final class GitHubStandIn: Sendable {
    /// One recorded `repository_dispatch`.
    public struct Dispatch: Sendable, Equatable {
        public var repository: String
        public var eventType: String
        public var clientPayload: [String: String]
        public var authorization: String
        public var headers: [String: String]
        public var body: String
    }

    /// How a repository's dispatch endpoint answers.
    public struct Behaviour: Sendable {
        public var status: Int
        public var delay: Duration
        public var headers: [String: String]
        public var message: String

        public init(status: Int = 204, delay: Duration = .zero, headers: [String: String] = [:], message: String = "") {
            self.status = status
            self.delay = delay
            self.headers = headers
            self.message = message
        }

        public static let accept = Behaviour()
        public static let notInstalled = Behaviour(status: 404, message: "Not Found")
        public static let serverError = Behaviour(status: 500, message: "Internal Server Error")
    }

    struct State {
        var dispatches: [Dispatch] = []
        var tokensMinted = 0
        var tokenRequests = 0
        var issuedTokens: Set<String> = []
        var behaviours: [String: Behaviour] = [:]
        var defaultBehaviour = Behaviour.accept
        /// Status for the token endpoint; 201 unless a test breaks it.
        var tokenStatus = 201
        var tokenLifetime: TimeInterval = 3600
        var tokenDelay: Duration = .zero
        /// Answers to use once each, before the behaviour, per repository.
        var scripted: [String: [Behaviour]] = [:]
        /// Every authenticated dispatch request per repository, whatever it was answered.
        var requests: [String: Int] = [:]
        /// Dispatch requests being answered now, and the most there have been at once.
        var inFlight = 0
        var mostInFlight = 0
    }

    let state = NIOLockedValueBox(State())
    /// Whether each dispatch is kept for `dispatches`. Tests inspect them; the standalone
    /// `github-standin` command, which nobody can ask, counts them only, so its memory stays flat
    /// through a long soak (keeping them all grew it by about 2.2 KiB a dispatch: 160 MiB after 72,000).
    let keepsDispatches: Bool

    public init(keepsDispatches: Bool = true) {
        self.keepsDispatches = keepsDispatches
    }

    // MARK: Inspection and control

    /// The dispatches accepted so far (none when made with `keepsDispatches: false`).
    public var dispatches: [Dispatch] { state.withLockedValue { $0.dispatches } }
    public var tokensMinted: Int { state.withLockedValue { $0.tokensMinted } }
    public var tokenRequests: Int { state.withLockedValue { $0.tokenRequests } }
    /// The most dispatch requests that were being answered at the same time.
    public var mostDispatchesInFlight: Int { state.withLockedValue { $0.mostInFlight } }

    public func dispatches(to repository: String) -> [Dispatch] {
        state.withLockedValue { $0.dispatches.filter { $0.repository == repository } }
    }

    /// How many authenticated dispatch requests `repository` got, accepted or not.
    public func requestCount(to repository: String) -> Int {
        state.withLockedValue { $0.requests[repository] ?? 0 }
    }

    public func setBehaviour(_ behaviour: Behaviour, for repository: String) {
        state.withLockedValue { $0.behaviours[repository] = behaviour }
    }

    public func setDefaultBehaviour(_ behaviour: Behaviour) {
        state.withLockedValue { $0.defaultBehaviour = behaviour }
    }

    /// The next answers for `repository`, used once each before its behaviour applies again.
    public func script(_ answers: [Behaviour], for repository: String) {
        state.withLockedValue { $0.scripted[repository, default: []].append(contentsOf: answers) }
    }

    /// Drops scripted answers not used yet: GitHub is well again.
    public func clearScripts() {
        state.withLockedValue { $0.scripted = [:] }
    }

    public func setTokenStatus(_ status: Int) {
        state.withLockedValue { $0.tokenStatus = status }
    }

    public func setTokenLifetime(_ seconds: TimeInterval) {
        state.withLockedValue { $0.tokenLifetime = seconds }
    }

    public func setTokenDelay(_ delay: Duration) {
        state.withLockedValue { $0.tokenDelay = delay }
    }

    public func reset() {
        state.withLockedValue { $0 = State() }
    }

    // MARK: Serving

    /// Builds the HTTP application on `host:port` (port 0: any free port). `onListening` receives the
    /// bound port.
    public func application(
        host: String = "127.0.0.1", port: Int = 0, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var logger = Logger(label: "github-standin")
        logger.logLevel = .warning
        return Application(
            responder: StandInResponder(standIn: self),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    func respond(to request: Request) async throws -> Response {
        let path = request.uri.path
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        if request.method == .post, parts.count == 4, parts[0] == "app", parts[1] == "installations", parts[3] == "access_tokens" {
            return await mintToken(request)
        }
        if request.method == .post, parts.count == 4, parts[0] == "repos", parts[3] == "dispatches" {
            return await recordDispatch(request, repository: "\(parts[1])/\(parts[2])", body: body)
        }
        return Self.json(404, ["message": "Not Found"])
    }

    private func mintToken(_ request: Request) async -> Response {
        let (status, lifetime, delay) = state.withLockedValue { s -> (Int, TimeInterval, Duration) in
            s.tokenRequests += 1
            return (s.tokenStatus, s.tokenLifetime, s.tokenDelay)
        }
        if delay > .zero { try? await Task.sleep(for: delay) }
        // A real App JWT: three base64url parts, RS256 header.
        let auth = request.headers[.authorization] ?? ""
        let jwt = auth.hasPrefix("Bearer ") ? String(auth.dropFirst(7)) : ""
        let jwtParts = jwt.split(separator: ".")
        guard jwtParts.count == 3, let header = Self.base64URLDecode(String(jwtParts[0])),
            String(decoding: header, as: UTF8.self).contains("RS256")
        else {
            return Self.json(401, ["message": "A JSON web token could not be decoded"])
        }
        guard status == 201 else {
            return Self.json(status, ["message": status == 401 ? "Bad credentials" : "token endpoint failure"])
        }
        let token = "ghs_standin_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let expires = ISO8601DateFormatter().string(from: Date().addingTimeInterval(lifetime))
        state.withLockedValue {
            $0.tokensMinted += 1
            $0.issuedTokens.insert(token)
        }
        return Self.json(201, ["token": token, "expires_at": expires])
    }

    private func recordDispatch(_ request: Request, repository: String, body: ByteBuffer) async -> Response {
        let auth = request.headers[.authorization] ?? ""
        // One lock for the request's bookkeeping: under a benchmark's load this stand-in shares the
        // machine's cores with the receiver it measures.
        let behaviour = state.withLockedValue { s -> Behaviour? in
            guard auth.hasPrefix("Bearer "), s.issuedTokens.contains(String(auth.dropFirst(7))) else { return nil }
            s.requests[repository, default: 0] += 1
            s.inFlight += 1
            s.mostInFlight = max(s.mostInFlight, s.inFlight)
            if var queue = s.scripted[repository], !queue.isEmpty {
                let next = queue.removeFirst()
                s.scripted[repository] = queue
                return next
            }
            return s.behaviours[repository] ?? s.defaultBehaviour
        }
        guard let behaviour else {
            return Self.json(401, ["message": "Bad credentials"])
        }
        if behaviour.delay > .zero { try? await Task.sleep(for: behaviour.delay) }
        state.withLockedValue { $0.inFlight -= 1 }
        guard (200..<300).contains(behaviour.status) else {
            var headers = HTTPFields()
            for (name, value) in behaviour.headers {
                if let field = HTTPField.Name(name) { headers[field] = value }
            }
            return Self.json(behaviour.status, ["message": behaviour.message.isEmpty ? "error" : behaviour.message], extra: headers)
        }
        guard let decoded = Self.dispatchBody(body) else {
            return Self.json(422, ["message": "Invalid request: event_type (1-100 characters) and client_payload (at most 10 string properties) required"])
        }
        guard keepsDispatches else { return Response(status: .noContent) }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let dispatch = Dispatch(
            repository: repository, eventType: decoded.eventType, clientPayload: decoded.clientPayload,
            authorization: auth, headers: headers, body: String(buffer: body))
        state.withLockedValue { $0.dispatches.append(dispatch) }
        return Response(status: .noContent)
    }

    /// A dispatch body as GitHub checks it (422 otherwise): `event_type` a string of 1 to 100
    /// characters, `client_payload` an object of at most 10 top-level properties; and, stricter than
    /// GitHub, as flux-dispatch writes it: every property a string.
    ///
    /// `JSONSerialization` rather than `JSONDecoder`: a third of the CPU time (13.5 µs against 5.2 µs
    /// a body), and this runs once per dispatch in benchmarks that share the receiver's cores.
    static func dispatchBody(_ body: ByteBuffer) -> (eventType: String, clientPayload: [String: String])? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any],
            let eventType = object["event_type"] as? String, (1...100).contains(eventType.count),
            let payload = object["client_payload"] as? [String: Any], payload.count <= 10
        else { return nil }
        var strings: [String: String] = [:]
        for (name, value) in payload {
            guard let text = value as? String else { return nil }
            strings[name] = text
        }
        return (eventType, strings)
    }

    static func json(_ status: Int, _ fields: [String: String], extra: HTTPFields = [:]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data()
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func base64URLDecode(_ text: String) -> Data? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }
}

struct StandInResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let standIn: GitHubStandIn

    func respond(to request: Request, context: Context) async throws -> Response {
        try await standIn.respond(to: request)
    }
}
