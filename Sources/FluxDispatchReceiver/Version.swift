/// The version reported in the User-Agent, the heartbeat row and `--version`.
public enum FluxDispatchVersion {
    public static let current = "0.1.0"
    public static var userAgent: String { "flux-dispatch/\(current)" }
}
