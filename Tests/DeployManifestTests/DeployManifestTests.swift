import Foundation
import XCTest
import Yams

/// Checks deploy/: the Kubernetes manifests parse and carry what running flux-dispatch for real
/// needs (one replica, the state volume, secret files, probes, the three NetworkPolicies of the
/// design), and the systemd unit is hardened and passes `systemd-analyze verify`.
final class DeployManifestTests: XCTestCase {

    // MARK: - What the receiver reads (README's configuration table)

    static let receiverVariables: Set<String> = [
        "GITHUB_APP_ID", "GITHUB_INSTALLATION_ID", "GITHUB_PRIVATE_KEY_PATH", "HMAC_TOKEN_PATH",
        "GITHUB_API_URL", "DEDUP_TTL", "DEDUP_MAX_ENTRIES", "LISTEN_ADDR", "METRICS_ADDR",
        "DEFAULT_DISPATCH_EVENT", "STATE_DB", "DRY_RUN", "DELIVERY_MODE", "OUTBOX_MAX_AGE", "ALLOWED_ORGS",
        "ALLOW_UNSIGNED", "RETENTION", "LOG_LEVEL",
    ]

    static let namespace = "flux-dispatch"
    static let stateDirectory = "/var/lib/flux-dispatch"
    static let secretsDirectory = "/etc/flux-dispatch/secrets"

    /// Kinds that live outside any namespace (no metadata.namespace expected).
    static let clusterScopedKinds: Set<String> = [
        "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume",
        "StorageClass", "PriorityClass",
    ]

    // MARK: - Locations

    static let repoRoot: URL = {
        // Tests/DeployManifestTests/DeployManifestTests.swift -> repository root
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent()
    }()
    static let kubernetesDirectory = repoRoot.appendingPathComponent("deploy/kubernetes")
    static let systemdDirectory = repoRoot.appendingPathComponent("deploy/systemd")
    static let unitFile = systemdDirectory.appendingPathComponent("flux-dispatch.service")
    static let envExampleFile = systemdDirectory.appendingPathComponent("flux-dispatch.env.example")

    // MARK: - YAML helpers

    typealias Object = [String: Any]

    func yamlFileNames() throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.kubernetesDirectory.path)
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
    }

    /// Every document of one file (multi-document files via `Yams.load_all`).
    func documents(in fileName: String, file: StaticString = #filePath, line: UInt = #line) throws -> [Object] {
        let url = Self.kubernetesDirectory.appendingPathComponent(fileName)
        let text = try String(contentsOf: url, encoding: .utf8)
        var sequence = try Yams.load_all(yaml: text)
        var result: [Object] = []
        while let document = sequence.next() {
            if document is NSNull { continue }
            guard let object = document as? Object else {
                XCTFail("\(fileName): a document is not a mapping", file: file, line: line)
                continue
            }
            result.append(object)
        }
        if let error = sequence.error {
            XCTFail("\(fileName) does not parse: \(error)", file: file, line: line)
            throw error
        }
        return result
    }

    func allDocuments() throws -> [(file: String, document: Object)] {
        var all: [(String, Object)] = []
        for name in try yamlFileNames() {
            for document in try documents(in: name) { all.append((name, document)) }
        }
        return all
    }

    func onlyDocument(kind: String, in fileName: String) throws -> Object {
        let matching = try documents(in: fileName).filter { $0["kind"] as? String == kind }
        XCTAssertEqual(matching.count, 1, "\(fileName): expected one \(kind)")
        return try XCTUnwrap(matching.first)
    }

    func deployment() throws -> Object { try onlyDocument(kind: "Deployment", in: "deployment.yaml") }

    func podSpec() throws -> Object {
        try XCTUnwrap(path(try deployment(), "spec", "template", "spec") as? Object, "Deployment has no pod spec")
    }

    func container() throws -> Object {
        let containers = try XCTUnwrap(try podSpec()["containers"] as? [Object])
        XCTAssertEqual(containers.count, 1, "one container")
        return try XCTUnwrap(containers.first)
    }

    /// Walks nested mappings.
    func path(_ object: Any?, _ keys: String...) -> Any? {
        var current = object
        for key in keys {
            guard let map = current as? Object else { return nil }
            current = map[key]
        }
        return current
    }

    /// YAML scalars may come back as Int or String; ports and counts are compared as Int.
    func int(_ value: Any?) -> Int? {
        switch value {
        case let n as Int: return n
        case let s as String: return Int(s)
        default: return nil
        }
    }

    func bool(_ value: Any?) -> Bool? {
        switch value {
        case let b as Bool: return b
        case let s as String: return ["true": true, "false": false][s.lowercased()]
        default: return nil
        }
    }

    /// The container's env as name -> entry.
    func environment() throws -> [String: Object] {
        let env = try XCTUnwrap(try container()["env"] as? [Object], "container has no env")
        var result: [String: Object] = [:]
        for entry in env {
            let name = try XCTUnwrap(entry["name"] as? String, "env entry without a name")
            XCTAssertNil(result[name], "env \(name) set twice")
            result[name] = entry
        }
        return result
    }

    func literalEnv(_ name: String) throws -> String {
        try XCTUnwrap(try environment()[name]?["value"] as? String, "\(name) has no literal value")
    }

    func volumeMount(at mountPath: String) throws -> Object {
        let mounts = try XCTUnwrap(try container()["volumeMounts"] as? [Object], "no volumeMounts")
        return try XCTUnwrap(mounts.first { $0["mountPath"] as? String == mountPath }, "nothing mounted at \(mountPath)")
    }

    func volume(named name: String) throws -> Object {
        let volumes = try XCTUnwrap(try podSpec()["volumes"] as? [Object], "no volumes")
        return try XCTUnwrap(volumes.first { $0["name"] as? String == name }, "no volume \(name)")
    }

    // MARK: - Every manifest

    func testEveryManifestParsesWithIdentityAndNamespace() throws {
        let names = try yamlFileNames()
        for expected in ["namespace.yaml", "deployment.yaml", "pvc.yaml", "service.yaml", "configmap.yaml",
                         "secret.example.yaml", "networkpolicies.yaml", "kustomization.yaml"] {
            XCTAssertTrue(names.contains(expected), "deploy/kubernetes/\(expected) is missing")
        }
        for name in names {
            let docs = try documents(in: name)
            XCTAssertFalse(docs.isEmpty, "\(name) has no document")
            for doc in docs {
                let kind = doc["kind"] as? String
                XCTAssertNotNil(doc["apiVersion"] as? String, "\(name): a document without apiVersion")
                XCTAssertNotNil(kind, "\(name): a document without kind")
                let metadataName = path(doc, "metadata", "name") as? String
                XCTAssertFalse(metadataName?.isEmpty ?? true, "\(name): \(kind ?? "?") without metadata.name")
                guard let kind, kind != "Kustomization", !Self.clusterScopedKinds.contains(kind) else { continue }
                XCTAssertEqual(path(doc, "metadata", "namespace") as? String, Self.namespace,
                               "\(name): \(kind) \(metadataName ?? "?") is not in namespace \(Self.namespace)")
            }
        }
        let namespace = try onlyDocument(kind: "Namespace", in: "namespace.yaml")
        XCTAssertEqual(path(namespace, "metadata", "name") as? String, Self.namespace)
        let kustomization = try onlyDocument(kind: "Kustomization", in: "kustomization.yaml")
        XCTAssertEqual(kustomization["namespace"] as? String, Self.namespace)
    }

    // MARK: - Deployment

    func testDeploymentRunsOneReplicaRecreatedWithPortsAndProbes() throws {
        let deployment = try deployment()
        XCTAssertEqual(int(path(deployment, "spec", "replicas")), 1, "one writer per SQLite store")
        XCTAssertEqual(path(deployment, "spec", "strategy", "type") as? String, "Recreate")

        let container = try container()
        let command = ((container["command"] as? [String]) ?? []) + ((container["args"] as? [String]) ?? [])
        XCTAssertEqual(command.last, "serve", "the container runs `flux-dispatch serve`")
        XCTAssertNotNil(container["image"] as? String)

        let ports = try XCTUnwrap(container["ports"] as? [Object], "no container ports")
        var byName: [String: Int] = [:]
        for port in ports {
            if let name = port["name"] as? String { byName[name] = int(port["containerPort"]) }
        }
        XCTAssertEqual(byName["webhook"], 8080)
        XCTAssertEqual(byName["metrics"], 9090)

        XCTAssertEqual(path(container, "livenessProbe", "httpGet", "path") as? String, "/healthz")
        XCTAssertEqual(int(path(container, "livenessProbe", "httpGet", "port")), 8080)
        XCTAssertEqual(path(container, "readinessProbe", "httpGet", "path") as? String, "/readyz")
        XCTAssertEqual(int(path(container, "readinessProbe", "httpGet", "port")), 8080)

        // The selector must match the template so the Service and NetworkPolicies find the pod.
        let selector = try XCTUnwrap(path(deployment, "spec", "selector", "matchLabels") as? [String: String])
        let labels = try XCTUnwrap(path(deployment, "spec", "template", "metadata", "labels") as? [String: String])
        for (key, value) in selector { XCTAssertEqual(labels[key], value, "template label \(key)") }
    }

    func testDeploymentSecurityContext() throws {
        let pod = try podSpec()
        let container = try container()
        let podContext = pod["securityContext"] as? Object ?? [:]
        let containerContext = try XCTUnwrap(container["securityContext"] as? Object, "container has no securityContext")
        /// A container setting wins over the pod's.
        func effective(_ key: String) -> Any? { containerContext[key] ?? podContext[key] }

        XCTAssertEqual(bool(effective("runAsNonRoot")), true)
        XCTAssertEqual(int(effective("runAsUser")), 65532)
        XCTAssertEqual(bool(containerContext["readOnlyRootFilesystem"]), true)
        XCTAssertEqual(bool(containerContext["allowPrivilegeEscalation"]), false)
        let dropped = try XCTUnwrap(path(containerContext, "capabilities", "drop") as? [String])
        XCTAssertEqual(dropped, ["ALL"])
        XCTAssertNil(path(containerContext, "capabilities", "add"), "no capability is added")
        XCTAssertEqual(path(effective("seccompProfile"), "type") as? String, "RuntimeDefault")
        XCTAssertNotNil(int(podContext["fsGroup"]), "fsGroup makes the state volume writable")
        XCTAssertNotEqual(bool(container["privileged"]), true)
        XCTAssertNotEqual(bool(pod["hostNetwork"]), true)

        XCTAssertEqual(int(pod["terminationGracePeriodSeconds"]), 45, "in-flight dispatches may take ~20 s")
        XCTAssertNotNil(path(container, "resources", "requests", "cpu"))
        XCTAssertNotNil(path(container, "resources", "requests", "memory"))
        XCTAssertNotNil(path(container, "resources", "limits", "memory"))
    }

    func testStateStoreIsOnThePersistentVolumeClaim() throws {
        let mount = try volumeMount(at: Self.stateDirectory)
        XCTAssertNotEqual(bool(mount["readOnly"]), true, "the state directory must be writable")
        let volumeName = try XCTUnwrap(mount["name"] as? String)
        let claimName = try XCTUnwrap(
            path(try volume(named: volumeName), "persistentVolumeClaim", "claimName") as? String,
            "the state directory is not backed by a PersistentVolumeClaim")
        let claim = try onlyDocument(kind: "PersistentVolumeClaim", in: "pvc.yaml")
        XCTAssertEqual(path(claim, "metadata", "name") as? String, claimName, "the Deployment's claim is pvc.yaml's")
        XCTAssertNotNil(path(claim, "spec", "resources", "requests", "storage"))

        let stateDB = try literalEnv("STATE_DB")
        XCTAssertEqual(stateDB, Self.stateDirectory + "/state.db")
        XCTAssertTrue(stateDB.hasPrefix(Self.stateDirectory + "/"), "STATE_DB is under the state mount")
    }

    func testSecretFilesAreMountedReadOnlyAndPointedAt() throws {
        let mount = try volumeMount(at: Self.secretsDirectory)
        XCTAssertEqual(bool(mount["readOnly"]), true, "the secrets are mounted read-only")
        let volumeName = try XCTUnwrap(mount["name"] as? String)
        let secretVolume = try XCTUnwrap(try volume(named: volumeName)["secret"] as? Object, "not a Secret volume")
        let secretName = try XCTUnwrap(secretVolume["secretName"] as? String)

        // Which file each key lands in (all keys under their own name when no items are given).
        var files: [String: String] = [:]
        if let items = secretVolume["items"] as? [Object] {
            for item in items {
                if let key = item["key"] as? String, let file = item["path"] as? String { files[file] = key }
            }
        }

        let example = try onlyDocument(kind: "Secret", in: "secret.example.yaml")
        XCTAssertEqual(path(example, "metadata", "name") as? String, secretName, "the example is the Secret mounted")
        let stringData = try XCTUnwrap(example["stringData"] as? [String: String], "the example uses stringData")
        XCTAssertNil(example["data"], "no base64 data in the example")
        for (name, value) in stringData {
            XCTAssertTrue(value.contains("REPLACE-ME"), "secret.example.yaml \(name) is not a clear placeholder")
        }

        for variable in ["HMAC_TOKEN_PATH", "GITHUB_PRIVATE_KEY_PATH"] {
            let value = try literalEnv(variable)
            XCTAssertTrue(value.hasPrefix(Self.secretsDirectory + "/"), "\(variable)=\(value) is not in the secrets mount")
            let file = String(value.dropFirst(Self.secretsDirectory.count + 1))
            let key = files.isEmpty ? file : files[file]
            XCTAssertNotNil(key, "\(variable): \(file) is not projected from the Secret")
            if let key { XCTAssertNotNil(stringData[key], "\(variable): the Secret has no key \(key)") }
        }

        // Secret-sourced env (the App and installation IDs) names keys the Secret has.
        for (name, entry) in try environment() {
            guard let ref = path(entry, "valueFrom", "secretKeyRef") as? Object else { continue }
            XCTAssertEqual(ref["name"] as? String, secretName, "\(name) reads another Secret")
            let key = try XCTUnwrap(ref["key"] as? String)
            XCTAssertNotNil(stringData[key], "\(name): the Secret example has no key \(key)")
        }
    }

    func testEnvironmentNamesOnlyReceiverVariablesAndSetsEveryOne() throws {
        let env = try environment()
        for name in env.keys {
            XCTAssertTrue(Self.receiverVariables.contains(name), "\(name) is not a flux-dispatch variable")
        }
        XCTAssertEqual(Set(env.keys), Self.receiverVariables, "every setting is given to the container")
        XCTAssertNil(try container()["envFrom"], "env names are explicit")

        let configMap = try onlyDocument(kind: "ConfigMap", in: "configmap.yaml")
        let configMapName = try XCTUnwrap(path(configMap, "metadata", "name") as? String)
        let data = try XCTUnwrap(configMap["data"] as? [String: Any])
        for key in data.keys {
            XCTAssertTrue(Self.receiverVariables.contains(key), "ConfigMap key \(key) is not a flux-dispatch variable")
        }
        for (name, entry) in env {
            let hasValue = entry["value"] != nil
            let valueFrom = entry["valueFrom"] as? Object
            XCTAssertTrue(hasValue != (valueFrom != nil), "\(name): exactly one of value and valueFrom")
            if let ref = valueFrom?["configMapKeyRef"] as? Object {
                XCTAssertEqual(ref["name"] as? String, configMapName, "\(name) reads another ConfigMap")
                let key = try XCTUnwrap(ref["key"] as? String)
                XCTAssertNotNil(data[key], "\(name): the ConfigMap has no key \(key)")
            }
        }
        // The listeners agree with the container ports, probes, Service and NetworkPolicies.
        XCTAssertEqual("\(data["LISTEN_ADDR"] ?? "")", ":8080")
        XCTAssertEqual("\(data["METRICS_ADDR"] ?? "")", ":9090")
        XCTAssertEqual("\(data["ALLOW_UNSIGNED"] ?? "")", "false", "signatures are required in a real deployment")
    }

    func testServiceExposesWebhookAndMetrics() throws {
        let service = try onlyDocument(kind: "Service", in: "service.yaml")
        XCTAssertEqual(path(service, "spec", "type") as? String ?? "ClusterIP", "ClusterIP")
        let ports = try XCTUnwrap(path(service, "spec", "ports") as? [Object])
        var byName: [String: Int] = [:]
        for port in ports {
            if let name = port["name"] as? String { byName[name] = int(port["port"]) }
        }
        XCTAssertEqual(byName, ["webhook": 8080, "metrics": 9090])
        let selector = try XCTUnwrap(path(service, "spec", "selector") as? [String: String])
        let labels = try XCTUnwrap(path(try deployment(), "spec", "template", "metadata", "labels") as? [String: String])
        for (key, value) in selector { XCTAssertEqual(labels[key], value, "Service selector \(key) matches the pod") }
    }

    // MARK: - NetworkPolicies

    struct PortRule: Hashable { let proto: String; let port: Int }

    func portRules(_ rule: Object) -> Set<PortRule> {
        Set((rule["ports"] as? [Object] ?? []).compactMap { p in
            int(p["port"]).map { PortRule(proto: p["protocol"] as? String ?? "TCP", port: $0) }
        })
    }

    func namespaceNames(_ peers: [Object]) -> [String?] {
        peers.map { path($0, "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name") as? String }
    }

    func testThreeNetworkPoliciesOfTheDesign() throws {
        let policies = try allDocuments().filter { $0.document["kind"] as? String == "NetworkPolicy" }.map(\.document)
        XCTAssertEqual(policies.count, 3, "exactly three NetworkPolicies")
        let podLabels = try XCTUnwrap(path(try deployment(), "spec", "template", "metadata", "labels") as? [String: String])

        var webhook = 0, metrics = 0, egress = 0
        for policy in policies {
            let name = path(policy, "metadata", "name") as? String ?? "?"
            let selector = path(policy, "spec", "podSelector", "matchLabels") as? [String: String] ?? [:]
            XCTAssertFalse(selector.isEmpty, "\(name) selects the flux-dispatch pod, not every pod")
            for (key, value) in selector { XCTAssertEqual(podLabels[key], value, "\(name) selects the pod") }

            let types = path(policy, "spec", "policyTypes") as? [String] ?? []
            if types == ["Ingress"] {
                let rules = try XCTUnwrap(path(policy, "spec", "ingress") as? [Object])
                XCTAssertEqual(rules.count, 1, "\(name): one ingress rule")
                let rule = try XCTUnwrap(rules.first)
                let peers = try XCTUnwrap(rule["from"] as? [Object], "\(name): ingress from anywhere")
                XCTAssertEqual(peers.count, 1, "\(name): one source")
                XCTAssertNil(peers.first?["podSelector"], "\(name): whole namespace")
                XCTAssertNil(peers.first?["ipBlock"], "\(name): no address blocks")
                switch (namespaceNames(peers).first ?? nil, portRules(rule)) {
                case ("flux-system", [PortRule(proto: "TCP", port: 8080)]): webhook += 1
                case ("monitoring", [PortRule(proto: "TCP", port: 9090)]): metrics += 1
                case let (source, ports): XCTFail("\(name): unexpected ingress from \(source ?? "?") to \(ports)")
                }
            } else if types == ["Egress"] {
                egress += 1
                let rules = try XCTUnwrap(path(policy, "spec", "egress") as? [Object])
                var allowed = Set<PortRule>()
                for rule in rules {
                    let ports = portRules(rule)
                    XCTAssertFalse(ports.isEmpty, "\(name): an egress rule without ports allows every port")
                    allowed.formUnion(ports)
                    if ports.contains(where: { $0.port == 53 }), let peers = rule["to"] as? [Object] {
                        for namespace in namespaceNames(peers) {
                            XCTAssertEqual(namespace, "kube-system", "\(name): DNS goes to kube-system")
                        }
                    }
                }
                XCTAssertEqual(allowed, [PortRule(proto: "UDP", port: 53), PortRule(proto: "TCP", port: 53),
                                         PortRule(proto: "TCP", port: 443)],
                               "\(name): egress only DNS (UDP+TCP 53) and HTTPS (TCP 443)")
            } else {
                XCTFail("\(name): policyTypes \(types), expected only Ingress or only Egress")
            }
            XCTAssertEqual(path(policy, "metadata", "namespace") as? String, Self.namespace)
        }
        XCTAssertEqual(webhook, 1, "one policy: webhook only from flux-system")
        XCTAssertEqual(metrics, 1, "one policy: metrics only from monitoring")
        XCTAssertEqual(egress, 1, "one policy: egress only DNS and 443")
    }

    // MARK: - Kustomization

    func testKustomizationListsEveryManifestButItselfAndTheSecretExample() throws {
        let kustomization = try onlyDocument(kind: "Kustomization", in: "kustomization.yaml")
        let resources = try XCTUnwrap(kustomization["resources"] as? [String])
        XCTAssertEqual(resources.count, Set(resources).count, "no resource listed twice")
        let expected = Set(try yamlFileNames()).subtracting(["kustomization.yaml", "secret.example.yaml"])
        XCTAssertEqual(Set(resources), expected)
    }

    // MARK: - systemd

    struct Unit {
        /// section -> key -> every assignment, in order.
        var sections: [String: [String: [String]]] = [:]

        func values(_ section: String, _ key: String) -> [String] { sections[section]?[key] ?? [] }
        /// The effective single value (the last assignment).
        func value(_ section: String, _ key: String) -> String? { values(section, key).last }
    }

    func parseUnit(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Unit {
        var unit = Unit()
        var section: String?
        var pending = ""
        for raw in text.components(separatedBy: "\n") {
            var current = raw.trimmingCharacters(in: .whitespaces)
            if pending.isEmpty, current.hasPrefix("#") || current.hasPrefix(";") || current.isEmpty { continue }
            if current.hasSuffix("\\") {  // line continuation
                current.removeLast()
                pending += current + " "
                continue
            }
            current = pending + current
            pending = ""
            if current.hasPrefix("[") {
                XCTAssertTrue(current.hasSuffix("]"), "bad section header: \(current)", file: file, line: line)
                let name = String(current.dropFirst().dropLast())
                section = name
                unit.sections[name, default: [:]] = unit.sections[name] ?? [:]
                continue
            }
            guard let section else {
                XCTFail("assignment outside a section: \(current)", file: file, line: line)
                continue
            }
            guard let equals = current.firstIndex(of: "=") else {
                XCTFail("not a key=value line: \(current)", file: file, line: line)
                continue
            }
            let key = current[..<equals].trimmingCharacters(in: .whitespaces)
            let value = current[current.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            unit.sections[section, default: [:]][key, default: []].append(value)
        }
        return unit
    }

    func unitText() throws -> String { try String(contentsOf: Self.unitFile, encoding: .utf8) }

    /// Environment= assignments of the unit as name -> value (no quoting is used in the unit).
    func unitEnvironment(_ unit: Unit) -> [String: String] {
        var result: [String: String] = [:]
        for line in unit.values("Service", "Environment") {
            for assignment in line.split(separator: " ") {
                let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { result[parts[0]] = parts[1] }
            }
        }
        return result
    }

    func testSystemdUnitIsHardened() throws {
        let unit = parseUnit(try unitText())
        for section in ["Unit", "Service", "Install"] {
            XCTAssertNotNil(unit.sections[section], "[\(section)] is missing")
        }
        XCTAssertEqual(Set(unit.sections.keys), ["Unit", "Service", "Install"])

        let execStart = try XCTUnwrap(unit.value("Service", "ExecStart"))
        XCTAssertEqual(execStart, "/usr/local/bin/flux-dispatch serve")
        XCTAssertTrue(execStart.hasSuffix("serve"))

        let user = unit.value("Service", "User")
        let dynamic = unit.value("Service", "DynamicUser")
        XCTAssertTrue(dynamic == "yes" || (user != nil && user != "root"), "a dedicated, unprivileged user")

        let expected: [String: String] = [
            "StateDirectory": "flux-dispatch",
            "ProtectSystem": "strict",
            "ProtectHome": "yes",
            "PrivateTmp": "yes",
            "NoNewPrivileges": "yes",
            "ProtectKernelTunables": "yes",
            "ProtectKernelModules": "yes",
            "ProtectKernelLogs": "yes",
            "ProtectControlGroups": "yes",
            "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
            "RestrictNamespaces": "yes",
            "LockPersonality": "yes",
            "MemoryDenyWriteExecute": "yes",
            "SystemCallArchitectures": "native",
            "CapabilityBoundingSet": "",
            "UMask": "0077",
            "Restart": "on-failure",
            "RestartSec": "5",
            "KillSignal": "SIGTERM",
            "TimeoutStopSec": "45",
            "EnvironmentFile": "-/etc/flux-dispatch/flux-dispatch.env",
        ]
        for (key, value) in expected.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(unit.values("Service", key), [value], "[Service] \(key)")
        }

        XCTAssertEqual(Set(unit.values("Service", "LoadCredential")), [
            "hmac-token:/etc/flux-dispatch/hmac-token",
            "github-app.pem:/etc/flux-dispatch/github-app.pem",
        ])
        let environment = unitEnvironment(unit)
        XCTAssertEqual(environment["HMAC_TOKEN_PATH"], "%d/hmac-token")
        XCTAssertEqual(environment["GITHUB_PRIVATE_KEY_PATH"], "%d/github-app.pem")
        XCTAssertEqual(environment["STATE_DB"], "/var/lib/flux-dispatch/state.db")
        for name in environment.keys {
            XCTAssertTrue(Self.receiverVariables.contains(name), "\(name) is not a flux-dispatch variable")
        }
        XCTAssertEqual(unit.value("Install", "WantedBy"), "multi-user.target")
    }

    func testEnvironmentExampleListsEveryVariableWithoutSecrets() throws {
        let text = try String(contentsOf: Self.envExampleFile, encoding: .utf8)
        var mentioned = Set<String>()
        for raw in text.components(separatedBy: "\n") {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") { line = String(line.dropFirst()) }  // commented-out settings count
            guard let equals = line.firstIndex(of: "=") else { continue }
            let name = String(line[..<equals])
            if Self.receiverVariables.contains(name) { mentioned.insert(name) }
        }
        XCTAssertEqual(mentioned, Self.receiverVariables, "every variable is listed")
        XCTAssertFalse(text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN PRIVATE KEY"), "no key in the example")
        XCTAssertTrue(text.contains("ALLOW_UNSIGNED=false"))
    }

    /// `systemd-analyze verify` on a copy of the unit whose ExecStart is an existing executable.
    func testSystemdAnalyzeVerifyReportsNoErrors() throws {
        guard let analyze = Self.executable(named: "systemd-analyze") else {
            throw XCTSkip("systemd-analyze is not on PATH (install the systemd package to run this check)")
        }
        let stand = try XCTUnwrap(["/bin/true", "/usr/bin/true"].first { FileManager.default.isExecutableFile(atPath: $0) })

        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("flux-dispatch-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("flux-dispatch.service")
        let text = try unitText().components(separatedBy: "\n").map { line in
            line.hasPrefix("ExecStart=") ? "ExecStart=\(stand) serve" : line
        }.joined(separator: "\n")
        try text.write(to: copy, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: analyze)
        process.arguments = ["verify", "--man=no", copy.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let report = String(decoding: data, as: UTF8.self)

        // Without a usable systemd manager (some containers), verify cannot run at all.
        if process.terminationStatus != 0,
           report.contains("Failed to initialize manager") || report.contains("Failed to set up manager") {
            throw XCTSkip("systemd-analyze cannot run here: \(report)")
        }
        XCTAssertEqual(process.terminationStatus, 0, "systemd-analyze verify failed:\n\(report)")
        // Unknown keys and bad values are only warnings (exit 0): any line about our unit counts.
        let aboutUnit = report.components(separatedBy: "\n").filter { $0.contains("flux-dispatch") }
        XCTAssertEqual(aboutUnit, [], "systemd-analyze verify reported:\n\(report)")
    }

    static func executable(named name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        for directory in ["/usr/bin", "/bin", "/usr/sbin"] {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
