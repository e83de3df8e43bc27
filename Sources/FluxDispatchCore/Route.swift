/// Which reasons a `dispatch_event` type accepts.
///
/// An event type ending in `-failed` takes failure reasons only; any other takes success reasons
/// only. This lets one product wire two Alerts — deploys to `flux-deploy`, breakages to
/// `flux-deploy-failed` — without either workflow seeing the other's news.
public enum Route {
    public static let failureSuffix = "-failed"

    public static func accepts(eventType: String, reasonClass: ReasonClass) -> Bool {
        switch reasonClass {
        case .success: return !eventType.hasSuffix(failureSuffix)
        case .failure: return eventType.hasSuffix(failureSuffix)
        case .ignored: return false
        }
    }
}
