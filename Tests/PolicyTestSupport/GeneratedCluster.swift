import CalicoModel
import Netfilter

/// The engine's seeded SplitMix64: the generator's only source of randomness.
package struct ClusterRandom {
    package var source: SplitMix64
    package init(seed: UInt64) { source = SplitMix64(seed: seed) }

    package mutating func next() -> UInt64 { source.next() }

    /// In 0..<bound (0 when the bound is not positive).
    package mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }

    package mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }

    package mutating func chance(_ probability: Double) -> Bool {
        Double(next() >> 11) / Double(UInt64(1) << 53) < probability
    }

    package mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    /// `count` distinct items, in their original order.
    package mutating func pick<T>(_ count: Int, of items: [T]) -> [T] {
        var indices = Array(items.indices)
        var chosen: [Int] = []
        for _ in 0..<min(count, items.count) { chosen.append(indices.remove(at: int(0...(indices.count - 1)))) }
        return chosen.sorted().map { items[$0] }
    }

    package mutating func hex(_ digits: Int) -> String {
        String((0..<digits).map { _ in Array("0123456789abcdef")[int(0...15)] })
    }
}

/// Where a generated cluster's pods and nodes live.
package struct ClusterTopology: Sendable {
    package var nodeUnderTest = "node-a"
    package var nodeAddress = "192.168.0.10"
    package var otherNode = "node-b"
    package var otherNodeAddress = "192.168.0.11"
    /// The three pods on the node under test, in order.
    package var localPodIPs = ["10.65.0.2", "10.65.0.3", "10.65.0.4"]
    /// Interface names for the local pods, pinned with WorkloadEndpoints; nil = each local pod is
    /// pinned to a random `cali…` name or left to the default name, at random.
    package var localInterfaces: [String]?
    /// Remote pods get `<prefix><10 + i>`.
    package var remotePodPrefix = "10.66.0."
    package var externalIPs = ["203.0.113.7", "203.0.113.77", "198.51.100.20", "172.16.5.9"]
    package var ipPoolCIDR = "10.64.0.0/10"

    package init() {}
}

/// A (protocol, port) a generated packet is sent to.
package struct PortProbe: Hashable, Sendable, Comparable, CustomStringConvertible {
    package var proto: String
    package var port: Int

    package init(proto: String, port: Int) {
        self.proto = proto
        self.port = port
    }

    package var description: String { "\(proto) \(port)" }

    package static func < (lhs: PortProbe, rhs: PortProbe) -> Bool { (lhs.proto, lhs.port) < (rhs.proto, rhs.port) }

    /// A port no generated policy or container port uses.
    package static let unmentioned = [PortProbe(proto: "TCP", port: 7777), PortProbe(proto: "UDP", port: 7777)]

    /// Every port the cluster's policies mention: numbers (with either protocol), both ends of
    /// each range and the ports just outside it, every container port a named port names (on
    /// any pod, with the container port's protocol and the policy port's); plus `unmentioned`.
    package static func covering(_ cluster: Cluster) -> [PortProbe] {
        var probes = Set(unmentioned)
        let rules = cluster.kubernetesPolicies.flatMap { $0.ingress + $0.egress }
        for port in rules.flatMap(\.ports) {
            let proto = (port.proto ?? "TCP").uppercased()
            switch port.port {
            case nil:
                probes.insert(PortProbe(proto: proto, port: 7777))
            case .number(let number):
                probes.insert(PortProbe(proto: proto, port: number))
                probes.insert(PortProbe(proto: proto == "TCP" ? "UDP" : "TCP", port: number))
                if let end = port.endPort {
                    probes.insert(PortProbe(proto: proto, port: end))
                    probes.insert(PortProbe(proto: proto, port: (number + end) / 2))
                    probes.insert(PortProbe(proto: proto, port: end + 1))
                    if number > 1 { probes.insert(PortProbe(proto: proto, port: number - 1)) }
                }
            case .name(let name):
                for containerPort in cluster.pods.flatMap(\.ports) where containerPort.name == name {
                    probes.insert(PortProbe(proto: containerPort.proto.uppercased(), port: containerPort.port))
                    probes.insert(PortProbe(proto: proto, port: containerPort.port))
                }
            }
        }
        return probes.sorted()
    }
}

/// A seeded random cluster: namespaces, pods on two nodes, Kubernetes NetworkPolicies.
package struct GeneratedCluster: Sendable {
    package var seed: UInt64
    package var topology: ClusterTopology
    package var cluster: Cluster
    /// The three pods on the node under test, in the order of `topology.localPodIPs`.
    package var localPods: [PodPeer]
    package var remotePods: [PodPeer]
    package var externalIPs: [String]
    package var probes: [PortProbe]

    /// Every ordered (source, destination) with at least one pod of the node under test, no pod
    /// to itself, in a fixed order.
    package var pairs: [(source: Peer, destination: Peer)] {
        let local = localPods.map(Peer.pod)
        let others = remotePods.map(Peer.pod) + externalIPs.map(Peer.external)
        var result: [(Peer, Peer)] = []
        for source in local {
            for destination in local + others where destination != source { result.append((source, destination)) }
        }
        for source in others {
            for destination in local { result.append((source, destination)) }
        }
        return result
    }

    package func isLocal(_ peer: Peer) -> Bool {
        guard let pod = peer.pod else { return false }
        return localPods.contains(pod)
    }

    /// The interface a WorkloadEndpoint pins for this pod, if any.
    package func pinnedInterface(_ pod: PodPeer) -> String? {
        cluster.workloadEndpoints.first { $0.meta.namespace == pod.namespace && $0.pod == pod.name }?.interfaceName
    }

    package var summary: String { "seed \(seed)\n" + ClusterDump.describe(cluster) }
}

package enum ClusterGenerator {
    package static let apps = ["web", "db", "api", "cache"]
    package static let tiers = ["front", "back"]
    package static let namespaceNames = ["default", "prod", "dev", "shop"]
    package static let portNames = ["http", "https", "metrics", "dns", "db"]
    package static let tcpPorts = [80, 443, 5432, 6379, 8080, 8443, 9090]
    package static let udpPorts = [53, 5353, 8125]
    package static let ranges = [(8000, 8100), (5000, 5432), (80, 90), (9000, 9100), (50, 60), (5432, 5432)]

    package static func generate(seed: UInt64, topology: ClusterTopology = ClusterTopology()) -> GeneratedCluster {
        var random = ClusterRandom(seed: seed ^ 0x5EED_C1A5_7E12_0000)
        var cluster = Cluster()

        // Namespaces, labelled as the API server returns them.
        var namespaces = random.pick(random.int(2...3), of: namespaceNames)
        if !namespaces.contains("default"), random.chance(0.5) { namespaces[0] = "default" }
        for name in namespaces {
            var labels = ["kubernetes.io/metadata.name": name]
            if random.chance(0.7) { labels["env"] = random.pick(["prod", "dev"]) }
            if random.chance(0.5) { labels["team"] = random.pick(["a", "b"]) }
            cluster.namespaces.append(KubernetesNamespace(meta: ObjectMeta(name: name, labels: labels)))
            cluster.serviceAccounts.append(KubernetesServiceAccount(meta: ObjectMeta(name: "default", namespace: name)))
        }

        cluster.nodes = [
            KubernetesNode(meta: ObjectMeta(name: topology.nodeUnderTest), internalIPs: [topology.nodeAddress]),
            KubernetesNode(meta: ObjectMeta(name: topology.otherNode), internalIPs: [topology.otherNodeAddress]),
        ]
        if random.chance(0.6) {
            cluster.ipPools = [IPPool(meta: ObjectMeta(name: "default-ipv4-ippool"), cidr: topology.ipPoolCIDR, natOutgoing: random.chance(0.5))]
        }

        // Pods: three on the node under test, the rest on the other node.
        let podCount = random.int(4...8)
        var local: [PodPeer] = []
        var remote: [PodPeer] = []
        for index in 0..<podCount {
            var labels: [String: String] = [:]
            if random.chance(0.9) { labels["app"] = random.pick(apps) }
            if random.chance(0.7) { labels["tier"] = random.pick(tiers) }
            var ports: [NamedPort] = []
            for name in random.pick(random.int(0...2), of: portNames) {
                switch name {
                case "http": ports.append(NamedPort(name: name, proto: "TCP", port: random.pick([80, 8080])))
                case "https": ports.append(NamedPort(name: name, proto: "TCP", port: 8443))
                case "metrics": ports.append(NamedPort(name: name, proto: "TCP", port: random.pick([9090, 9100])))
                case "dns": ports.append(NamedPort(name: name, proto: "UDP", port: 53))
                default: ports.append(NamedPort(name: name, proto: "TCP", port: 5432))
                }
            }
            let isLocal = index < topology.localPodIPs.count
            let ip = isLocal ? topology.localPodIPs[index] : topology.remotePodPrefix + String(10 + index)
            let namespace = random.pick(namespaces)
            let name = "\(labels["app"] ?? "pod")-\(index)"
            let node = isLocal ? topology.nodeUnderTest : topology.otherNode
            let pod = KubernetesPod(meta: ObjectMeta(name: name, namespace: namespace, labels: labels), nodeName: node, ips: [ip], ports: ports, phase: "Running")
            cluster.pods.append(pod)
            let peer = PodPeer(pod)
            if isLocal {
                local.append(peer)
                let pinned = topology.localInterfaces.map { $0[index] } ?? (random.chance(0.35) ? "cali" + random.hex(11) : nil)
                if let pinned {
                    cluster.workloadEndpoints.append(workloadEndpoint(for: pod, node: node, interface: pinned))
                }
            } else {
                remote.append(peer)
            }
        }

        // Policies.
        let allPodIPs = (local + remote).map(\.ip)
        let localNet = network24(topology.localPodIPs[0])
        let remoteNet = network24(topology.remotePodPrefix + "0")
        func ipBlock() -> KubernetesNetworkPolicy.IPBlock {
            switch random.int(0...10) {
            case 0: return .init(cidr: localNet, except: [random.pick(topology.localPodIPs) + "/32"])
            case 10: return .init(cidr: random.pick(allPodIPs) + "/24")  // not canonical: the API server accepts it
            case 1: return .init(cidr: remoteNet, except: remote.isEmpty ? [] : [random.pick(remote).ip + "/32"])
            case 2: return .init(cidr: "0.0.0.0/0", except: ["10.0.0.0/8"])
            case 3: return .init(cidr: "0.0.0.0/0")
            case 4: return .init(cidr: "203.0.113.0/24", except: ["203.0.113.0/29"])
            case 5: return .init(cidr: "198.51.100.0/24")
            case 6: return .init(cidr: random.pick(allPodIPs) + "/32")
            case 7: return .init(cidr: "10.0.0.0/8", except: [localNet])
            case 8: return .init(cidr: "172.16.0.0/12", except: ["172.16.5.0/24"])
            default: return .init(cidr: random.pick(topology.externalIPs) + "/32")
            }
        }
        func podSelector() -> LabelSelector {
            switch random.int(0...8) {
            case 0: return LabelSelector()
            case 1: return LabelSelector(matchLabels: ["app": random.pick(apps)])
            case 2: return LabelSelector(matchLabels: ["tier": random.pick(tiers)])
            case 3: return LabelSelector(matchLabels: ["app": random.pick(apps), "tier": random.pick(tiers)])
            case 4: return LabelSelector(matchExpressions: [.init(key: "app", op: .in, values: random.pick(random.int(1...2), of: apps))])
            case 5: return LabelSelector(matchExpressions: [.init(key: "app", op: .notIn, values: random.pick(random.int(1...2), of: apps))])
            case 6: return LabelSelector(matchExpressions: [.init(key: random.pick(["tier", "app"]), op: .exists)])
            case 7: return LabelSelector(matchExpressions: [.init(key: random.pick(["tier", "app"]), op: .doesNotExist)])
            default:
                return LabelSelector(matchLabels: ["app": random.pick(apps)],
                                     matchExpressions: [.init(key: "tier", op: random.pick([.in, .notIn]), values: [random.pick(tiers)])])
            }
        }
        func namespaceSelector() -> LabelSelector {
            switch random.int(0...6) {
            case 0: return LabelSelector()
            case 1: return LabelSelector(matchLabels: ["env": random.pick(["prod", "dev"])])
            case 2: return LabelSelector(matchLabels: ["kubernetes.io/metadata.name": random.pick(namespaces)])
            case 3: return LabelSelector(matchExpressions: [.init(key: "env", op: .in, values: random.pick(random.int(1...2), of: ["prod", "dev"]))])
            case 4: return LabelSelector(matchExpressions: [.init(key: "team", op: random.pick([.exists, .doesNotExist]))])
            case 5: return LabelSelector(matchExpressions: [.init(key: "kubernetes.io/metadata.name", op: .notIn, values: [random.pick(namespaces)])])
            default: return LabelSelector(matchExpressions: [.init(key: "env", op: .notIn, values: ["prod"])])
            }
        }
        func peer() -> KubernetesNetworkPolicy.Peer {
            switch random.int(0...6) {
            case 0, 1: return .init(podSelector: podSelector())
            case 2: return .init(namespaceSelector: namespaceSelector())
            case 3: return .init(podSelector: podSelector(), namespaceSelector: namespaceSelector())
            case 4: return .init(ipBlock: ipBlock())
            case 5: return .init(podSelector: LabelSelector())
            default: return .init(namespaceSelector: LabelSelector())
            }
        }
        func port() -> KubernetesNetworkPolicy.Port {
            switch random.int(0...6) {
            case 0, 1: return .init(proto: random.chance(0.5) ? nil : "TCP", port: .number(random.pick(tcpPorts)))
            case 2: return .init(proto: "UDP", port: .number(random.pick(udpPorts)))
            case 3:
                let range = random.pick(ranges)
                return .init(proto: random.chance(0.8) ? "TCP" : "UDP", port: .number(range.0), endPort: range.1)
            case 4, 5:
                let name = random.pick(portNames)
                return .init(proto: name == "dns" ? "UDP" : (random.chance(0.75) ? nil : "UDP"), port: .name(name))
            default: return .init(proto: random.pick(["TCP", "UDP"]))
            }
        }
        func rules() -> [KubernetesNetworkPolicy.Rule] {
            let count = random.pick([0, 1, 1, 2, 2, 3])
            return (0..<count).map { _ in
                if random.chance(0.1) { return KubernetesNetworkPolicy.Rule() }  // `- {}`: everything
                let peers = (0..<random.pick([0, 1, 1, 2])).map { _ in peer() }
                let ports = (0..<random.pick([0, 1, 1, 2])).map { _ in port() }
                return KubernetesNetworkPolicy.Rule(peers: peers, ports: ports)
            }
        }
        let podNamespaces = Array(Set(cluster.pods.compactMap(\.meta.namespace))).sorted()
        for index in 0..<random.int(1...5) {
            let namespace = random.chance(0.85) ? random.pick(podNamespaces) : random.pick(namespaces)
            let typeChoices: [[PolicyType]?] = [nil, [.ingress], [.egress], [.ingress, .egress], [.ingress, .egress]]
            let types = random.pick(typeChoices)
            let ingress = types == nil || types!.contains(.ingress) ? rules() : []
            let egress = types == nil || types!.contains(.egress) ? rules() : []
            cluster.kubernetesPolicies.append(KubernetesNetworkPolicy(
                meta: ObjectMeta(name: "np-\(index)", namespace: namespace), podSelector: podSelector(),
                ingress: ingress, egress: egress, policyTypes: types))
        }

        return GeneratedCluster(seed: seed, topology: topology, cluster: cluster, localPods: local, remotePods: remote,
                                externalIPs: topology.externalIPs, probes: PortProbe.covering(cluster))
    }

    /// A WorkloadEndpoint that pins a pod's interface name. Labels are the pod's and profiles
    /// are left empty, so the endpoint gets the namespace (and service account) profiles of
    /// the layout being rendered, as it would from the pod alone.
    package static func workloadEndpoint(for pod: KubernetesPod, node: String, interface: String) -> WorkloadEndpoint {
        let namespace = pod.meta.namespace ?? "default"
        let dashed = { (text: String) in String(text.flatMap { $0 == "-" ? ["-", "-"] : [$0] }) }
        return WorkloadEndpoint(
            meta: ObjectMeta(name: "\(dashed(node))-k8s-\(dashed(pod.meta.name))-eth0", namespace: namespace, labels: pod.meta.labels),
            node: node, orchestrator: "k8s", pod: pod.meta.name, endpoint: "eth0", interfaceName: interface,
            ipNetworks: pod.ips.map { $0 + "/32" }, serviceAccountName: pod.serviceAccountName, ports: pod.ports)
    }

    package static func network24(_ ip: String) -> String {
        ip.split(separator: ".").prefix(3).joined(separator: ".") + ".0/24"
    }
}

/// A cluster in a compact, kubectl-like form for failure messages.
package enum ClusterDump {
    package static func describe(_ cluster: Cluster) -> String {
        var lines: [String] = []
        lines.append("namespaces:")
        for namespace in cluster.namespaces {
            lines.append("  \(namespace.meta.name) \(labels(namespace.meta.labels))")
        }
        lines.append("pods:")
        for pod in cluster.pods {
            let ports = pod.ports.map { "\($0.name)=\($0.proto)/\($0.port)" }.joined(separator: ",")
            let wep = cluster.workloadEndpoints.first { $0.meta.namespace == pod.meta.namespace && $0.pod == pod.meta.name }
            lines.append("  \(pod.meta.qualifiedName) \(pod.ips.joined(separator: ",")) on \(pod.nodeName ?? "?") \(labels(pod.meta.labels))"
                + (ports.isEmpty ? "" : " ports [\(ports)]") + (wep.map { " wep iface \($0.interfaceName)" } ?? ""))
        }
        if !cluster.ipPools.isEmpty {
            lines.append("ipPools: " + cluster.ipPools.map { "\($0.cidr)\($0.natOutgoing ? " natOutgoing" : "")" }.joined(separator: ", "))
        }
        lines.append("networkPolicies:")
        for policy in cluster.kubernetesPolicies {
            let types = policy.policyTypes.map { "[\($0.map(\.rawValue).joined(separator: ", "))]" } ?? "(unset)"
            lines.append("  \(policy.meta.qualifiedName): podSelector \(selector(policy.podSelector)) policyTypes \(types)")
            for (word, rules) in [("ingress", policy.ingress), ("egress", policy.egress)] where !rules.isEmpty || policy.policyTypes?.contains(where: { $0.rawValue.lowercased() == word }) == true {
                lines.append("    \(word):" + (rules.isEmpty ? " []" : ""))
                for rule in rules {
                    let peers = rule.peers.map(peer).joined(separator: "; ")
                    let ports = rule.ports.map(port).joined(separator: ", ")
                    lines.append("      - \(word == "ingress" ? "from" : "to"): \(rule.peers.isEmpty ? "(any)" : "[\(peers)]")  ports: \(rule.ports.isEmpty ? "(any)" : "[\(ports)]")")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    package static func labels(_ labels: [String: String]) -> String {
        "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
    }

    /// The selector in `kubectl get -l` syntax; `{}` when empty.
    package static func selector(_ selector: LabelSelector) -> String {
        var parts = selector.matchLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        for requirement in selector.matchExpressions {
            switch requirement.op {
            case .in: parts.append("\(requirement.key) in (\(requirement.values.joined(separator: ",")))")
            case .notIn: parts.append("\(requirement.key) notin (\(requirement.values.joined(separator: ",")))")
            case .exists: parts.append(requirement.key)
            case .doesNotExist: parts.append("!\(requirement.key)")
            }
        }
        return parts.isEmpty ? "{}" : "{" + parts.joined(separator: ",") + "}"
    }

    package static func peer(_ peer: KubernetesNetworkPolicy.Peer) -> String {
        if let block = peer.ipBlock {
            return "ipBlock \(block.cidr)" + (block.except.isEmpty ? "" : " except \(block.except.joined(separator: ","))")
        }
        var parts: [String] = []
        if let selector = peer.namespaceSelector { parts.append("namespaceSelector \(self.selector(selector))") }
        if let selector = peer.podSelector { parts.append("podSelector \(self.selector(selector))") }
        return parts.joined(separator: " + ")
    }

    package static func port(_ port: KubernetesNetworkPolicy.Port) -> String {
        let proto = port.proto ?? "TCP(default)"
        switch port.port {
        case nil: return "\(proto)/*"
        case .number(let number): return "\(proto)/\(number)" + (port.endPort.map { "-\($0)" } ?? "")
        case .name(let name): return "\(proto)/\(name)"
        }
    }
}
