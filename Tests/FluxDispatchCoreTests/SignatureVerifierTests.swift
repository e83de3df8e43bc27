import Crypto
import FluxDispatchCore
import Foundation
import XCTest

final class SignatureVerifierTests: XCTestCase {
    private let token = Array("s3cr3t-flux-token".utf8)
    private let body = Array(Fixtures.specExampleBody.utf8)

    /// HMAC-SHA256 of `body` under `token`, computed here, independently of the verifier.
    private func hex(_ body: [UInt8], token: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: token))
        return Data(mac).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }.joined()
    }

    private var verifier: SignatureVerifier { SignatureVerifier(token: token) }

    private func failure(_ header: String?, body: [UInt8]? = nil, file: StaticString = #filePath, line: UInt = #line)
        -> SignatureVerifier.Failure?
    {
        do {
            try verifier.verify(signatureHeader: header, body: body ?? self.body)
            XCTFail("header \(String(describing: header)) was accepted", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testKnownAnswerFromRFC4231() throws {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let verifier = SignatureVerifier(token: Array("Jefe".utf8))
        let data = Array("what do ya want for nothing?".utf8)
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        XCTAssertEqual(verifier.signatureHeader(for: data), "sha256=" + expected)
        XCTAssertNoThrow(try verifier.verify(signatureHeader: "sha256=" + expected, body: data))
        XCTAssertEqual(hex(data, token: Array("Jefe".utf8)), expected)
    }

    func testAcceptsLowercaseHexWithPrefix() {
        XCTAssertNoThrow(try verifier.verify(signatureHeader: "sha256=" + hex(body, token: token), body: body))
    }

    func testAcceptsUppercaseHexWithPrefix() {
        XCTAssertNoThrow(try verifier.verify(signatureHeader: "sha256=" + hex(body, token: token).uppercased(), body: body))
    }

    func testAcceptsMixedCaseHex() {
        let mixed = hex(body, token: token).enumerated().map { $0.offset.isMultiple(of: 2) ? $0.element.uppercased() : String($0.element) }.joined()
        XCTAssertNoThrow(try verifier.verify(signatureHeader: "sha256=" + mixed, body: body))
    }

    func testAcceptsBareHex() {
        XCTAssertNoThrow(try verifier.verify(signatureHeader: hex(body, token: token), body: body))
        XCTAssertNoThrow(try verifier.verify(signatureHeader: hex(body, token: token).uppercased(), body: body))
    }

    func testAlgorithmNameIsCaseInsensitive() {
        XCTAssertNoThrow(try verifier.verify(signatureHeader: "SHA256=" + hex(body, token: token), body: body))
        XCTAssertNoThrow(try verifier.verify(signatureHeader: "Sha256=" + hex(body, token: token), body: body))
    }

    func testAnAlgorithmNameThatOnlyLooksLikeSHA256IsUnsupported() {
        let mac = hex(body, token: token)
        // Control bytes one bit away from the digits (0x12 | 0x20 is "2"), and a Unicode lookalike.
        XCTAssertEqual(failure("sha\u{12}56=" + mac), .unsupportedAlgorithm("sha\u{12}56"))
        XCTAssertEqual(failure("sha25\u{16}=" + mac), .unsupportedAlgorithm("sha25\u{16}"))
        XCTAssertEqual(failure("ſha256=" + mac), .unsupportedAlgorithm("ſha256"))
    }

    func testOneVerifierChecksManyBodiesIndependently() {
        // The keyed HMAC is copied per body: nothing of one body may leak into the next.
        let verifier = self.verifier
        let other = Array("{\"reason\":\"BuildFailed\"}".utf8)
        for _ in 0..<3 {
            XCTAssertNoThrow(try verifier.verify(signatureHeader: hex(body, token: token), body: body))
            XCTAssertNoThrow(try verifier.verify(signatureHeader: hex(other, token: token), body: other))
            XCTAssertThrowsError(try verifier.verify(signatureHeader: hex(other, token: token), body: body))
        }
    }

    func testSurroundingWhitespaceIsTolerated() {
        XCTAssertNoThrow(try verifier.verify(signatureHeader: "  sha256=" + hex(body, token: token) + " ", body: body))
    }

    func testOtherAlgorithmsAreUnsupported() {
        let mac = hex(body, token: token)
        XCTAssertEqual(failure("sha1=" + mac), .unsupportedAlgorithm("sha1"))
        XCTAssertEqual(failure("sha512=" + mac), .unsupportedAlgorithm("sha512"))
        XCTAssertEqual(failure("md5=abc"), .unsupportedAlgorithm("md5"))
        XCTAssertEqual(failure("sha-256=" + mac), .unsupportedAlgorithm("sha-256"))
        XCTAssertEqual(failure("=" + mac), .unsupportedAlgorithm(""))
        // A correct MAC does not rescue a wrong algorithm name.
        XCTAssertEqual(failure("sha1=" + String(repeating: "0", count: 40)), .unsupportedAlgorithm("sha1"))
    }

    func testMissingHeader() {
        XCTAssertEqual(failure(nil), .missing)
        XCTAssertEqual(failure(""), .missing)
        XCTAssertEqual(failure("   "), .missing)
    }

    func testMalformedHex() {
        let mac = hex(body, token: token)
        XCTAssertEqual(failure("sha256="), .malformed)
        XCTAssertEqual(failure("sha256=zz" + mac.dropFirst(2)), .malformed, "non-hex digits")
        XCTAssertEqual(failure("sha256=" + mac.dropLast()), .malformed, "odd length")
        XCTAssertEqual(failure("sha256=" + mac.dropLast(2)), .malformed, "31 bytes")
        XCTAssertEqual(failure("sha256=" + mac + "00"), .malformed, "33 bytes")
        XCTAssertEqual(failure("sha256=" + mac + mac), .malformed, "64 bytes")
        XCTAssertEqual(failure("sha256=0x" + mac.dropFirst(2)), .malformed)
        XCTAssertEqual(failure("sha256= " + mac), .malformed, "space inside")
        XCTAssertEqual(failure("sha256=sha256=" + mac), .malformed, "prefix twice")
        XCTAssertEqual(failure("not-a-signature"), .malformed)
        XCTAssertEqual(failure(String(mac.dropLast()) + "é"), .malformed, "non-ASCII")
    }

    func testWrongTokenIsAMismatch() {
        XCTAssertEqual(failure("sha256=" + hex(body, token: Array("other-token".utf8))), .mismatch)
        XCTAssertEqual(failure("sha256=" + hex(body, token: [])), .mismatch)
    }

    func testAlteredBodyIsAMismatch() {
        let header = "sha256=" + hex(body, token: token)
        var altered = body
        altered[altered.count / 2] ^= 0x01
        XCTAssertEqual(failure(header, body: altered), .mismatch)
        XCTAssertEqual(failure(header, body: body + [0x0A]), .mismatch, "a trailing newline changes the MAC")
        XCTAssertEqual(failure(header, body: Array(body.dropLast())), .mismatch)
        XCTAssertEqual(failure(header, body: []), .mismatch)
    }

    func testAllZeroMACIsAMismatch() {
        XCTAssertEqual(failure("sha256=" + String(repeating: "0", count: 64)), .mismatch)
    }

    func testEveryFlippedHexDigitIsAMismatch() {
        let mac = Array(hex(body, token: token))
        for index in stride(from: 0, to: mac.count, by: 7) {
            var flipped = mac
            flipped[index] = flipped[index] == "0" ? "1" : "0"
            XCTAssertEqual(failure("sha256=" + String(flipped)), .mismatch, "digit \(index)")
        }
    }

    func testSignatureHeaderRoundTrips() {
        let header = verifier.signatureHeader(for: body)
        XCTAssertEqual(header, "sha256=" + hex(body, token: token))
        XCTAssertTrue(header.hasPrefix("sha256="))
        XCTAssertEqual(header.count, "sha256=".count + 64)
        XCTAssertNoThrow(try verifier.verify(signatureHeader: header, body: body))
        XCTAssertNoThrow(try verifier.verify(signatureHeader: verifier.signatureHeader(for: []), body: [UInt8]()))
        XCTAssertEqual(
            SignatureVerifier(token: Array("other".utf8)).signatureHeader(for: body) == header, false)
    }

    func testWorksWithDataAndArrays() {
        let header = verifier.signatureHeader(for: Data(body))
        XCTAssertEqual(header, verifier.signatureHeader(for: body))
        XCTAssertNoThrow(try verifier.verify(signatureHeader: header, body: Data(body)))
        XCTAssertNoThrow(try SignatureVerifier(token: Data(token)).verify(signatureHeader: header, body: body))
    }

    func testLongTokenIsHashedAsHMACRequires() {
        // Keys longer than the SHA-256 block (64 bytes) are hashed first; both sides must agree.
        let longToken = Array(repeating: UInt8(ascii: "k"), count: 200)
        let verifier = SignatureVerifier(token: longToken)
        XCTAssertNoThrow(try verifier.verify(signatureHeader: "sha256=" + hex(body, token: longToken), body: body))
    }

    /// Two `X-Signature` fields reach the verifier joined with ", ", as HTTP joins repeated fields.
    /// Refused with a message that says so, even when both are the valid signature.
    func testRepeatedSignatureIsRefusedAndSaysSo() {
        let mac = "sha256=" + hex(body, token: token)
        XCTAssertEqual(failure(mac + ", " + mac), .repeated, "the valid signature twice")
        XCTAssertEqual(failure(mac + ", sha256=" + String(repeating: "0", count: 64)), .repeated, "valid first")
        XCTAssertEqual(failure("sha256=" + String(repeating: "0", count: 64) + ", " + mac), .repeated, "valid second")
        XCTAssertEqual(failure(mac + ","), .repeated, "a trailing comma")
        XCTAssertTrue(SignatureVerifier.Failure.repeated.description.contains("more than one X-Signature"))
    }

    func testFailureDescriptions() {
        XCTAssertTrue(SignatureVerifier.Failure.unsupportedAlgorithm("sha1").description.contains("sha1"))
        for failure in [SignatureVerifier.Failure.missing, .malformed, .repeated, .mismatch, .unsupportedAlgorithm("x")] {
            XCTAssertFalse(failure.description.isEmpty)
        }
    }
}
