/// Reads one Flux event from a request body in a single pass over its bytes: a strict RFC 8259
/// reader that knows the event's shape.
///
/// Written by hand because it runs for every request and Foundation's `JSONDecoder` was the largest
/// single cost on the receiver's hot path (it builds a tree of the whole document, then decodes
/// from it). This reader validates the whole body — every byte of it, unknown fields included, as
/// JSON and as UTF-8 — but only builds the strings it keeps.
///
/// It decodes as the reference Go service's `json.Unmarshal` does:
/// - field names match case-insensitively (`"Reason"` is `reason`), with Go's folding (so the long
///   s `ſ` is an `s` and the Kelvin sign a `k`);
/// - a field given twice takes its last value; two `metadata` objects merge, later keys winning;
/// - `null` leaves a string or `involvedObject` field as it was, clears `metadata`, and is `""` as
///   a metadata value;
/// - a value of the wrong type (a number where a string belongs) fails the event, but only once the
///   whole body is known to be well-formed JSON, so a malformed body is always reported as such.
///
/// It is stricter than Go in two places, both refusing what cannot be stored faithfully: invalid
/// UTF-8 anywhere in the body, and a `\u` escape of a lone UTF-16 surrogate.
struct FluxEventReader {
    /// Flux nests two levels; this bound only keeps hostile input from exhausting the stack.
    static let maxDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    /// The first wrong-typed value, reported once the body has been read to the end.
    private var typeError: FluxEventParseError?
    /// Reused for strings with escapes.
    private var scratch: [UInt8] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func readEvent() throws(FluxEventParseError) -> FluxEvent {
        skipWhitespace()
        guard index < bytes.count else { throw FluxEventParseError(description: "empty body") }
        guard bytes[index] == UInt8(ascii: "{") else {
            throw FluxEventParseError(description: "body is not a JSON object")
        }
        var event = FluxEvent()
        try readObject(depth: 1) { (reader, key) throws(FluxEventParseError) in
            switch TopLevelField(key) {
            case .involvedObject?:
                try reader.readInvolvedObject(into: &event.involvedObject)
            case .severity?: try reader.readString(into: &event.severity, path: "severity")
            case .reason?: try reader.readString(into: &event.reason, path: "reason")
            case .message?: try reader.readString(into: &event.message, path: "message")
            case .timestamp?: try reader.readString(into: &event.timestamp, path: "timestamp")
            case .reportingController?:
                try reader.readString(into: &event.reportingController, path: "reportingController")
            case .metadata?:
                try reader.readMetadata(into: &event.metadata)
            case nil:
                try reader.skipValue(depth: 2)
            }
        }
        skipWhitespace()
        if index < bytes.count { throw syntaxError("after the event object") }
        if let typeError { throw typeError }
        return event
    }

    // MARK: - The event's parts

    private enum TopLevelField {
        case involvedObject, severity, reason, message, metadata, timestamp, reportingController

        init?(_ key: Key) {
            if key.equalsIgnoringASCIICase("reason") { self = .reason }
            else if key.equalsIgnoringASCIICase("metadata") { self = .metadata }
            else if key.equalsIgnoringASCIICase("message") { self = .message }
            else if key.equalsIgnoringASCIICase("severity") { self = .severity }
            else if key.equalsIgnoringASCIICase("timestamp") { self = .timestamp }
            else if key.equalsIgnoringASCIICase("involvedObject") { self = .involvedObject }
            else if key.equalsIgnoringASCIICase("reportingController") { self = .reportingController }
            else { return nil }
        }
    }

    private mutating func readInvolvedObject(into object: inout FluxEvent.InvolvedObject) throws(FluxEventParseError) {
        switch peekKind() {
        case .null: try expectLiteral("null")
        case .object:
            try readObject(depth: 2) { (reader, key) throws(FluxEventParseError) in
                if key.equalsIgnoringASCIICase("kind") {
                    try reader.readString(into: &object.kind, path: "involvedObject.kind")
                } else if key.equalsIgnoringASCIICase("name") {
                    try reader.readString(into: &object.name, path: "involvedObject.name")
                } else if key.equalsIgnoringASCIICase("namespace") {
                    try reader.readString(into: &object.namespace, path: "involvedObject.namespace")
                } else {
                    try reader.skipValue(depth: 3)
                }
            }
        case let other:
            try wrongType(at: "involvedObject", expected: "an object", found: other, depth: 2)
        }
    }

    private mutating func readMetadata(into metadata: inout [String: String]) throws(FluxEventParseError) {
        switch peekKind() {
        case .null:
            try expectLiteral("null")
            metadata = [:]
        case .object:
            try readObject(depth: 2) { (reader, key) throws(FluxEventParseError) in
                let name = reader.string(key)
                switch reader.peekKind() {
                case .string: metadata[name] = try reader.readString()
                case .null:
                    try reader.expectLiteral("null")
                    metadata[name] = ""
                case let other:
                    try reader.wrongType(at: "metadata.\(name)", expected: "a string", found: other, depth: 3)
                }
            }
        case let other:
            try wrongType(at: "metadata", expected: "an object of strings", found: other, depth: 2)
        }
    }

    /// A string field: set from a string, left alone for `null`, a type error for anything else.
    private mutating func readString(into field: inout String, path: @autoclosure () -> String) throws(FluxEventParseError) {
        switch peekKind() {
        case .string: field = try readString()
        case .null: try expectLiteral("null")
        case let other: try wrongType(at: path(), expected: "a string", found: other, depth: 2)
        }
    }

    /// Notes the first type error and skips the value, so the rest of the body is still checked.
    private mutating func wrongType(at path: String, expected: String, found: ValueKind, depth: Int) throws(FluxEventParseError) {
        if found == .invalid { throw syntaxError("where a value belongs") }
        if typeError == nil {
            typeError = FluxEventParseError(description: "wrong type at \(path): expected \(expected), found \(found.name)")
        }
        try skipValue(depth: depth)
    }

    // MARK: - JSON

    private enum ValueKind {
        case object, array, string, number, bool, null, invalid

        var name: String {
            switch self {
            case .object: "an object"
            case .array: "an array"
            case .string: "a string"
            case .number: "a number"
            case .bool: "a boolean"
            case .null: "null"
            case .invalid: "an invalid value"
            }
        }
    }

    /// What the next value is, by its first byte (after whitespace).
    private mutating func peekKind() -> ValueKind {
        skipWhitespace()
        guard index < bytes.count else { return .invalid }
        switch bytes[index] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        default: return .invalid
        }
    }

    /// A member name: where its bytes are when it has no escapes (most do), else the decoded text.
    struct Key {
        var raw: UnsafeBufferPointer<UInt8>?
        var decoded: String?

        func equalsIgnoringASCIICase(_ name: StaticString) -> Bool {
            if let raw { return Self.equal(raw, name) }
            var text = decoded!
            return text.withUTF8 { Self.equal($0, name) }
        }

        private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
            let expected = name.utf8Start
            let count = name.utf8CodeUnitCount
            // A longer key can still match through one of the two non-ASCII letters that Go's case
            // folding (Unicode simple folding, as `json.Unmarshal` matches names) takes to ASCII
            // ones: U+017F LATIN SMALL LETTER LONG S is `s`, U+212A KELVIN SIGN is `k`.
            guard bytes.count >= count else { return false }
            var i = 0
            for j in 0..<count {
                // Setting bit 5 lowers an ASCII capital; the names compared against are all letters.
                let letter = expected[j] | 0x20
                guard i < bytes.count else { return false }
                if bytes[i] | 0x20 == letter {
                    i += 1
                } else if letter == UInt8(ascii: "s"), i + 1 < bytes.count, bytes[i] == 0xC5, bytes[i + 1] == 0xBF {
                    i += 2
                } else if letter == UInt8(ascii: "k"), i + 2 < bytes.count, bytes[i] == 0xE2, bytes[i + 1] == 0x84, bytes[i + 2] == 0xAA {
                    i += 3
                } else {
                    return false
                }
            }
            return i == bytes.count
        }
    }

    private func string(_ key: Key) -> String {
        if let raw = key.raw { return String(decoding: raw, as: UTF8.self) }
        return key.decoded!
    }

    /// Reads `{ "key": value, … }`, calling `member` with the reader positioned at each value.
    private mutating func readObject(
        depth: Int, _ member: (inout FluxEventReader, Key) throws(FluxEventParseError) -> Void
    ) throws(FluxEventParseError) {
        try readElements(depth: depth, close: UInt8(ascii: "}"), container: "an object") { (reader) throws(FluxEventParseError) in
            reader.skipWhitespace()
            guard reader.index < reader.bytes.count, reader.bytes[reader.index] == UInt8(ascii: "\"") else {
                throw reader.syntaxError("where a member name belongs")
            }
            let key = try reader.readKey()
            reader.skipWhitespace()
            guard reader.index < reader.bytes.count, reader.bytes[reader.index] == UInt8(ascii: ":") else {
                throw reader.syntaxError("where ':' belongs")
            }
            reader.index += 1
            reader.skipWhitespace()
            try member(&reader, key)
        }
    }

    /// The elements of an object or an array, from its opening byte to `close`: `element` for each,
    /// with commas between.
    private mutating func readElements(
        depth: Int, close: UInt8, container: String, _ element: (inout FluxEventReader) throws(FluxEventParseError) -> Void
    ) throws(FluxEventParseError) {
        if depth > Self.maxDepth { throw tooDeep() }
        index += 1  // { or [
        skipWhitespace()
        if index < bytes.count, bytes[index] == close {
            index += 1
            return
        }
        while true {
            try element(&self)
            skipWhitespace()
            guard index < bytes.count else { throw syntaxError("inside \(container)") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case close:
                index += 1
                return
            default: throw syntaxError("where ',' or '\(Character(Unicode.Scalar(close)))' belongs")
            }
        }
    }

    private mutating func skipValue(depth: Int) throws(FluxEventParseError) {
        switch peekKind() {
        case .object:
            try readObject(depth: depth) { (reader, _) throws(FluxEventParseError) in try reader.skipValue(depth: depth + 1) }
        case .array:
            try readElements(depth: depth, close: UInt8(ascii: "]"), container: "an array") { (reader) throws(FluxEventParseError) in
                try reader.skipValue(depth: depth + 1)
            }
        case .string: _ = try scanString(keep: false)
        case .number: try skipNumber()
        case .bool: try expectLiteral(bytes[index] == UInt8(ascii: "t") ? "true" : "false")
        case .null: try expectLiteral("null")
        case .invalid: throw syntaxError("where a value belongs")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(FluxEventParseError) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw syntaxError("in a literal") }
        for i in 0..<count where bytes[index + i] != literal.utf8Start[i] {
            index += i
            throw syntaxError("in a literal")
        }
        index += count
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func skipNumber() throws(FluxEventParseError) {
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw syntaxError("in a number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw syntaxError("in a number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw syntaxError("in a number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    private mutating func readKey() throws(FluxEventParseError) -> Key {
        let start = index + 1
        if try scanString(keep: false) {
            return Key(raw: UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)]), decoded: nil)
        }
        index = start - 1
        return Key(raw: nil, decoded: try readString())
    }

    private mutating func readString() throws(FluxEventParseError) -> String {
        let start = index + 1
        if try scanString(keep: false) {
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)]), as: UTF8.self)
        }
        index = start - 1
        scratch.removeAll(keepingCapacity: true)
        _ = try scanString(keep: true)
        return String(decoding: scratch, as: UTF8.self)
    }

    /// Moves past one string, checking its escapes and its UTF-8; with `keep`, appends its decoded
    /// bytes to `scratch`. Returns whether it had no escapes (so its raw bytes are its text).
    private mutating func scanString(keep: Bool) throws(FluxEventParseError) -> Bool {
        index += 1  // "
        var plain = true
        var runStart = index
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                if keep { scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
                index += 1
                return plain
            case UInt8(ascii: "\\"):
                if keep { scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
                plain = false
                try readEscape(keep: keep)
                runStart = index
            case 0..<0x20:
                throw syntaxError("(a control character) inside a string")
            case 0x80...:
                index += try utf8SequenceLength(at: index)
            default:
                index += 1
            }
        }
        throw syntaxError("inside a string")
    }

    private mutating func readEscape(keep: Bool) throws(FluxEventParseError) {
        let escapeStart = index
        index += 1  // backslash
        guard index < bytes.count else { throw syntaxError("in an escape") }
        let decoded: UInt8
        switch bytes[index] {
        case UInt8(ascii: "\""): decoded = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): decoded = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): decoded = UInt8(ascii: "/")
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"):
            index += 1
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low one.
                guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw loneSurrogate(at: escapeStart)
                }
                index += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw loneSurrogate(at: escapeStart) }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw loneSurrogate(at: escapeStart)
            }
            if keep { scratch.append(contentsOf: String(Unicode.Scalar(scalar)!).utf8) }
            return
        default:
            throw syntaxError("in an escape")
        }
        index += 1
        if keep { scratch.append(decoded) }
    }

    private mutating func hex4() throws(FluxEventParseError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw syntaxError("in a \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw syntaxError("in a \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// The length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlong forms, no
    /// surrogates, nothing past U+10FFFF), or an error.
    private func utf8SequenceLength(at i: Int) throws(FluxEventParseError) -> Int {
        let lead = bytes[i]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xE1...0xEF: length = 3
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        case 0xF1...0xF3: length = 4
        default: throw Self.invalidUTF8
        }
        guard bytes.count - i >= length, secondRange.contains(bytes[i + 1]) else { throw Self.invalidUTF8 }
        for k in 2..<max(length, 2) where bytes[i + k] & 0xC0 != 0x80 { throw Self.invalidUTF8 }
        return length
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    // MARK: - Errors

    static let invalidUTF8 = FluxEventParseError(description: "body is not valid UTF-8")

    private func syntaxError(_ whereText: String) -> FluxEventParseError {
        guard index < bytes.count else {
            return FluxEventParseError(description: "malformed JSON: the body ends \(whereText)")
        }
        let byte = bytes[index]
        if byte >= 0x80, String(validating: bytes, as: UTF8.self) == nil { return Self.invalidUTF8 }
        let shown = (0x21..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16, uppercase: true))"
        return FluxEventParseError(description: "malformed JSON: unexpected \(shown) at offset \(index) \(whereText)")
    }

    private func loneSurrogate(at offset: Int) -> FluxEventParseError {
        FluxEventParseError(description: "malformed JSON: \\u escape of a lone UTF-16 surrogate at offset \(offset)")
    }

    private func tooDeep() -> FluxEventParseError {
        FluxEventParseError(description: "malformed JSON: nested more than \(Self.maxDepth) levels deep at offset \(index)")
    }
}
