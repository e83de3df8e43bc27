import AsyncHTTPClient
import FluxDispatchCore
import FluxDispatchStore
import Foundation
import NIOCore
import NIOHTTP1

/// Sends `repository_dispatch` events and sorts GitHub's answer into the reference's outcomes.
public struct GitHubDispatcher: Sendable {
    public struct Result: Sendable {
        public var outcome: Outcome
        public var githubStatus: Int?
        /// GitHub's message, or what went wrong on the way.
        public var detail: String
        /// For `dispatch_errors_total{error_code}`: the HTTP status, `timeout`, `connection` or `auth`.
        public var errorCode: String?
        /// The dispatch request's duration, when one was made (not for auth failures).
        public var durationSeconds: Double?
        public var attempts: [DispatchAttempt]
        /// How long GitHub asked us to wait (Retry-After, rate-limit reset, secondary rate limit).
        public var retryAfterSeconds: Double? = nil
    }

    private let apiURL: URL
    private let httpClient: HTTPClient
    private let tokens: InstallationTokenProvider
    private let userAgent: String
    static let timeout = TimeAmount.seconds(10)

    public init(apiURL: URL, httpClient: HTTPClient, tokens: InstallationTokenProvider, userAgent: String) {
        self.apiURL = apiURL
        self.httpClient = httpClient
        self.tokens = tokens
        self.userAgent = userAgent
    }

    public func dispatch(to repository: DispatchRepository, payload: [UInt8]) async -> Result {
        var attempts: [DispatchAttempt] = []
        let tokenResult = await tokens.token()
        if let attempt = tokenResult.attempt { attempts.append(attempt) }
        guard let token = tokenResult.token else {
            return Result(
                outcome: .githubAuthFailed, githubStatus: nil, detail: tokenResult.failure ?? "no installation token",
                errorCode: "auth", durationSeconds: nil, attempts: attempts)
        }

        var request = GitHubURL.post(
            apiURL, "/repos/\(repository.owner)/\(repository.name)/dispatches", bearer: token.value, userAgent: userAgent)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: payload))

        let started = Date()
        let startedAt = EpochMilliseconds(date: started)
        do {
            let response = try await httpClient.execute(request, timeout: Self.timeout)
            let body = try await response.body.collect(upTo: 1 << 20)
            let seconds = Date().timeIntervalSince(started)
            let status = Int(response.status.code)
            let classified = Self.classify(status: status, headers: response.headers, body: body)
            attempts.append(
                DispatchAttempt(
                    startedAt: startedAt, request: .dispatch, status: status, durationMilliseconds: seconds * 1000,
                    error: classified.outcome == .dispatched ? nil : classified.detail))
            if status == 401 { await tokens.invalidate(token.value) }
            let retryAfter = status < 300 ? nil : RetryAfter.seconds(
                status: status, retryAfter: response.headers.first(name: "Retry-After"),
                rateLimitRemaining: response.headers.first(name: "x-ratelimit-remaining"),
                rateLimitReset: response.headers.first(name: "x-ratelimit-reset"), message: classified.detail,
                now: Date().timeIntervalSince1970)
            return Result(
                outcome: classified.outcome, githubStatus: status, detail: classified.detail,
                errorCode: classified.outcome == .dispatched ? nil : String(status), durationSeconds: seconds,
                attempts: attempts, retryAfterSeconds: retryAfter)
        } catch {
            let seconds = Date().timeIntervalSince(started)
            let timeout = GitHubURL.isTimeout(error)
            let detail = timeout ? "GitHub did not answer within 10s" : "cannot reach GitHub: \(error)"
            attempts.append(
                DispatchAttempt(
                    startedAt: startedAt, request: .dispatch, status: nil, durationMilliseconds: seconds * 1000, error: detail))
            return Result(
                outcome: .dispatchUnavailable, githubStatus: nil, detail: detail,
                errorCode: timeout ? "timeout" : "connection", durationSeconds: seconds, attempts: attempts)
        }
    }

    /// 2xx delivered; rate limiting (429, or 403 with Retry-After or no remaining quota) and 5xx are
    /// transient (Flux should retry); any other 4xx is a configuration problem retrying cannot fix.
    static func classify(status: Int, headers: HTTPHeaders, body: ByteBuffer) -> (outcome: Outcome, detail: String) {
        switch status {
        case 200..<300:
            return (.dispatched, "")
        case 429:
            return (.dispatchUnavailable, "rate limited by GitHub (429): \(GitHubURL.message(in: body))")
        case 403 where headers.first(name: "Retry-After") != nil || headers.first(name: "x-ratelimit-remaining") == "0":
            return (.dispatchUnavailable, "rate limited by GitHub (403): \(GitHubURL.message(in: body))")
        case 404:
            return (
                .dispatchRejected,
                "GitHub answered 404: \(GitHubURL.message(in: body)) (is the GitHub App installed on this repository?)"
            )
        case 400..<500:
            return (.dispatchRejected, "GitHub answered \(status): \(GitHubURL.message(in: body))")
        case 500...:
            return (.dispatchUnavailable, "GitHub answered \(status): \(GitHubURL.message(in: body))")
        default:
            return (.dispatchRejected, "GitHub answered an unexpected \(status)")
        }
    }
}
