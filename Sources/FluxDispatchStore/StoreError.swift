/// Failures opening or using the state store, phrased for the operator who has to fix them.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case cannotCreateDirectory
        case cannotOpen
        case newerSchema
        case notAStore
        /// The file was deleted or replaced under a running process (`StoreFileGuard`).
        case fileMoved
    }

    public let kind: Kind
    public let path: String
    public let problem: String

    public var description: String {
        switch kind {
        case .cannotCreateDirectory:
            return "cannot create the state directory for \(path): \(problem) (set STATE_DB to a writable path)"
        case .cannotOpen:
            return "cannot open the state store \(path): \(problem)"
        case .newerSchema:
            return "the state store \(path) was written by a newer flux-dispatch (\(problem)); upgrade this binary"
        case .notAStore:
            return "\(path) is not a flux-dispatch state store: \(problem)"
        case .fileMoved:
            return "the state store \(path) is gone: \(problem); nothing more is written, so restart flux-dispatch"
        }
    }
}
