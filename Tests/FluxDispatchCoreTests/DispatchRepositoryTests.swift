import FluxDispatchCore
import XCTest

final class DispatchRepositoryTests: XCTestCase {
    private typealias ValidationError = DispatchRepository.ValidationError

    private func validate(_ value: String, allowed: [String] = ["Altinn"]) -> Result<DispatchRepository, ValidationError> {
        do {
            return .success(try DispatchRepository(validating: value, allowedOrganisations: allowed))
        } catch {
            return .failure(error)
        }
    }

    private func error(_ value: String, allowed: [String] = ["Altinn"]) -> ValidationError? {
        if case .failure(let error) = validate(value, allowed: allowed) { return error }
        return nil
    }

    func testValidRepository() throws {
        let repository = try validate("Altinn/dialogporten").get()
        XCTAssertEqual(repository.owner, "Altinn")
        XCTAssertEqual(repository.name, "dialogporten")
        XCTAssertEqual(repository.description, "Altinn/dialogporten")
        XCTAssertEqual("\(repository)", "Altinn/dialogporten")
    }

    func testAllAllowedCharactersAreAccepted() throws {
        let repository = try validate("Org-1_x.y/Repo.name_2-z", allowed: ["Org-1_x.y"]).get()
        XCTAssertEqual(repository.owner, "Org-1_x.y")
        XCTAssertEqual(repository.name, "Repo.name_2-z")
    }

    func testSegmentsWithDotsAndOtherCharactersAreValid() throws {
        XCTAssertEqual(try validate("Altinn/.github").get().name, ".github")
        XCTAssertEqual(try validate("Altinn/a..b").get().name, "a..b")
        XCTAssertEqual(try validate("Altinn/...x").get().name, "...x")
        XCTAssertEqual(try validate("Altinn/x.").get().name, "x.")
    }

    func testMalformedValues() {
        let values = [
            "", "/", "Altinn", "Altinndialogporten", "Altinn/", "/dialogporten", "Altinn//dialogporten",
            "Altinn/dialogporten/extra", "Altinn/a/b", "/Altinn/dialogporten", "Altinn/dialogporten/",
            "Altinn/dialog porten", " Altinn/dialogporten", "Altinn/dialogporten ", "Altinn/dialogporten\n",
            "Altinn/dïalogporten", "Altinn/діалог", "Altinn/repo✓", "Altinn\\dialogporten", "Altinn/dialog:porten",
            "Altinn/dialog%2Fporten", "Altinn/dialog?x=1", "Altinn/dialog#x", "Altinn/dialog\u{0}porten",
            "Altinn/dialog+porten", "Altinn/*",
        ]
        for value in values {
            XCTAssertEqual(error(value), .malformed(value), "\(value.debugDescription)")
        }
    }

    func testUnicodeLookalikeOwnerIsMalformedNotJustDisallowed() {
        // Cyrillic "А" looks like Latin "A".
        XCTAssertEqual(error("\u{410}ltinn/x"), .malformed("\u{410}ltinn/x"))
    }

    func testDotOnlySegments() {
        for value in ["Altinn/..", "Altinn/.", "Altinn/...", "../x", "./x", "../..", "./."] {
            XCTAssertEqual(error(value), .dotSegment(value), value)
        }
    }

    func testCheckOrderIsMalformedThenDotSegmentThenOrganisation() {
        // Malformed wins over a dot segment and a disallowed owner.
        XCTAssertEqual(error("../x/y"), .malformed("../x/y"))
        XCTAssertEqual(error("Evil/../x"), .malformed("Evil/../x"))
        XCTAssertEqual(error("Evil/x y"), .malformed("Evil/x y"))
        // A dot segment wins over a disallowed owner.
        XCTAssertEqual(error("Evil/.."), .dotSegment("Evil/.."))
        XCTAssertEqual(error("../x"), .dotSegment("../x"))
        // Only a well-formed, dot-free value reaches the organisation check.
        XCTAssertEqual(error("Evil/x"), .organisationNotAllowed(owner: "Evil", allowed: ["Altinn"]))
    }

    func testOrganisationIsCaseSensitive() {
        XCTAssertEqual(error("altinn/x"), .organisationNotAllowed(owner: "altinn", allowed: ["Altinn"]))
        XCTAssertEqual(error("ALTINN/x"), .organisationNotAllowed(owner: "ALTINN", allowed: ["Altinn"]))
        XCTAssertNil(error("Altinn/x"))
    }

    func testOrganisationMustMatchExactlyNotByPrefix() {
        XCTAssertEqual(error("Altinn2/x"), .organisationNotAllowed(owner: "Altinn2", allowed: ["Altinn"]))
        XCTAssertEqual(error("Alt/x"), .organisationNotAllowed(owner: "Alt", allowed: ["Altinn"]))
    }

    func testSeveralAllowedOrganisations() throws {
        let allowed = ["Altinn", "digdir"]
        XCTAssertEqual(try validate("digdir/x", allowed: allowed).get().owner, "digdir")
        XCTAssertEqual(try validate("Altinn/x", allowed: allowed).get().owner, "Altinn")
        XCTAssertEqual(error("Digdir/x", allowed: allowed), .organisationNotAllowed(owner: "Digdir", allowed: allowed))
    }

    func testNoAllowedOrganisationsRejectsEverything() {
        XCTAssertEqual(error("Altinn/x", allowed: []), .organisationNotAllowed(owner: "Altinn", allowed: []))
    }

    func testRepositoryNameIsNotCheckedAgainstTheOrganisationList() throws {
        // Only the owner is restricted.
        XCTAssertEqual(try validate("Altinn/Evil").get().name, "Evil")
    }

    func testErrorDescriptionsNameTheValue() {
        XCTAssertTrue(ValidationError.malformed("a b").description.contains("a b"))
        XCTAssertTrue(ValidationError.dotSegment("Altinn/..").description.contains("Altinn/.."))
        let notAllowed = ValidationError.organisationNotAllowed(owner: "Evil", allowed: ["Altinn", "Digdir"])
        XCTAssertTrue(notAllowed.description.contains("Evil"))
        XCTAssertTrue(notAllowed.description.contains("Altinn,Digdir"))
    }

    func testEqualityAndHashing() throws {
        let a = try validate("Altinn/x").get()
        let b = try validate("Altinn/x").get()
        let c = try validate("Altinn/y").get()
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertEqual(Set([a, b, c]).count, 2)
    }
}
