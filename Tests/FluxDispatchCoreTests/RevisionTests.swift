import FluxDispatchCore
import XCTest

final class RevisionTests: XCTestCase {
    // MARK: - Digest

    func testDigestOfTaggedRevision() {
        XCTAssertEqual(Revision.digest(of: "at23@sha256:aa"), "sha256:aa")
        XCTAssertEqual(Revision.digest(of: "at23@sha256:aabbccdd"), "sha256:aabbccdd")
        XCTAssertEqual(Revision.digest(of: "v1.2.3@sha256:0123456789abcdef"), "sha256:0123456789abcdef")
    }

    func testDigestIsFoundAfterFalseStartsAndNonASCII() {
        XCTAssertEqual(Revision.digest(of: "shasha256:aa"), "sha256:aa")
        XCTAssertEqual(Revision.digest(of: "s@sha25@sha256:bb"), "sha256:bb")
        XCTAssertEqual(Revision.digest(of: "prod-ü@sha256:cc"), "sha256:cc")
        XCTAssertEqual(Revision.digest(of: "x@sha256:"), "sha256:")
        XCTAssertEqual(Revision.digest(of: "x@sha256:a@sha256:b"), "sha256:a@sha256:b", "from the first one on")
    }

    func testDigestOfBareDigestIsItself() {
        XCTAssertEqual(Revision.digest(of: "sha256:aa"), "sha256:aa")
    }

    func testDigestWithoutSHA256IsEmpty() {
        XCTAssertEqual(Revision.digest(of: ""), "")
        XCTAssertEqual(Revision.digest(of: "main@abc"), "")
        XCTAssertEqual(Revision.digest(of: "main@sha1:abc"), "")
        XCTAssertEqual(Revision.digest(of: "main/abc1234"), "")
        XCTAssertEqual(Revision.digest(of: "sha256"), "")
    }

    func testDigestOfGitRevisionWithSHA256() {
        // Flux source revisions look like `main@sha1:…`; an OCI one `latest@sha256:…`.
        XCTAssertEqual(Revision.digest(of: "latest@sha256:ff00"), "sha256:ff00")
    }

    // MARK: - Commit SHA

    func testCommitSHAIsTheLastSlashSegment() {
        XCTAssertEqual(Revision.commitSHA(ofOriginRevision: "main/abc1234"), "abc1234")
        XCTAssertEqual(Revision.commitSHA(ofOriginRevision: "main/abc1234def5678"), "abc1234def5678")
        XCTAssertEqual(Revision.commitSHA(ofOriginRevision: "feature/x/abc"), "abc")
        XCTAssertEqual(Revision.commitSHA(ofOriginRevision: "refs/heads/main/0123abc"), "0123abc")
    }

    func testCommitSHAWithoutSlashIsTheWholeValue() {
        XCTAssertEqual(Revision.commitSHA(ofOriginRevision: "abc"), "abc")
    }

    func testCommitSHAOfEmptyIsEmpty() {
        XCTAssertEqual(Revision.commitSHA(ofOriginRevision: ""), "")
    }

    func testCommitSHAWithTrailingSlashIsEmpty() {
        XCTAssertEqual(Revision.commitSHA(ofOriginRevision: "main/"), "")
    }
}
