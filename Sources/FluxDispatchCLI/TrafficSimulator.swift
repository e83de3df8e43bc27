import AsyncHTTPClient
import FluxDispatchCore
import Foundation
import GitHubStandIn
import NIOCore

/// Posts realistic, signed Flux events for `demo`: new deploys, Flux re-emitting the same digest,
/// build and health-check failures with real-looking messages, recoveries, a few bad signatures,
/// and now and then a burst of GitHub 5xx answers.
final class TrafficSimulator: Sendable {
    struct Counts: Sendable {
        var posted = 0
        var badSignatures = 0
        var errors = 0
    }

    static let products = ["dialogporten", "correspondence", "authentication", "storage"]
    static let environments = ["at23", "tt02", "yt01", "prod"]

    let url: String
    let signer: SignatureVerifier
    let github: GitHubStandIn
    let rate: Double

    init(url: String, token: [UInt8], github: GitHubStandIn, rate: Double) {
        self.url = url
        self.signer = SignatureVerifier(token: token)
        self.github = github
        self.rate = rate
    }

    private struct Environment {
        var digest = 0
        var failing = false
        var last: [UInt8]?
    }

    /// Runs until cancelled; returns what was sent.
    func run() async -> Counts {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var counts = Counts()
        var environments: [String: Environment] = [:]
        var random = SystemRandomNumberGenerator()
        var tick = 0
        // A fixed opening so the first seconds already show a dispatch, a duplicate, a failure, a
        // rejected dispatch and a bad signature, however short the run.
        var opening: [(String, String, String)] = [
            ("dialogporten", "at23", "deploy"), ("dialogporten", "at23", "repeat"), ("storage", "tt02", "fail"),
            ("correspondence", "yt01", "deploy"), ("authentication", "at23", "deploy"), ("storage", "tt02", "repeat"),
            ("correspondence", "yt01", "badSignature"),
        ]
        while !Task.isCancelled {
            tick += 1
            let product: String
            let environment: String
            var scenario: String
            if !opening.isEmpty {
                (product, environment, scenario) = opening.removeFirst()
            } else {
                product = Self.products.randomElement(using: &random)!
                environment = Self.environments.randomElement(using: &random)!
                let roll = Double.random(in: 0..<1, using: &random)
                switch roll {
                case ..<0.35: scenario = "deploy"
                case ..<0.65: scenario = "repeat"
                case ..<0.80: scenario = "fail"
                case ..<0.84: scenario = "badSignature"
                default: scenario = "progressing"
                }
            }
            let key = "\(product)/\(environment)"
            var state = environments[key] ?? Environment()
            if state.failing, scenario == "deploy" || (scenario == "repeat" && Bool.random(using: &random)) {
                scenario = "recover"
            }
            if tick % 45 == 0 {
                // A short GitHub outage for one repository: the next dispatches answer 502/503.
                let repo = "Altinn/" + Self.products.randomElement(using: &random)!
                github.script(
                    [.init(status: 502, message: "Server Error"), .init(status: 503, message: "Service Unavailable")], for: repo)
            }
            var body: [UInt8]
            var signature: String
            switch scenario {
            case "repeat" where state.last != nil:
                body = state.last!
                signature = signer.signatureHeader(for: body)
            case "fail":
                state.digest += 1
                state.failing = true
                let (reason, message) = Self.failure(product: product, environment: environment, using: &random)
                body = Self.event(product, environment, reason: reason, digest: state.digest, eventType: "flux-deploy-failed", message: message)
                signature = signer.signatureHeader(for: body)
                state.last = body
            case "progressing":
                body = Self.event(
                    product, environment, reason: "Progressing", digest: state.digest, eventType: "flux-deploy",
                    message: "Reconciliation in progress")
                signature = signer.signatureHeader(for: body)
            default:  // deploy, recover, badSignature, or a repeat with nothing to repeat
                state.digest += 1
                state.failing = false
                body = Self.event(
                    product, environment, reason: "ReconciliationSucceeded", digest: state.digest, eventType: "flux-deploy",
                    message: "Applied revision \(environment)@sha256:\(Self.digest(product, environment, state.digest))")
                signature = signer.signatureHeader(for: body)
                if scenario == "badSignature" {
                    signature = "sha256=" + String(repeating: "0", count: 64)
                    counts.badSignatures += 1
                } else {
                    state.last = body
                }
            }
            environments[key] = state
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "X-Signature", value: signature)
            request.body = .bytes(ByteBuffer(bytes: body))
            do {
                let response = try await client.execute(request, timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 1 << 16)
                counts.posted += 1
            } catch {
                if Task.isCancelled { break }
                counts.errors += 1
            }
            let jitter = Double.random(in: 0.5...1.5, using: &random)
            try? await Task.sleep(for: .milliseconds(Int64(1000 / rate * jitter)))
        }
        try? await client.shutdown()
        return counts
    }

    static func digest(_ product: String, _ environment: String, _ n: Int) -> String {
        let seed = product.utf8.reduce(UInt64(1469598103934665603)) { ($0 ^ UInt64($1)) &* 1099511628211 }
        return String(format: "%016llx", seed ^ UInt64(n) &* 0x9E3779B97F4A7C15 ^ UInt64(environment.utf8.count))
    }

    static func event(_ product: String, _ environment: String, reason: String, digest n: Int, eventType: String, message: String) -> [UInt8] {
        let revision = "\(environment)@sha256:\(digest(product, environment, n))"
        let object: [String: Any] = [
            "involvedObject": ["kind": "Kustomization", "name": "\(product)-apps", "namespace": "product-\(product)"],
            "severity": reason == "ReconciliationSucceeded" || reason == "Progressing" ? "info" : "error",
            "reason": reason, "message": message,
            "metadata": [
                "kustomize.toolkit.fluxcd.io/originRevision": "main/\(digest(product, "commit", n).prefix(12))",
                "kustomize.toolkit.fluxcd.io/revision": revision, "product": product, "env": environment,
                "dispatch_repo": "Altinn/\(product)", "dispatch_event": eventType,
            ],
            "timestamp": ISO8601DateFormatter().string(from: Date()), "reportingController": "kustomize-controller",
        ]
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data())
    }

    static func failure(product: String, environment: String, using random: inout SystemRandomNumberGenerator) -> (String, String) {
        let failures = [
            ("HealthCheckFailed",
             "health check failed after 5m0s: timeout waiting for: [Deployment/product-\(product)/\(product)-api status: 'InProgress']"),
            ("BuildFailed",
             "kustomize build failed: accumulating resources: accumulation err='accumulating resources from './\(environment)': '/tmp/kustomization-1/\(environment)' must resolve to a file'"),
            ("ReconciliationFailed",
             "Deployment/product-\(product)/\(product)-api dry-run failed: spec.template.spec.containers[0].image: Required value"),
            ("HealthCheckFailed",
             "health check failed after 2m0s: failed early due to stalled resources: [Deployment/product-\(product)/\(product)-worker status: 'Failed']"),
        ]
        return failures.randomElement(using: &random)!
    }
}
