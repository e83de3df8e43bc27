import AsyncHTTPClient
import Foundation
import GitHubStandIn
import NIOCore
import XCTest

/// The stand-in as the `github-standin` command runs it for benchmarks and soaks: it answers like
/// GitHub but keeps no dispatch, so its memory stays flat however long it runs.
final class GitHubStandInTests: XCTestCase {
    func testACountingStandInAnswersDispatchesWithoutKeepingThem() async throws {
        let harness = try ReceiverHarness(keepsDispatches: false)
        try await harness.start()
        for digest in ["aa01", "aa02", "aa03"] {
            let answer = try await harness.post(FluxEventBody(digest: digest, message: "Applied revision at23@sha256:\(digest)").json)
            XCTAssertEqual(answer.outcome, "dispatched", "the stand-in answered 204")
        }
        XCTAssertEqual(harness.github.requestCount(to: "Altinn/dialogporten"), 3)
        XCTAssertTrue(harness.github.dispatches.isEmpty, "no dispatch kept")
        await harness.stop()
    }

    /// The stand-in refuses a dispatch body as GitHub does (422), so a receiver that wrote one
    /// wrongly would fail its tests instead of passing against a lenient stand-in.
    func testDispatchBodiesAreCheckedAsGitHubChecksThem() async throws {
        let harness = try ReceiverHarness()
        try await harness.startGitHub()
        let base = "http://127.0.0.1:\(harness.gitHubPort)"
        func post(_ path: String, bearer: String, body: String) async throws -> (status: Int, body: String) {
            var request = HTTPClientRequest(url: base + path)
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(bearer)")
            request.body = .bytes(ByteBuffer(string: body))
            let response = try await harness.http.execute(request, timeout: .seconds(10))
            return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 16)))
        }
        // An RS256 App JWT's shape is all the token endpoint looks at.
        let header = Data(#"{"alg":"RS256","typ":"JWT"}"#.utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let minted = try await post("/app/installations/1/access_tokens", bearer: "\(header).e30.c2ln", body: "")
        XCTAssertEqual(minted.status, 201, minted.body)
        let token = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(minted.body.utf8)) as? [String: Any])?["token"] as? String)

        let payload = (1...10).map { #""p\#($0)":"v""# }.joined(separator: ",")
        let accepted = try await post("/repos/Altinn/app/dispatches", bearer: token, body: #"{"event_type":"flux-deploy","client_payload":{\#(payload)}}"#)
        XCTAssertEqual(accepted.status, 204, accepted.body)
        XCTAssertEqual(harness.github.dispatches.first?.clientPayload.count, 10)
        XCTAssertEqual(harness.github.dispatches.first?.eventType, "flux-deploy")

        let refused = [
            #"{"client_payload":{}}"#,
            #"{"event_type":"","client_payload":{}}"#,
            #"{"event_type":"\#(String(repeating: "e", count: 101))","client_payload":{}}"#,
            #"{"event_type":"flux-deploy","client_payload":{\#(payload),"p11":"v"}}"#,
            #"{"event_type":"flux-deploy","client_payload":{"count":1}}"#,
            #"{"event_type":"flux-deploy"}"#,
            "not json",
        ]
        for body in refused {
            let answer = try await post("/repos/Altinn/app/dispatches", bearer: token, body: body)
            XCTAssertEqual(answer.status, 422, body)
        }
        let unknownToken = try await post("/repos/Altinn/app/dispatches", bearer: "ghs_unknown", body: "{}")
        XCTAssertEqual(unknownToken.status, 401)
        XCTAssertEqual(harness.github.dispatches.count, 1)
        XCTAssertEqual(harness.github.requestCount(to: "Altinn/app"), 1 + refused.count)
        await harness.stop()
    }
}
