/// Pieces of Flux revision strings used for deduplication and for the dispatch payload.
public enum Revision {
    /// The artifact digest of a Kustomization revision: everything from `sha256:` on.
    ///
    /// `at23@sha256:aa` → `sha256:aa`; a bare `sha256:aa` as is; no `sha256:` → the empty string.
    public static func digest(of revision: String) -> String {
        // A byte search: Foundation's `range(of:)` compared by characters and showed in the
        // receiver's profile, for a prefix that is ASCII.
        let utf8 = revision.utf8
        var start = utf8.startIndex
        while let s = utf8[start...].firstIndex(of: UInt8(ascii: "s")) {
            if utf8[s...].starts(with: digestPrefix) { return String(decoding: utf8[s...], as: UTF8.self) }
            start = utf8.index(after: s)
        }
        return ""
    }

    private static let digestPrefix = Array("sha256:".utf8)

    /// The commit SHA in an origin revision: the last `/` segment.
    ///
    /// `main/abc1234` → `abc1234`, `feature/x/abc` → `abc`, `abc` → `abc`, absent → `""`.
    public static func commitSHA(ofOriginRevision origin: String) -> String {
        guard let slash = origin.lastIndex(of: "/") else { return origin }
        return String(origin[origin.index(after: slash)...])
    }
}
