/// Line breaking for the detail view: split on newlines, then wrap at spaces where possible and
/// hard-break words longer than the width.
enum TextWrap {
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            var line = Substring(rawLine.replacingTabs())
            if line.isEmpty {
                lines.append("")
                continue
            }
            while line.count > width {
                let cut = line.index(line.startIndex, offsetBy: width)
                if let space = line[..<cut].lastIndex(of: " "), space > line.startIndex {
                    lines.append(String(line[..<space]))
                    line = line[line.index(after: space)...]
                } else {
                    lines.append(String(line[..<cut]))
                    line = line[cut...]
                }
            }
            lines.append(String(line))
        }
        return lines
    }
}

extension Substring {
    fileprivate func replacingTabs() -> String {
        contains("\t") ? String(map { $0 == "\t" ? " " : $0 }) : String(self)
    }
}
