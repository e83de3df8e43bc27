/// Steps 4–6 of the pipeline as one pure decision: does this event lead to a dispatch, and where?
public enum Triage: Sendable, Equatable {
    /// Answer 200 with this outcome; nothing to send.
    case settled(Outcome, detail: String)
    /// Check the dedup key, then dispatch.
    case dispatch(DispatchTarget)

    public struct DispatchTarget: Sendable, Equatable {
        public let repository: DispatchRepository
        public let eventType: String
        public let reasonClass: ReasonClass
        public let dedupKey: DedupKey
    }

    public struct Rules: Sendable, Equatable {
        public var allowedOrganisations: [String]
        public var defaultEventType: String

        public init(allowedOrganisations: [String] = ["Altinn"], defaultEventType: String = "flux-deploy") {
            self.allowedOrganisations = allowedOrganisations
            self.defaultEventType = defaultEventType
        }
    }

    public init(event: FluxEvent, rules: Rules) {
        let reasonClass = ReasonClass(reason: event.reason)
        guard reasonClass != .ignored else {
            self = .settled(.ignoredReason, detail: "reason \"\(event.reason)\" is neither a success nor a failure")
            return
        }
        guard let rawRepository = event.metadata[FluxEvent.MetadataKey.dispatchRepository], !rawRepository.isEmpty else {
            self = .settled(.missingDispatchRepo, detail: "metadata.dispatch_repo is missing")
            return
        }
        let repository: DispatchRepository
        do {
            repository = try DispatchRepository(validating: rawRepository, allowedOrganisations: rules.allowedOrganisations)
        } catch {
            self = .settled(.invalidDispatchRepo, detail: error.description)
            return
        }
        var eventType = event.metadata[FluxEvent.MetadataKey.dispatchEventType] ?? ""
        if eventType.isEmpty { eventType = rules.defaultEventType }
        guard Route.accepts(eventType: eventType, reasonClass: reasonClass) else {
            let wants = eventType.hasSuffix(Route.failureSuffix) ? "failure" : "success"
            self = .settled(.reasonNotRouted, detail: "event type \"\(eventType)\" takes \(wants) reasons only, got \(event.reason)")
            return
        }
        self = .dispatch(
            DispatchTarget(
                repository: repository,
                eventType: eventType,
                reasonClass: reasonClass,
                dedupKey: DedupKey(event: event, repository: repository)
            )
        )
    }
}
