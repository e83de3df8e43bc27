import ArgumentParser
import AsyncHTTPClient
import FluxDispatchCore
import FluxDispatchReceiver
import Foundation
import NIOCore

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Sign a Flux event as Flux's generic-hmac provider would, post it, and print the answer.",
        discussion: """
            For product teams testing their Alert and workflow wiring. The body is sent byte for byte; \
            X-Signature is sha256=HMAC-SHA256(body) under the token in --token-file. Exit code 0 for a 2xx \
            answer, 1 otherwise, 2 for a bad file or URL.

            Examples:
              flux-dispatch send --example > event.json
              flux-dispatch send event.json --url http://localhost:8080/flux-events --token-file token
              flux-dispatch send --example | flux-dispatch send - --token-file token
            """
    )

    @Argument(help: "File with the event JSON, or - for standard input.")
    var file: String?

    @Option(help: "Receiver URL.")
    var url = "http://127.0.0.1:8080/flux-events"

    @Option(name: .customLong("token-file"), help: "HMAC token file; without it the event is sent unsigned.")
    var tokenFile: String?

    @Flag(help: "Print a ready example event and exit.")
    var example = false

    static let exampleEvent = """
        {
          "involvedObject": {"kind": "Kustomization", "name": "dialogporten-apps", "namespace": "product-dialogporten"},
          "severity": "info",
          "reason": "ReconciliationSucceeded",
          "message": "Applied revision at23@sha256:aabbccdd",
          "metadata": {
            "kustomize.toolkit.fluxcd.io/originRevision": "main/abc1234def5678",
            "kustomize.toolkit.fluxcd.io/revision": "at23@sha256:aabbccdd",
            "product": "dialogporten",
            "env": "at23",
            "dispatch_repo": "Altinn/dialogporten",
            "dispatch_event": "flux-deploy"
          },
          "timestamp": "2026-03-05T12:00:00Z",
          "reportingController": "kustomize-controller"
        }
        """

    func run() async throws {
        if example {
            print(Self.exampleEvent)
            return
        }
        guard let file else { throw ValidationError("give a FILE (or - for standard input), or --example") }
        let body: [UInt8]
        if file == "-" {
            body = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else {
            guard let data = FileManager.default.contents(atPath: file) else { fail(2, "cannot read \(file)") }
            body = Array(data)
        }
        guard let target = URL(string: url), let scheme = target.scheme, scheme == "http" || scheme == "https" else {
            fail(2, "--url: \"\(url)\" is not an http(s) URL")
        }
        var request = HTTPClientRequest(url: target.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "flux-dispatch-send")
        if let tokenFile {
            do {
                let token = try HMACTokenFile.read(tokenFile)
                request.headers.add(name: "X-Signature", value: SignatureVerifier(token: token).signatureHeader(for: body))
            } catch {
                fail(2, "--token-file: \(error.problem)")
            }
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let status: UInt
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            let answer = try await response.body.collect(upTo: 1 << 20)
            status = response.status.code
            print("\(response.status.code) \(response.status.reasonPhrase)")
            // Whatever the server answered, shown and never acted on by the terminal.
            print(TerminalText.printable(String(buffer: answer).trimmingCharacters(in: .whitespacesAndNewlines), keepingLineBreaks: true))
        } catch {
            try? await client.shutdown()
            fail(1, "cannot post to \(url): \(error)")
        }
        try await client.shutdown()
        if !(200..<300).contains(status) { throw ExitCode(1) }
    }
}
