import FluxDispatchCore
import FuzzDriver

/// Any bytes as a webhook body: parsing either throws or gives an event (from valid UTF-8) that the
/// rest of the pipeline (triage, dedup key, payload) handles, and whose dispatch body is well-formed
/// JSON; nothing may crash, hang or leak.
@_cdecl("FuzzEventParser_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, count in
        guard let data else { return withUnsafeBytes(of: UInt8(0)) { fuzzEventParser($0.baseAddress!, 0) } }
        return fuzzEventParser(UnsafeRawPointer(data), count)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEventParser(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    guard let event = try? FluxEvent.parse(bytes) else { return 0 }
    precondition(String(validating: bytes, as: UTF8.self) != nil, "accepted a body that is not UTF-8")
    let rules = Triage.Rules(allowedOrganisations: ["Altinn"], defaultEventType: "flux-deploy")
    if case .dispatch(let target) = Triage(event: event, rules: rules) {
        let payload = DispatchPayload(event: event, eventType: target.eventType)
        precondition(payload.client_payload.message.count <= DispatchPayload.maxMessageCharacters, "message not cut to 1024 characters")
        precondition(!target.dedupKey.rawValue.isEmpty, "empty dedup key")
        // The hand-written dispatch body must be JSON the strict reader accepts (an object whose
        // fields it does not know).
        precondition((try? FluxEvent.parse(payload.json)) != nil, "the dispatch body is not well-formed JSON")
    }
    _ = Revision.digest(of: event.revision)
    _ = Revision.commitSHA(ofOriginRevision: event.originRevision)
    return 0
}
