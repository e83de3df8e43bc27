import FluxDispatchCore
import Foundation

/// Shared sample data for the core tests.
enum Fixtures {
    /// The example body from SPEC.md §1, verbatim.
    static let specExampleBody = #"""
    {"involvedObject": {"kind": "Kustomization", "name": "dialogporten-apps", "namespace": "product-dialogporten"},
     "severity": "info", "reason": "ReconciliationSucceeded", "message": "Applied revision at23@sha256:aabb",
     "metadata": {"kustomize.toolkit.fluxcd.io/originRevision": "main/abc1234def5678",
                  "kustomize.toolkit.fluxcd.io/revision": "at23@sha256:aabbccdd",
                  "product": "dialogporten", "env": "at23",
                  "dispatch_repo": "Altinn/dialogporten", "dispatch_event": "flux-deploy"},
     "timestamp": "2026-03-05T12:00:00Z", "reportingController": "kustomize-controller"}
    """#

    /// A Flux event built in code, with the SPEC example's values unless overridden.
    /// Pass `nil` for a metadata value to leave that key out.
    static func event(
        reason: String = "ReconciliationSucceeded",
        message: String = "Applied revision at23@sha256:aabb",
        product: String? = "dialogporten",
        environment: String? = "at23",
        dispatchRepo: String? = "Altinn/dialogporten",
        dispatchEvent: String? = "flux-deploy",
        revision: String? = "at23@sha256:aabbccdd",
        originRevision: String? = "main/abc1234def5678",
        kustomizationName: String = "dialogporten-apps"
    ) -> FluxEvent {
        var metadata: [String: String] = [:]
        metadata[FluxEvent.MetadataKey.product] = product
        metadata[FluxEvent.MetadataKey.environment] = environment
        metadata[FluxEvent.MetadataKey.dispatchRepository] = dispatchRepo
        metadata[FluxEvent.MetadataKey.dispatchEventType] = dispatchEvent
        metadata[FluxEvent.MetadataKey.revision] = revision
        metadata[FluxEvent.MetadataKey.originRevision] = originRevision
        return FluxEvent(
            involvedObject: .init(kind: "Kustomization", name: kustomizationName, namespace: "product-dialogporten"),
            severity: reason == "ReconciliationSucceeded" ? "info" : "error",
            reason: reason,
            message: message,
            metadata: metadata,
            timestamp: "2026-03-05T12:00:00Z",
            reportingController: "kustomize-controller"
        )
    }

    static let failureReasons = [
        "ReconciliationFailed", "BuildFailed", "HealthCheckFailed", "PruneFailed", "DependencyNotReady", "ArtifactFailed",
    ]
}
