import Foundation
import XCTest

/// The repository root, found from this file's path (Tests/FluxDispatchDashboardTests/…).
func repositoryRoot(file: StaticString = #filePath) -> URL {
    URL(fileURLWithPath: "\(file)").deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// Compares `text` with `Snapshots/<name>.txt`. With `UPDATE_SNAPSHOTS=1` in the environment the
/// file is (re)written instead; a missing file fails and says how to create it.
func assertSnapshot(_ text: String, named name: String, file: StaticString = #filePath, line: UInt = #line) {
    let url = URL(fileURLWithPath: "\(file)").deletingLastPathComponent()
        .appendingPathComponent("Snapshots").appendingPathComponent("\(name).txt")
    let actual = text.hasSuffix("\n") ? text : text + "\n"
    if ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] == "1" {
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        XCTAssertNoThrow(try actual.write(to: url, atomically: true, encoding: .utf8), file: file, line: line)
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        XCTFail("no snapshot \(url.path); run with UPDATE_SNAPSHOTS=1 to record it\n\(actual)", file: file, line: line)
        return
    }
    guard expected != actual else { return }
    XCTFail("snapshot \(name) differs (- expected, + actual):\n\(lineDiff(expected, actual))", file: file, line: line)
}

/// Lines that differ, with their numbers (the screens are small; no need for a real diff).
func lineDiff(_ expected: String, _ actual: String) -> String {
    let a = expected.components(separatedBy: "\n"), b = actual.components(separatedBy: "\n")
    var out: [String] = []
    for index in 0..<max(a.count, b.count) {
        let left = index < a.count ? a[index] : "<none>", right = index < b.count ? b[index] : "<none>"
        if left != right { out += ["\(index + 1)- \(left)", "\(index + 1)+ \(right)"] }
    }
    return out.joined(separator: "\n")
}
