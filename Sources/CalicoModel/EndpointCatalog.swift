import Digests

/// A Calico endpoint with everything selectors and rendering need: the labels felix matches
/// (its own plus those its profiles apply) and the profiles it references.
public struct ResolvedEndpoint: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable { case workload, host }
    public var kind: Kind
    /// `ns/pod` for workloads, the HostEndpoint's name for hosts.
    public var name: String
    public var namespace: String?
    public var node: String
    /// nil for a HostEndpoint without interfaceName (policy by expectedIPs only); "*" for all.
    public var interfaceName: String?
    /// Addresses without prefix length.
    public var addresses: [String]
    public var labels: [String: String]
    public var profiles: [String]
    public var ports: [NamedPort]
    public var origin: ObjectMeta

    /// Labels with the profiles' labelsToApply underneath (the endpoint's own win).
    public func effectiveLabels(profiles: [String: Profile]) -> [String: String] {
        var result: [String: String] = [:]
        for name in self.profiles {
            for (key, value) in profiles[name]?.labelsToApply ?? [:] { result[key] = value }
        }
        for (key, value) in labels { result[key] = value }
        return result
    }
}

/// Every endpoint of the cluster and every profile, as felix's calculation graph sees them.
public struct EndpointCatalog: Sendable {
    public var endpoints: [ResolvedEndpoint]
    public var profiles: [String: Profile]
    /// Profile names in the order they were defined (written ones, then generated ones).
    public var profileOrder: [String]

    /// `cali` + the first 11 hex digits of SHA-1("<namespace>.<pod>"), as Calico's CNI plugin names veths.
    public static func interfaceName(namespace: String, pod: String, prefix: String = "cali") -> String {
        prefix + String(Hex.lowercase(SHA1.hash("\(namespace).\(pod)")).prefix(11))
    }

    public init(cluster: Cluster, dialect: KubernetesPolicyConverter.Dialect, interfacePrefix: String = "cali") {
        var profiles: [String: Profile] = [:]
        var order: [String] = []
        func addProfile(_ profile: Profile) {
            guard profiles[profile.meta.name] == nil else { return }
            profiles[profile.meta.name] = profile
            order.append(profile.meta.name)
        }
        for profile in cluster.profiles { addProfile(profile) }
        var namespaceNames = Set(cluster.namespaces.map(\.meta.name))
        namespaceNames.formUnion(cluster.pods.compactMap(\.meta.namespace))
        namespaceNames.formUnion(cluster.workloadEndpoints.compactMap(\.meta.namespace))
        for namespace in namespaceNames.sorted() {
            let labels = Self.namespaceLabels(cluster.namespace(named: namespace), name: namespace)
            // The namespace's profile: allow-all, applying its labels under the dialect's prefix.
            let modern = dialect == .modern
            let keyPrefix = modern ? "pcns." : KubernetesPolicyConverter.legacyNamespaceLabelPrefix
            var apply = modern ? ["pcns.projectcalico.org/name": namespace] : [:]
            for (key, value) in labels { apply[keyPrefix + key] = value }
            let allowAll = [CalicoRule(action: .allow)]
            addProfile(Profile(meta: ObjectMeta(name: (modern ? "kns." : "k8s_ns.") + namespace), ingress: allowAll, egress: allowAll, labelsToApply: apply))
        }
        if dialect == .modern {
            // (namespace, service account) pairs, sorted.
            var accounts = Set<[String]>()
            for pod in cluster.pods { accounts.insert([pod.meta.namespace ?? "default", pod.serviceAccountName]) }
            for account in cluster.serviceAccounts { accounts.insert([account.meta.namespace ?? "default", account.meta.name]) }
            // A workload endpoint without its pod still runs as a service account: its own, or
            // the namespace's "default", which Kubernetes creates in every namespace.
            for wep in cluster.workloadEndpoints { accounts.insert([wep.meta.namespace ?? "default", wep.serviceAccountName ?? "default"]) }
            for parts in accounts.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                let labels = cluster.serviceAccounts.first { $0.meta.name == parts[1] && ($0.meta.namespace ?? "default") == parts[0] }?.meta.labels ?? [:]
                var apply = ["pcsa.projectcalico.org/name": parts[1]]
                for (key, value) in labels { apply["pcsa.\(key)"] = value }
                addProfile(Profile(meta: ObjectMeta(name: "ksa.\(parts[0]).\(parts[1])"), labelsToApply: apply))
            }
        }

        var endpoints: [ResolvedEndpoint] = []
        var claimed = Set<String>()
        for wep in cluster.workloadEndpoints {
            let namespace = wep.meta.namespace ?? "default"
            let pod = cluster.pods.first { $0.meta.name == wep.pod && ($0.meta.namespace ?? "default") == namespace }
            if let pod { claimed.insert("\(namespace)/\(pod.meta.name)") }
            var labels = pod.map { Self.podLabels($0, namespace: namespace, dialect: dialect) } ?? [:]
            for (key, value) in wep.meta.labels { labels[key] = value }
            if dialect == .modern {
                labels[KubernetesPolicyConverter.namespaceLabel] = namespace
                labels[KubernetesPolicyConverter.orchestratorLabel] = labels[KubernetesPolicyConverter.orchestratorLabel] ?? wep.orchestrator
                if let account = wep.serviceAccountName ?? pod?.serviceAccountName {
                    labels[KubernetesPolicyConverter.serviceAccountLabel] = account
                }
            } else {
                labels[KubernetesPolicyConverter.legacyNamespaceLabel] = namespace
            }
            let addresses = wep.ipNetworks.isEmpty ? (pod?.ips ?? []) : wep.ipNetworks.map(Self.address)
            let profiles = wep.profiles.isEmpty ? Self.defaultProfiles(namespace: namespace, serviceAccount: wep.serviceAccountName ?? pod?.serviceAccountName ?? "default", dialect: dialect) : wep.profiles
            endpoints.append(ResolvedEndpoint(kind: .workload, name: "\(namespace)/\(wep.pod.isEmpty ? wep.meta.name : wep.pod)", namespace: namespace,
                                              node: wep.node.isEmpty ? (pod?.nodeName ?? "") : wep.node, interfaceName: wep.interfaceName,
                                              addresses: addresses, labels: labels, profiles: profiles,
                                              ports: wep.ports.isEmpty ? (pod?.ports ?? []) : wep.ports, origin: wep.meta))
        }
        for pod in cluster.pods where !pod.hostNetwork && pod.phase != "Succeeded" && pod.phase != "Failed" {
            let namespace = pod.meta.namespace ?? "default"
            guard !claimed.contains("\(namespace)/\(pod.meta.name)"), let node = pod.nodeName, !pod.ips.isEmpty else { continue }
            endpoints.append(ResolvedEndpoint(kind: .workload, name: "\(namespace)/\(pod.meta.name)", namespace: namespace, node: node,
                                              interfaceName: Self.interfaceName(namespace: namespace, pod: pod.meta.name, prefix: interfacePrefix),
                                              addresses: pod.ips, labels: Self.podLabels(pod, namespace: namespace, dialect: dialect),
                                              profiles: Self.defaultProfiles(namespace: namespace, serviceAccount: pod.serviceAccountName, dialect: dialect),
                                              ports: pod.ports, origin: pod.meta))
        }
        for hep in cluster.hostEndpoints {
            endpoints.append(ResolvedEndpoint(kind: .host, name: hep.meta.name, namespace: nil, node: hep.node, interfaceName: hep.interfaceName,
                                              addresses: hep.expectedIPs.map(Self.address), labels: hep.meta.labels, profiles: hep.profiles,
                                              ports: hep.ports, origin: hep.meta))
        }
        self.endpoints = endpoints
        self.profiles = profiles
        self.profileOrder = order
    }

    /// The API server adds `kubernetes.io/metadata.name` to every namespace (Kubernetes ≥1.21).
    static func namespaceLabels(_ namespace: KubernetesNamespace?, name: String) -> [String: String] {
        var labels = namespace?.meta.labels ?? [:]
        labels["kubernetes.io/metadata.name"] = labels["kubernetes.io/metadata.name"] ?? name
        return labels
    }

    static func podLabels(_ pod: KubernetesPod, namespace: String, dialect: KubernetesPolicyConverter.Dialect) -> [String: String] {
        var labels = pod.meta.labels
        switch dialect {
        case .modern:
            labels[KubernetesPolicyConverter.namespaceLabel] = namespace
            labels[KubernetesPolicyConverter.orchestratorLabel] = "k8s"
            labels[KubernetesPolicyConverter.serviceAccountLabel] = pod.serviceAccountName
        case .legacy:
            labels[KubernetesPolicyConverter.legacyNamespaceLabel] = namespace
        }
        return labels
    }

    static func defaultProfiles(namespace: String, serviceAccount: String, dialect: KubernetesPolicyConverter.Dialect) -> [String] {
        dialect == .modern ? ["kns.\(namespace)", "ksa.\(namespace).\(serviceAccount)"] : ["k8s_ns.\(namespace)"]
    }

    /// `10.0.0.1/32` → `10.0.0.1`.
    static func address(_ network: String) -> String {
        network.hasSuffix("/32") || network.hasSuffix("/128") ? String(network[..<network.lastIndex(of: "/")!]) : network
    }
}
