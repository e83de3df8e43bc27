import AsyncHTTPClient
import FluxDispatchStore
import Foundation
import JWTKit
import NIOCore
import NIOHTTP1

/// Mints GitHub App installation tokens and shares one cached token between all requests.
///
/// The token is refreshed when less than five minutes of its life remain; requests that arrive while
/// a refresh is running wait for that refresh instead of starting their own.
public actor InstallationTokenProvider {
    public struct Token: Sendable {
        public let value: String
        public let expiresAt: Date
    }

    /// A token, or why there is none, plus the token-endpoint exchange if one was made for it.
    public struct Result: Sendable {
        public let token: Token?
        public let failure: String?
        public let attempt: DispatchAttempt?
    }

    public enum State: Sendable, Equatable {
        case none
        case valid(expiresAt: Date)
        case failing(String)

        public var summary: String {
            switch self {
            case .none: return "no token yet"
            case .valid: return "valid"
            case .failing(let why): return "failing: \(why)"
            }
        }
    }

    private let appID: String
    private let installationID: String
    private let apiURL: URL
    private let httpClient: HTTPClient
    private let keys: JWTKeyCollection
    private let userAgent: String
    private let refreshMargin: TimeInterval = 5 * 60
    private var cached: Token?
    private var refreshing: Task<Result, Never>?
    public private(set) var state: State = .none

    public init(app: ReceiverConfiguration.GitHubApp, key: GitHubAppKey, apiURL: URL, httpClient: HTTPClient, userAgent: String) async {
        self.appID = app.appID
        self.installationID = app.installationID
        self.apiURL = apiURL
        self.httpClient = httpClient
        self.userAgent = userAgent
        self.keys = JWTKeyCollection()
        await keys.add(rsa: key.key, digestAlgorithm: .sha256)
    }

    /// A token with at least five minutes left, refreshing it if needed.
    public func token() async -> Result {
        if let cached, cached.expiresAt.timeIntervalSinceNow > refreshMargin {
            return Result(token: cached, failure: nil, attempt: nil)
        }
        if let refreshing {
            return await refreshing.value
        }
        let task = Task { await self.exchange() }
        refreshing = task
        let result = await task.value
        refreshing = nil
        if let token = result.token {
            cached = token
            state = .valid(expiresAt: token.expiresAt)
        } else {
            state = .failing(result.failure ?? "unknown error")
        }
        return result
    }

    /// Forgets the cached token (GitHub said it is no longer good). With `value`, only if the cached
    /// token is that one: a request made with an older token must not throw away a newer one.
    public func invalidate(_ value: String? = nil) {
        if let value, cached?.value != value { return }
        cached = nil
    }

    private func exchange() async -> Result {
        let started = Date()
        let startedAt = EpochMilliseconds(date: started)
        func attempt(_ status: Int?, _ error: String?) -> DispatchAttempt {
            DispatchAttempt(
                startedAt: startedAt, request: .installationToken, status: status,
                durationMilliseconds: Date().timeIntervalSince(started) * 1000, error: error)
        }
        let jwt: String
        do {
            // Whole seconds: GitHub wants integer NumericDates. iat is backdated 60 s for clock drift.
            let now = Date(timeIntervalSince1970: floor(Date().timeIntervalSince1970))
            let claims = GitHubAppClaims(
                iss: .init(value: appID), iat: .init(value: now.addingTimeInterval(-60)), exp: .init(value: now.addingTimeInterval(600)))
            jwt = try await keys.sign(claims)
        } catch {
            let why = "cannot sign the App JWT: \(error)"
            return Result(token: nil, failure: why, attempt: attempt(nil, why))
        }
        let request = GitHubURL.post(
            apiURL, "/app/installations/\(installationID)/access_tokens", bearer: jwt, userAgent: userAgent)
        do {
            let response = try await httpClient.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            let status = Int(response.status.code)
            guard (200..<300).contains(status) else {
                let why = "token endpoint answered \(status): \(GitHubURL.message(in: body))"
                return Result(token: nil, failure: why, attempt: attempt(status, why))
            }
            struct AccessToken: Decodable {
                let token: String
                let expires_at: String
            }
            guard let decoded = try? JSONDecoder().decode(AccessToken.self, from: Data(buffer: body)),
                let expiresAt = ISO8601DateFormatter().date(from: decoded.expires_at)
            else {
                let why = "token endpoint answered \(status) without a token and expires_at"
                return Result(token: nil, failure: why, attempt: attempt(status, why))
            }
            return Result(token: Token(value: decoded.token, expiresAt: expiresAt), failure: nil, attempt: attempt(status, nil))
        } catch {
            let why = "token endpoint unreachable: \(GitHubURL.describe(error))"
            return Result(token: nil, failure: why, attempt: attempt(nil, why))
        }
    }
}

enum GitHubURL {
    /// A POST to the GitHub API with the headers GitHub asks for.
    static func post(_ base: URL, _ path: String, bearer: String, userAgent: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: join(base, path))
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(bearer)")
        request.headers.add(name: "Accept", value: "application/vnd.github+json")
        request.headers.add(name: "X-GitHub-Api-Version", value: "2022-11-28")
        request.headers.add(name: "User-Agent", value: userAgent)
        return request
    }

    /// Appends an API path to the base URL, which may carry a prefix (GitHub Enterprise's `/api/v3`).
    static func join(_ base: URL, _ path: String) -> String {
        var text = base.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        return text + path
    }

    /// GitHub's error bodies are `{"message": "...", "documentation_url": "..."}`.
    static func message(in body: ByteBuffer) -> String {
        struct ErrorBody: Decodable { let message: String }
        if let decoded = try? JSONDecoder().decode(ErrorBody.self, from: Data(buffer: body)) {
            return String(decoded.message.prefix(500))
        }
        let text = String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(empty body)" : String(text.prefix(200))
    }

    static func isTimeout(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout
                || error == .writeTimeout
        }
        return false
    }

    static func describe(_ error: any Error) -> String {
        if isTimeout(error) { return "timed out after 10s" }
        return String(describing: error)
    }
}
