import CalicoModel
import Foundation
import Yams

/// Reads cluster objects from YAML as `kubectl get -o yaml` and `calicoctl get -o yaml` print them.
public enum ClusterLoader {
    /// Kinds a `kubectl get all` dump legitimately holds that pathsim does not need: skipped
    /// whatever their apiVersion.
    public static let ignoredKinds: [String] = [
        "Endpoints", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet",
        "ConfigMap", "Secret", "Event", "Job", "CronJob", "ReplicationController", "HorizontalPodAutoscaler",
    ]

    /// The kinds read, each with the apiVersions accepted for it.
    public static let supportedKinds: [(kind: String, apiVersions: [String])] = [
        ("Namespace", kubernetesCore), ("ServiceAccount", kubernetesCore), ("Pod", kubernetesCore), ("Node", kubernetesCore),
        ("NetworkPolicy", kubernetesNetworking + calico),
        ("GlobalNetworkPolicy", calico), ("StagedNetworkPolicy", calico), ("StagedGlobalNetworkPolicy", calico),
        ("Tier", calico), ("Profile", calico), ("WorkloadEndpoint", calico), ("HostEndpoint", calico),
        ("IPPool", calico), ("FelixConfiguration", calico),
        ("Service", kubernetesCore), ("EndpointSlice", kubernetesDiscovery),
    ]

    static let kubernetesCore = ["v1"]
    static let kubernetesNetworking = ["networking.k8s.io/v1", "extensions/v1beta1"]
    static let calico = ["projectcalico.org/v3"]
    static let kubernetesDiscovery = ["discovery.k8s.io/v1"]
    /// Kinds of the Calico v1 API (calicoctl 1.x/2.x), which used `apiVersion: v1`.
    static let calicoV1Kinds: Set<String> = ["policy", "profile", "hostEndpoint", "workloadEndpoint", "ipPool", "bgpPeer", "node", "tier"]

    /// Loads files and directories; a directory contributes its `*.yaml` and `*.yml` files,
    /// recursively, in path order (hidden files and directories are skipped).
    public static func load(paths: [String]) throws(ClusterLoadError) -> Cluster {
        var cluster = Cluster()
        for path in paths {
            for file in try yamlFiles(at: path) {
                try load(yaml: try read(file), file: file, into: &cluster)
            }
        }
        return cluster
    }

    /// Loads the documents of one YAML text; `file` names it in errors and source locations.
    public static func load(yaml: String, file: String) throws(ClusterLoadError) -> Cluster {
        var cluster = Cluster()
        try load(yaml: yaml, file: file, into: &cluster)
        return cluster
    }

    static func load(yaml: String, file: String, into cluster: inout Cluster, objectBudget: Int = objectBudget) throws(ClusterLoadError) {
        var roots: [Node] = []
        do {
            // Tags are not resolved by Yams: `ScalarMeaning` reads plain scalars, and resolving every
            // mapping key with regular expressions (for the duplicate-key check) dominates the load time.
            let parser = try Parser(yaml: yaml, resolver: .basic)
            while let root = try parser.nextRoot() { roots.append(root) }
        } catch {
            throw syntaxError(error, yaml: yaml, file: file)
        }
        var budget = objectBudget
        for root in roots {
            try loadDocument(YAMLValue(node: root, path: "", file: file), budget: &budget, into: &cluster)
        }
    }

    // MARK: Files

    static func yamlFiles(at path: String) throws(ClusterLoadError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ClusterLoadError(file: path, line: 0, message: "no such file or directory")
        }
        guard isDirectory.boolValue else { return [path] }
        let root = URL(fileURLWithPath: path, isDirectory: true)
        guard let enumerator = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles]
        ) else {
            throw ClusterLoadError(file: path, line: 0, message: "cannot read the directory")
        }
        var relatives: [String] = []
        let rootPath = root.standardizedFileURL.path
        for case let url as URL in enumerator {
            let ext = url.pathExtension.lowercased()
            guard ext == "yaml" || ext == "yml" else { continue }
            var entryIsDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &entryIsDirectory), !entryIsDirectory.boolValue else { continue }
            let filePath = url.standardizedFileURL.path
            if filePath.hasPrefix(rootPath + "/") {
                relatives.append(String(filePath.dropFirst(rootPath.count + 1)))
            } else {
                relatives.append(filePath)
            }
        }
        if relatives.isEmpty {
            throw ClusterLoadError(file: path, line: 0, message: "the directory holds no *.yaml or *.yml files")
        }
        let base = path.hasSuffix("/") ? String(path.dropLast()) : path
        return relatives.sorted().map { $0.hasPrefix("/") ? $0 : "\(base)/\($0)" }
    }

    static func read(_ file: String) throws(ClusterLoadError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw ClusterLoadError(file: file, line: 0, message: "cannot read the file: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ClusterLoadError(file: file, line: 0, message: "expected UTF-8 text, found bytes that are not UTF-8")
        }
        return text
    }

    // MARK: YAML syntax

    static func syntaxError(_ error: any Error, yaml: String, file: String) -> ClusterLoadError {
        guard let error = error as? YamlError else {
            return ClusterLoadError(file: file, line: 1, message: "YAML syntax error: \(error)")
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            var message = "YAML syntax error: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            if startsWithTab(line: mark.line, in: yaml) {
                message += "; tabs are not allowed in YAML indentation, indent with spaces"
            }
            return ClusterLoadError(file: file, line: max(mark.line, 1), message: message)
        case .reader(let problem, let offset, let value, _):
            let line = offset.map { lineNumber(ofCharacterOffset: $0, in: yaml) } ?? 1
            let character = value >= 0 ? String(format: " (character U+%04X)", Int(value)) : ""
            return ClusterLoadError(file: file, line: line, message: "YAML syntax error: \(problem)\(character)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return ClusterLoadError(file: file, line: max(context.mark.line, 1),
                                    message: "YAML error: duplicate key \(keys) in a mapping: expected each key once")
        default:
            return ClusterLoadError(file: file, line: 1, message: "YAML error: \(error)")
        }
    }

    static func lineNumber(ofCharacterOffset offset: Int, in text: String) -> Int {
        var line = 1
        for (index, character) in text.enumerated() {
            if index >= offset { break }
            if character.isNewline { line += 1 }
        }
        return line
    }

    static func startsWithTab(line: Int, in text: String) -> Bool {
        var current = 1
        for lineText in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == line || current == line - 1 {
                if lineText.prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") { return true }
            }
            if current >= line { break }
            current += 1
        }
        return false
    }

    // MARK: Objects

    /// How many objects one text may hold: aliases can repeat a list of lists of lists cheaply,
    /// and a load should end in an error rather than run for hours.
    static let objectBudget = 1_000_000

    static func loadDocument(_ document: YAMLValue, budget: inout Int, into cluster: inout Cluster) throws(ClusterLoadError) {
        switch document.node {
        case .sequence:
            // calicoctl prints lists of objects as a bare sequence.
            for item in try document.sequence() {
                try loadObject(YAMLValue(node: item.node, path: "", file: item.file), listKind: nil, budget: &budget, into: &cluster)
            }
        default:
            if document.isNull { return }
            try loadObject(document, listKind: nil, budget: &budget, into: &cluster)
        }
    }

    /// `listKind` is the item kind and apiVersion of a typed list (`PodList` → Pod), for items
    /// printed without their own.
    static func loadObject(_ value: YAMLValue, listKind: (kind: String, apiVersion: String?)?, budget: inout Int, into cluster: inout Cluster) throws(ClusterLoadError) {
        budget -= 1
        if budget < 0 {
            throw value.error("expected fewer objects in one file: aliases repeat lists of lists beyond the limit")
        }
        guard case .mapping = value.node else {
            throw value.expected("a Kubernetes or Calico object (a mapping with apiVersion and kind)")
        }
        let object = try value.mapping()
        let kindValue = object["kind"]
        let kind: String
        if let kindValue {
            kind = try kindValue.string()
        } else if let listKind {
            kind = listKind.kind
        } else {
            throw object.missing("kind")
        }
        let apiVersionValue = object["apiVersion"]
        var apiVersion = try apiVersionValue?.string()
        if apiVersion == nil, let listKind, listKind.kind == kind { apiVersion = listKind.apiVersion }
        let kindLine = kindValue?.line ?? value.line

        if kind == "List" || (kind.hasSuffix("List") && object.contains("items")) {
            let itemKind = kind == "List" ? nil : (kind: String(kind.dropLast(4)), apiVersion: apiVersion)
            for item in try object.sequence("items") {
                try loadObject(YAMLValue(node: item.node, path: "", file: item.file), listKind: itemKind, budget: &budget, into: &cluster)
            }
            return
        }
        if apiVersion == "v1" && calicoV1Kinds.contains(kind) {
            throw ClusterLoadError(
                file: value.file, line: kindLine,
                message: "kind \"\(kind)\" with apiVersion v1 is a Calico v1 object (calicoctl 1.x/2.x): expected a Kubernetes NetworkPolicy (networking.k8s.io/v1) or a projectcalico.org/v3 object (calicoctl convert turns v1 objects into v3)")
        }
        if ignoredKinds.contains(kind) { return }
        guard let accepted = supportedKinds.first(where: { $0.kind == kind })?.apiVersions else {
            let known = supportedKinds.map(\.kind) + ["List"]
            throw ClusterLoadError(
                file: value.file, line: kindLine,
                message: "unknown kind \"\(kind)\" (\(apiVersion.map { "apiVersion \($0)" } ?? "no apiVersion")): expected one of \(known.joined(separator: ", ")); skipped kinds: \(ignoredKinds.joined(separator: ", "))")
        }
        guard let apiVersion else {
            throw ClusterLoadError(file: value.file, line: value.line,
                                   message: "missing required field \"apiVersion\": expected \(YAMLValue.oneOf(accepted)) for kind \(kind)")
        }
        guard accepted.contains(apiVersion) else {
            var message = "unknown apiVersion \"\(apiVersion)\" for kind \(kind): expected \(YAMLValue.oneOf(accepted))"
            if apiVersion.hasPrefix("crd.projectcalico.org/") {
                message += "; crd.projectcalico.org objects are Calico's internal storage form: print them with calicoctl get -o yaml"
            }
            throw ClusterLoadError(file: value.file, line: apiVersionValue?.line ?? value.line, message: message)
        }

        let reader = ObjectReader(object: object, kind: kind, apiVersion: apiVersion)
        switch (kind, apiVersion) {
        case ("Namespace", _): cluster.namespaces.append(try reader.namespace())
        case ("ServiceAccount", _): cluster.serviceAccounts.append(try reader.serviceAccount())
        case ("Pod", _): cluster.pods.append(try reader.pod())
        case ("Node", _): cluster.nodes.append(try reader.node())
        case ("NetworkPolicy", "projectcalico.org/v3"): cluster.calicoPolicies.append(try reader.calicoPolicy(.networkPolicy))
        case ("NetworkPolicy", _): cluster.kubernetesPolicies.append(try reader.kubernetesNetworkPolicy())
        case ("GlobalNetworkPolicy", _): cluster.calicoPolicies.append(try reader.calicoPolicy(.globalNetworkPolicy))
        case ("StagedNetworkPolicy", _): cluster.calicoPolicies.append(try reader.calicoPolicy(.stagedNetworkPolicy))
        case ("StagedGlobalNetworkPolicy", _): cluster.calicoPolicies.append(try reader.calicoPolicy(.stagedGlobalNetworkPolicy))
        case ("Tier", _): cluster.tiers.append(try reader.tier())
        case ("Profile", _): cluster.profiles.append(try reader.profile())
        case ("WorkloadEndpoint", _): cluster.workloadEndpoints.append(try reader.workloadEndpoint())
        case ("HostEndpoint", _): cluster.hostEndpoints.append(try reader.hostEndpoint())
        case ("IPPool", _): cluster.ipPools.append(try reader.ipPool())
        case ("FelixConfiguration", _): cluster.felixConfigurations.append(try reader.felixConfiguration())
        case ("Service", _): cluster.services.append(try reader.service())
        case ("EndpointSlice", _): cluster.endpointSlices.append(try reader.endpointSlice())
        default:
            throw ClusterLoadError(file: value.file, line: kindLine, message: "kind \(kind) is not read")
        }
    }
}

/// Reads one object whose kind and apiVersion were checked.
struct ObjectReader {
    let object: YAMLMapping
    let kind: String
    let apiVersion: String

    var file: String { object.file }
    var source: SourceLocation { SourceLocation(file: object.file, line: object.value.line) }

    /// `metadata`; `defaultNamespace` is nil for cluster-scoped kinds (whose namespace is ignored).
    func meta(defaultNamespace: String?) throws(ClusterLoadError) -> ObjectMeta {
        guard let metadata = try object.mapping("metadata") else { throw object.missing("metadata") }
        let name = try metadata.requiredString("name")
        if name.isEmpty { throw metadata["name"]!.error("expected a non-empty name") }
        var namespace: String?
        if let defaultNamespace {
            namespace = try metadata.string("namespace") ?? defaultNamespace
            if namespace == "" { namespace = defaultNamespace }
        }
        return ObjectMeta(name: name, namespace: namespace, labels: try metadata.stringMap("labels"),
                          annotations: try metadata.stringMap("annotations"), source: source)
    }

    func spec() throws(ClusterLoadError) -> YAMLMapping? { try object.mapping("spec") }
}
