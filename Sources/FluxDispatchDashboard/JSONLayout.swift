/// Indents compact JSON (Flux's event body, the payload sent) for reading: a small scanner that
/// respects strings and escapes, not a parser. Text that is not JSON comes back unchanged.
enum JSONLayout {
    static func indent(_ text: String, step: Int = 2) -> String {
        let trimmed = text.drop(while: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" })
        guard let first = trimmed.first, first == "{" || first == "[" else { return text }
        var output = ""
        output.reserveCapacity(text.count * 2)
        var depth = 0
        var inString = false, escaped = false
        var characters = Array(trimmed)
        if characters.count > 200_000 { characters = Array(characters.prefix(200_000)) }
        var index = 0
        func newline() {
            output.append("\n")
            output.append(String(repeating: " ", count: max(0, depth) * step))
        }
        func nextSignificant(after i: Int) -> Character? {
            var j = i + 1
            while j < characters.count, characters[j] == " " || characters[j].isNewline || characters[j] == "\t" { j += 1 }
            return j < characters.count ? characters[j] : nil
        }
        while index < characters.count {
            let character = characters[index]
            if inString {
                output.append(character)
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
            } else {
                switch character {
                case "\"":
                    inString = true
                    output.append(character)
                case "{", "[":
                    output.append(character)
                    let close: Character = character == "{" ? "}" : "]"
                    if nextSignificant(after: index) == close {
                        output.append(close)
                        while index + 1 < characters.count, characters[index + 1] != close { index += 1 }
                        index += 1
                    } else {
                        depth += 1
                        newline()
                    }
                case "}", "]":
                    depth -= 1
                    newline()
                    output.append(character)
                case ",":
                    output.append(character)
                    newline()
                case ":":
                    output.append(": ")
                case " ", "\n", "\r", "\t":
                    break
                default:
                    output.append(character)
                }
            }
            index += 1
        }
        return output
    }
}
