/// Pieces of Flux revision strings used for deduplication and for the dispatch payload.
public enum Revision {
    /// The artifact digest of a Kustomization revision: everything from `sha256:` on.
    ///
    /// `at23@sha256:aa` → `sha256:aa`; a bare `sha256:aa` as is; no `sha256:` → the empty string.
    public static func digest(of revision: String) -> String {
        guard let range = revision.range(of: "sha256:") else { return "" }
        return String(revision[range.lowerBound...])
    }

    /// The commit SHA in an origin revision: the last `/` segment.
    ///
    /// `main/abc1234` → `abc1234`, `feature/x/abc` → `abc`, `abc` → `abc`, absent → `""`.
    public static func commitSHA(ofOriginRevision origin: String) -> String {
        guard let slash = origin.lastIndex(of: "/") else { return origin }
        return String(origin[origin.index(after: slash)...])
    }
}
