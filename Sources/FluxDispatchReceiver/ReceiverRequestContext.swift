import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus the peer's address, which the
/// rejection counters are keyed by.
public struct ReceiverRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let sourceAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        sourceAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}
