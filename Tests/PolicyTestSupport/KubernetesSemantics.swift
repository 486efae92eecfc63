import CalicoModel

// Kubernetes NetworkPolicy semantics, written from the Kubernetes API documentation
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/ and the
// networking.k8s.io/v1 API reference), deliberately NOT from Calico: it is the reference the
// rendered felix chains are checked against. Plain and slow on purpose; every function is a
// sentence of the documentation.
//
// - A pod is isolated for ingress iff a NetworkPolicy in its namespace selects it
//   (`spec.podSelector`) and has Ingress in its policy types; likewise for egress.
// - policyTypes, when absent: Ingress always, plus Egress when the policy has egress rules.
// - A connection from A to B is allowed iff A's egress allows it (or A is not isolated for
//   egress; only a pod has egress policy) AND B's ingress allows it (or B is not isolated).
// - Policies are additive: a direction is allowed iff some policy that selects the pod for that
//   direction has a rule that allows it.
// - A rule allows iff one of its peers matches (no peers = every source/destination) and one of
//   its ports matches (no ports = every port). Port: protocol (TCP when absent), number, named
//   container port of the destination pod, or `port`..`endPort`.
// - Peers: podSelector alone = pods of the policy's namespace; namespaceSelector alone = every pod
//   of the matching namespaces; both = the selected pods of the matching namespaces; ipBlock =
//   addresses in `cidr` and in no `except` (pod addresses included: Calico treats a pod IP as an
//   ordinary address for ipBlock).
// - Namespace labels include `kubernetes.io/metadata.name: <name>` (the API server sets it).

/// A pod as NetworkPolicy sees it.
package struct PodPeer: Hashable, Sendable {
    package var namespace: String
    package var name: String
    package var labels: [String: String]
    package var ip: String
    /// Container ports; named ones are what `port: http` in a policy refers to.
    package var ports: [NamedPort]

    package init(namespace: String, name: String, labels: [String: String], ip: String, ports: [NamedPort] = []) {
        self.namespace = namespace
        self.name = name
        self.labels = labels
        self.ip = ip
        self.ports = ports
    }

    package init(_ pod: KubernetesPod) {
        self.init(namespace: pod.meta.namespace ?? "default", name: pod.meta.name, labels: pod.meta.labels,
                  ip: pod.ips.first ?? "", ports: pod.ports)
    }
}

/// One end of a connection: a pod, or an address that belongs to no pod.
package enum Peer: Hashable, Sendable, CustomStringConvertible {
    case pod(PodPeer)
    case external(String)

    package var ip: String {
        switch self {
        case .pod(let pod): pod.ip
        case .external(let ip): ip
        }
    }

    package var pod: PodPeer? {
        if case .pod(let pod) = self { return pod }
        return nil
    }

    package var description: String {
        switch self {
        case .pod(let pod): "pod \(pod.namespace)/\(pod.name) (\(pod.ip))"
        case .external(let ip): "external \(ip)"
        }
    }
}

/// Whether Kubernetes allows a new connection from `source` to `destination` on `proto`/`port`.
package func kubernetesAllows(cluster: Cluster, from source: Peer, to destination: Peer, proto: String, port: Int) -> Bool {
    kubernetesEgressAllows(cluster: cluster, from: source, to: destination, proto: proto, port: port)
        && kubernetesIngressAllows(cluster: cluster, from: source, to: destination, proto: proto, port: port)
}

/// The source's half: true for a non-pod source or a pod not isolated for egress.
package func kubernetesEgressAllows(cluster: Cluster, from source: Peer, to destination: Peer, proto: String, port: Int) -> Bool {
    guard let pod = source.pod else { return true }
    let policies = KubernetesSemantics.policies(cluster, selecting: pod, for: .egress)
    if policies.isEmpty { return true }
    return policies.contains { policy in
        policy.egress.contains { rule in
            KubernetesSemantics.ruleAllows(rule, policyNamespace: KubernetesSemantics.namespace(of: policy), peer: destination,
                                          destination: destination, proto: proto, port: port, cluster: cluster)
        }
    }
}

/// The destination's half: true for a non-pod destination or a pod not isolated for ingress.
package func kubernetesIngressAllows(cluster: Cluster, from source: Peer, to destination: Peer, proto: String, port: Int) -> Bool {
    guard let pod = destination.pod else { return true }
    let policies = KubernetesSemantics.policies(cluster, selecting: pod, for: .ingress)
    if policies.isEmpty { return true }
    return policies.contains { policy in
        policy.ingress.contains { rule in
            KubernetesSemantics.ruleAllows(rule, policyNamespace: KubernetesSemantics.namespace(of: policy), peer: source,
                                          destination: destination, proto: proto, port: port, cluster: cluster)
        }
    }
}

package enum KubernetesSemantics {
    package typealias Policy = KubernetesNetworkPolicy

    package static func namespace(of policy: Policy) -> String { policy.meta.namespace ?? "default" }

    /// policyTypes as written, else: Ingress, plus Egress when there are egress rules.
    package static func policyTypes(_ policy: Policy) -> Set<PolicyType> {
        if let written = policy.policyTypes { return Set(written) }
        return policy.egress.isEmpty ? [.ingress] : [.ingress, .egress]
    }

    /// The policies that isolate `pod` for `direction`, in cluster order.
    package static func policies(_ cluster: Cluster, selecting pod: PodPeer, for direction: PolicyType) -> [Policy] {
        cluster.kubernetesPolicies.filter { policy in
            namespace(of: policy) == pod.namespace
                && selects(policy.podSelector, labels: pod.labels)
                && policyTypes(policy).contains(direction)
        }
    }

    /// `peer` is the other end (the source for ingress, the destination for egress); named
    /// ports are looked up on `destination`, which must be a pod for a named port to match.
    package static func ruleAllows(_ rule: Policy.Rule, policyNamespace: String, peer: Peer, destination: Peer,
                           proto: String, port: Int, cluster: Cluster) -> Bool {
        let anyPeer = rule.peers.isEmpty || rule.peers.contains { peerMatches($0, policyNamespace: policyNamespace, candidate: peer, cluster: cluster) }
        let anyPort = rule.ports.isEmpty || rule.ports.contains { portMatches($0, proto: proto, port: port, destination: destination) }
        return anyPeer && anyPort
    }

    package static func peerMatches(_ peer: Policy.Peer, policyNamespace: String, candidate: Peer, cluster: Cluster) -> Bool {
        if let block = peer.ipBlock {
            // ipBlock may not be combined with selectors (the API server refuses it).
            return ipBlockContains(block, address: candidate.ip)
        }
        guard let pod = candidate.pod else { return false }
        switch (peer.podSelector, peer.namespaceSelector) {
        case (let podSelector?, nil):
            return pod.namespace == policyNamespace && selects(podSelector, labels: pod.labels)
        case (nil, let namespaceSelector?):
            return selects(namespaceSelector, labels: namespaceLabels(pod.namespace, cluster: cluster))
        case (let podSelector?, let namespaceSelector?):
            return selects(namespaceSelector, labels: namespaceLabels(pod.namespace, cluster: cluster))
                && selects(podSelector, labels: pod.labels)
        case (nil, nil):
            return false  // an empty peer is refused by the API server
        }
    }

    package static func portMatches(_ policyPort: Policy.Port, proto: String, port: Int, destination: Peer) -> Bool {
        let wanted = (policyPort.proto ?? "TCP").uppercased()
        guard wanted == proto.uppercased() else { return false }
        switch policyPort.port {
        case nil:
            return true
        case .number(let number):
            if let endPort = policyPort.endPort { return number <= port && port <= endPort }
            return port == number
        case .name(let name):
            guard let pod = destination.pod else { return false }
            return pod.ports.contains { $0.name == name && $0.proto.uppercased() == wanted && $0.port == port }
        }
    }

    package static func namespaceLabels(_ name: String, cluster: Cluster) -> [String: String] {
        var labels = cluster.namespaces.first { $0.meta.name == name }?.meta.labels ?? [:]
        labels["kubernetes.io/metadata.name"] = name
        return labels
    }

    /// metav1.LabelSelector: every matchLabels pair and every requirement (ANDed); empty = all.
    package static func selects(_ selector: LabelSelector, labels: [String: String]) -> Bool {
        for (key, value) in selector.matchLabels where labels[key] != value { return false }
        for requirement in selector.matchExpressions {
            let value = labels[requirement.key]
            switch requirement.op {
            case .in:
                guard let value, requirement.values.contains(value) else { return false }
            case .notIn:
                if let value, requirement.values.contains(value) { return false }
            case .exists:
                if value == nil { return false }
            case .doesNotExist:
                if value != nil { return false }
            }
        }
        return true
    }

    package static func ipBlockContains(_ block: Policy.IPBlock, address: String) -> Bool {
        guard let ip = parseIPv4(address) else { return false }
        guard cidrContains(block.cidr, ip) else { return false }
        return !block.except.contains { cidrContains($0, ip) }
    }

    package static func cidrContains(_ cidr: String, _ ip: UInt32) -> Bool {
        let parts = cidr.split(separator: "/")
        guard let base = parts.first.flatMap({ parseIPv4(String($0)) }) else { return false }
        let length = parts.count == 2 ? Int(parts[1]) ?? 32 : 32
        let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length)
        return ip & mask == base & mask
    }

    package static func parseIPv4(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard let byte = UInt8(octet) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    /// Which policies isolate each end and which of their rules allow: for failure messages.
    package static func explain(cluster: Cluster, from source: Peer, to destination: Peer, proto: String, port: Int) -> String {
        var lines: [String] = []
        func describe(_ direction: PolicyType, pod: PodPeer, other: Peer) {
            let isolating = Self.policies(cluster, selecting: pod, for: direction)
            if isolating.isEmpty {
                lines.append("\(pod.namespace)/\(pod.name) is not isolated for \(direction.rawValue.lowercased())")
                return
            }
            for policy in isolating {
                let rules = direction == .ingress ? policy.ingress : policy.egress
                let allowing = rules.indices.filter { index in
                    ruleAllows(rules[index], policyNamespace: namespace(of: policy), peer: other, destination: destination,
                               proto: proto, port: port, cluster: cluster)
                }
                let verdict = allowing.isEmpty ? "no rule allows" : "allowed by \(direction.rawValue.lowercased()) rule(s) \(allowing.map { "#\($0 + 1)" }.joined(separator: ", "))"
                lines.append("\(pod.namespace)/\(pod.name) isolated for \(direction.rawValue.lowercased()) by \(policy.meta.qualifiedName): \(verdict)")
            }
        }
        if let pod = source.pod { describe(.egress, pod: pod, other: destination) }
        if let pod = destination.pod { describe(.ingress, pod: pod, other: source) }
        return lines.joined(separator: "\n")
    }
}
