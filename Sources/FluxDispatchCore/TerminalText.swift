/// Text from outside (a Flux message, a product name, a GitHub or receiver answer) as a terminal can
/// show it without acting on it.
///
/// Those strings arrive in signed events and HTTP answers and are stored as they came; printed raw,
/// an ESC could start an escape sequence (move the cursor, retitle the window, rewrite earlier
/// lines) and a right-to-left override could make one product look like another. The dashboard
/// draws such characters as "?"; the CLI's text output shows them escaped, so they stay visible.
public enum TerminalText {
    /// Whether a terminal would act on `scalar` instead of printing it: C0 and C1 controls (ESC,
    /// BEL, CR, backspace…), format characters (bidirectional overrides, zero-width joiners) and
    /// the Unicode line and paragraph separators.
    @inline(__always)
    public static func isActedOn(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return scalar.value < 0x20 || scalar.value == 0x7F }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// `text` for one line of output: a tab, line feed or carriage return becomes a space (with
    /// `keepingLineBreaks`, tabs and line feeds stay, and a CRLF's carriage return is still a space),
    /// every other character a terminal would act on is written as `\u{…}` with its code in hex.
    public static func printable(_ text: String, keepingLineBreaks: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: isActedOn) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if !isActedOn(scalar) {
                result.append(scalar)
            } else if keepingLineBreaks, scalar == "\n" || scalar == "\t" {
                result.append(scalar)
            } else if scalar == "\n" || scalar == "\t" || scalar == "\r" {
                result.append(" ")
            } else {
                result.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            }
        }
        return String(result)
    }
}
