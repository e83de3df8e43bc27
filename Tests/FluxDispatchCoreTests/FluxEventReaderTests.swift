import FluxDispatchCore
import TestSupport
import XCTest

/// The hand-written reader against the Foundation-based reference on generated bodies, and the
/// places where it follows Go's `json.Unmarshal` on purpose.
final class FluxEventReaderTests: XCTestCase {
    private func parse(_ text: String) throws -> FluxEvent { try FluxEvent.parse(Array(text.utf8)) }

    private func error(_ text: String) -> String? {
        do {
            _ = try FluxEvent.parse(Array(text.utf8))
            return nil
        } catch {
            return error.description
        }
    }

    // MARK: - Against the reference decoder

    func testGeneratedEventsDecodeExactlyAsTheReferenceDoes() {
        var generator = BodyGenerator(seed: 0x5EED)
        var accepted = 0
        for _ in 0..<4_000 {
            let body = Array(generator.event().utf8)
            let expected = ReferenceEvent.decode(body)
            let actual = try? FluxEvent.parse(body)
            XCTAssertEqual(actual, expected, String(decoding: body, as: UTF8.self))
            if actual != nil { accepted += 1 }
        }
        // The generator puts a wrong type in some bodies: both sides must have seen both verdicts.
        XCTAssertGreaterThan(accepted, 1_000)
        XCTAssertLessThan(accepted, 3_900)
    }

    func testDamagedBodiesGetTheReferenceVerdict() {
        var generator = BodyGenerator(seed: 0xDA3A6E)
        var refused = 0
        for _ in 0..<4_000 {
            var body = Array(generator.event(wrongTypes: false).utf8)
            generator.damage(&body)
            let expected = ReferenceEvent.decode(body)
            let actual = try? FluxEvent.parse(body)
            if expected == nil { refused += 1 }
            XCTAssertEqual(actual, expected, "\(body)")
        }
        XCTAssertGreaterThan(refused, 1_000, "damage should usually break the body")
    }

    // MARK: - As Go decodes

    func testARepeatedFieldTakesItsLastValue() throws {
        let event = try parse(#"{"reason": "ReconciliationSucceeded", "message": "a", "reason": "BuildFailed"}"#)
        XCTAssertEqual(event.reason, "BuildFailed")
        XCTAssertEqual(event.message, "a")
    }

    func testFieldNamesMatchWhateverTheirCase() throws {
        let event = try parse(#"{"Reason": "BuildFailed", "METADATA": {"product": "p"}, "involvedobject": {"Name": "apps"}}"#)
        XCTAssertEqual(event.reason, "BuildFailed")
        XCTAssertEqual(event.product, "p")
        XCTAssertEqual(event.involvedObject.name, "apps")
    }

    /// Go folds names with Unicode simple folding, which takes two non-ASCII letters to ASCII ones;
    /// no other non-ASCII letter makes a name match.
    func testFieldNamesFoldTheLongSAndTheKelvinSignAsGoDoes() throws {
        let event = try parse(#"{"rea\#u{17F}on": "BuildFailed", "involvedObject": {"\#u{212A}ind": "HelmRelease", "name\#u{17F}pace": "apps"}}"#)
        XCTAssertEqual(event.reason, "BuildFailed")
        XCTAssertEqual(event.involvedObject.kind, "HelmRelease")
        XCTAssertEqual(event.involvedObject.namespace, "apps")
        XCTAssertEqual(try parse(#"{"rea\u017Fon": "BuildFailed"}"#).reason, "BuildFailed", "escaped, too")
        for name in ["reas\u{17F}on", "re\u{E1}son", "reason\u{17F}", "rea\u{17F}\u{17F}on", "rea\u{212A}on"] {
            XCTAssertEqual(try parse(#"{"\#(name)": "BuildFailed"}"#).reason, "", name)
        }
    }

    func testMetadataKeysAreExactAndRepeatedObjectsMerge() throws {
        let event = try parse(#"{"metadata": {"product": "a", "env": "x"}, "metadata": {"Product": "b", "env": "y", "env": "z"}}"#)
        XCTAssertEqual(event.metadata, ["product": "a", "Product": "b", "env": "z"])
    }

    func testNullLeavesStringsAndClearsMetadata() throws {
        let event = try parse(#"{"reason": "BuildFailed", "reason": null, "metadata": {"product": "p"}, "metadata": null}"#)
        XCTAssertEqual(event.reason, "BuildFailed")
        XCTAssertEqual(event.metadata, [:])
    }

    func testEscapedFieldNamesMatch() throws {
        XCTAssertEqual(try parse(#"{"re\u0061son": "BuildFailed"}"#).reason, "BuildFailed")
    }

    // MARK: - What the errors say

    func testAWrongTypeNamesItsPlaceAndWhatItFound() {
        XCTAssertEqual(error(#"{"reason": 5}"#), "wrong type at reason: expected a string, found a number")
        XCTAssertEqual(error(#"{"metadata": {"env": true}}"#), "wrong type at metadata.env: expected a string, found a boolean")
        XCTAssertEqual(error(#"{"involvedObject": {"name": []}}"#), "wrong type at involvedObject.name: expected a string, found an array")
        XCTAssertEqual(error(#"{"metadata": "x"}"#), "wrong type at metadata: expected an object of strings, found a string")
    }

    func testMalformedJSONIsReportedBeforeAWrongType() {
        XCTAssertEqual(error(#"{"reason": 5, "x": tru}"#), "malformed JSON: unexpected '}' at offset 22 in a literal")
    }

    func testErrorsSayWhereTheBodyWentWrong() {
        XCTAssertEqual(error(#"{"reason": "x",}"#), "malformed JSON: unexpected '}' at offset 15 where a member name belongs")
        XCTAssertEqual(error(#"{"reason" "x"}"#), "malformed JSON: unexpected '\"' at offset 10 where ':' belongs")
        XCTAssertEqual(error(#"{"reason": "x""#), "malformed JSON: the body ends inside an object")
        XCTAssertEqual(error(#"{"a": 01}"#), "malformed JSON: unexpected '1' at offset 7 where ',' or '}' belongs")
        XCTAssertEqual(error("{} {}"), "malformed JSON: unexpected '{' at offset 3 after the event object")
        XCTAssertEqual(error(#"{"reason": "\ud800x"}"#), "malformed JSON: \\u escape of a lone UTF-16 surrogate at offset 12")
        XCTAssertEqual(error(#"{"a": "\q"}"#), "malformed JSON: unexpected 'q' at offset 8 in an escape")
    }

    func testNestingIsBoundedAt512Levels() throws {
        // The event object is level 1, so a field's value may open 511 more.
        let deepest = String(repeating: "[", count: 511) + String(repeating: "]", count: 511)
        XCTAssertEqual(try parse(#"{"x": \#(deepest), "reason": "BuildFailed"}"#).reason, "BuildFailed")
        let tooDeep = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        XCTAssertEqual(error(#"{"x": \#(tooDeep)}"#), "malformed JSON: nested more than 512 levels deep at offset 517")
    }

    func testSurrogatePairsAndEveryEscapeDecode() throws {
        let event = try parse(#"{"message": "\ud83d\ude80 \" \\ \/ \b \f \n \r \t \u00e5 \u0000"}"#)
        XCTAssertEqual(event.message, "🚀 \" \\ / \u{08} \u{0C} \n \r \t å \u{0}")
    }

    func testEveryWellFormedUTF8LengthIsAcceptedAndMalformedOnesAreNot() throws {
        XCTAssertEqual(try parse("{\"message\": \"å ✓ 🚀 \u{10FFFF}\"}").message, "å ✓ 🚀 \u{10FFFF}")
        for bad: [UInt8] in [[0x80], [0xC1, 0xBF], [0xE0, 0x9F, 0x80], [0xF0, 0x8F, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x9C]] {
            let body = Array("{\"message\": \"".utf8) + bad + Array("\"}".utf8)
            XCTAssertThrowsError(try FluxEvent.parse(body), "\(bad)") { error in
                XCTAssertEqual((error as? FluxEventParseError)?.description, "body is not valid UTF-8")
            }
        }
    }
}

/// Random bodies shaped like Flux events: the known fields (sometimes of the wrong type, sometimes
/// null or missing), unknown fields with nested values, and strings with escapes and non-ASCII text.
struct BodyGenerator {
    private var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    private mutating func next() -> UInt64 { random.next() }

    private mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    private mutating func pick<T>(_ options: [T]) -> T { options[below(options.count)] }

    private mutating func space() -> String { pick(["", "", " ", "\n  ", "\t", "\r\n"]) }

    mutating func string() -> String {
        var text = "\""
        for _ in 0..<below(12) {
            text += pick([
                "a", "Z", "9", " ", "/", "-", "sha256:", "å", "✓", "🚀", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e5",
                "\\u2713", "\\ud83d\\ude80", "\\u0000", "\\b",
            ])
        }
        return text + "\""
    }

    private mutating func number() -> String { pick(["0", "-1", "42", "3.25", "-0.5e10", "1E+2", "123456789012345678901234567890"]) }

    mutating func value(depth: Int = 0) -> String {
        switch below(depth > 3 ? 5 : 7) {
        case 0: return string()
        case 1: return number()
        case 2: return pick(["true", "false"])
        case 3: return "null"
        case 4: return string()
        case 5: return "[" + (0..<below(4)).map { _ in space() + value(depth: depth + 1) + space() }.joined(separator: ",") + "]"
        default: return object(depth: depth + 1) { g in g.value(depth: depth + 1) }
        }
    }

    private mutating func object(depth: Int, member: (inout BodyGenerator) -> String) -> String {
        var names: Set<String> = []
        var members: [String] = []
        for _ in 0..<below(5) {
            let name = "\"u\(below(1000))\""
            guard names.insert(name).inserted else { continue }
            members.append(space() + name + space() + ":" + space() + member(&self))
        }
        return "{" + members.joined(separator: ",") + space() + "}"
    }

    /// A string most of the time; with `wrongTypes`, now and then any other value.
    private mutating func stringField(wrongTypes: Bool) -> String {
        switch below(wrongTypes ? 12 : 10) {
        case 0: return "null"
        case 10, 11: return pick([number(), "true", "[]", "{}", "[\"x\"]"])
        default: return string()
        }
    }

    mutating func event(wrongTypes: Bool = true) -> String {
        var members: [String] = []
        func add(_ name: String, _ value: String) { members.append(space() + "\"\(name)\"" + space() + ":" + space() + value) }
        for name in ["severity", "reason", "message", "timestamp", "reportingController"] where below(5) > 0 {
            add(name, stringField(wrongTypes: wrongTypes))
        }
        if below(6) > 0 {
            var object: [String] = []
            for name in ["kind", "name", "namespace"] where below(4) > 0 {
                object.append("\"\(name)\":" + stringField(wrongTypes: wrongTypes))
            }
            if below(3) == 0 { object.append("\"uid\":" + value()) }
            add("involvedObject", below(15) == 0 ? "null" : "{" + object.joined(separator: ",") + "}")
        }
        if below(8) > 0 {
            var keys: Set<String> = []
            var entries: [String] = []
            for _ in 0..<below(8) {
                let key = pick(["\"product\"", "\"env\"", "\"dispatch_repo\"", "\"k\\u00e5\"", "\"kustomize.toolkit.fluxcd.io/revision\"", string()])
                guard keys.insert(key).inserted else { continue }
                entries.append(key + ":" + stringField(wrongTypes: wrongTypes))
            }
            add("metadata", below(15) == 0 ? "null" : "{" + entries.joined(separator: ",") + "}")
        }
        for _ in 0..<below(3) { add("extra\(below(100_000))", value()) }
        // Shuffle the members: order must not matter.
        for i in members.indices.reversed() where i > 0 { members.swapAt(i, below(i + 1)) }
        return space() + "{" + members.joined(separator: ",") + space() + "}" + space()
    }

    /// One random change: a byte replaced, inserted or removed, or the body cut short.
    mutating func damage(_ body: inout [UInt8]) {
        guard !body.isEmpty else { return }
        let at = below(body.count)
        let byte = pick(Array("{}[]\":,\\ 0en-.\u{7F}".utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xFF])
        switch below(4) {
        case 0: body[at] = byte
        case 1: body.insert(byte, at: at)
        case 2: body.remove(at: at)
        default: body.removeSubrange(at...)
        }
    }
}
