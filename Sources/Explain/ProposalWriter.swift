import CalicoModel
import Netfilter

/// The smallest change that would let a dropped packet through: a policy to apply (as YAML when
/// the cluster's objects are known), a port to add to the rule that nearly matched, or what to
/// fix outside policy.
struct ProposalWriter {
    var context: ExplainContext
    var reading: TraceReading

    func proposals(for explanation: Explanation, decision: Decision) -> [Proposal] {
        guard explanation.verdict != "accepted" else { return [] }
        var proposals: [Proposal] = []
        switch explanation.cause {
        case .endOfTier, .noProfileMatched, .policyDeny, .profileDeny:
            proposals += nearRuleProposals(explanation)
            if let allow = allowPolicy(explanation, decision: decision) { proposals.append(allow) }
        case .conntrackInvalid:
            proposals.append(Proposal(summary: "no policy change helps: make the connection's packets take one path through this node (asymmetric routing or a mid-stream pickup leaves conntrack without the connection), or look at what sends packets outside the TCP window"))
        case .unknownInterface:
            proposals.append(Proposal(summary: "felix has no endpoint for this interface: check the pod is Running on this node and its WorkloadEndpoint names the interface (calicoctl get workloadendpoints), or remove the stale veth"))
        case .reversePath:
            proposals.append(Proposal(summary: "the source address must be one the node routes back through the incoming interface: a pod may only send from its own IPs; for a host interface add the route back"))
        case .encapsulationDrop:
            proposals.append(Proposal(summary: "tunnel packets are accepted only between Calico nodes (the all-hosts ipset): add the sending host as a Node, or stop the workload from encapsulating"))
        case .serviceNoEndpoints:
            let service = explanation.service ?? "NAMESPACE/NAME:PORT"
            let namespace = service.split(separator: "/").first.map(String.init) ?? "default"
            let name = service.split(separator: "/").dropFirst().first.map { String($0.prefix { $0 != ":" }) } ?? "NAME"
            proposals.append(Proposal(summary: "give Service \(namespace)/\(name) ready endpoints: its selector must match Running, Ready pods that serve the target port (kubectl -n \(namespace) get endpointslices -l kubernetes.io/service-name=\(name))"))
        case .noRoute:
            proposals.append(Proposal(summary: "add a route to \(reading.trace.finalPacket.destination) on this node"))
        default:
            break
        }
        return proposals
    }

    /// A port or peer the policy's closest rule lacks, when that is the only thing missing.
    private func nearRuleProposals(_ explanation: Explanation) -> [Proposal] {
        var proposals: [Proposal] = []
        for evaluation in explanation.policiesApplied where evaluation.outcome == "no-rule-matched" {
            guard let near = evaluation.nearestRule, near.failed.count == 1 else { continue }
            let failed = near.failed[0]
            let rule = near.ruleIndex.map { "\(explanation.direction ?? "ingress") rule \($0 + 1)" } ?? "the rule at \(near.chain) #\(near.position)"
            let name = Summary.policyName(evaluation.policy)
            switch failed.kind {
            case "port":
                let proto = IPProtocolNumber.name(seenPacket.proto).uppercased()
                proposals.append(Proposal(summary: "\(name), \(rule), matches everything but the port: add port \(failed.actual)/\(proto) to it",
                                          yaml: context.cluster == nil ? nil : "ports:\n- protocol: \(proto)\n  port: \(failed.actual)\n"))
            case "ipset":
                let peer = failed.selector.map { "peers matching `\($0)`" } ?? "the addresses in ipset \(failed.ipset ?? "")"
                proposals.append(Proposal(summary: "\(name), \(rule), allows \(peer); \(failed.actual) is not one of them: widen that selector or give the peer the labels it asks for"))
            default:
                proposals.append(Proposal(summary: "\(name), \(rule), fails only on: \(failed.text)"))
            }
        }
        return proposals
    }

    /// The packet as the deciding rules saw it.
    private var seenPacket: Packet {
        if case .droppedByRule(let step) = reading.trace.fate, let index = reading.trace.steps.lastIndex(of: step), let visit = reading.visit(containing: index) {
            return visit.packet
        }
        return reading.trace.finalPacket
    }

    private func allowPolicy(_ explanation: Explanation, decision: Decision) -> Proposal? {
        guard let endpoint = explanation.endpoint else { return nil }
        let direction = explanation.direction ?? "ingress"
        let packet = seenPacket
        let peerAddress = direction == "ingress" ? packet.source : packet.destination
        let naming = EndpointNaming(context: context)
        let peer = naming.workload(address: peerAddress)
        let protoName = IPProtocolNumber.name(packet.proto)
        let hasPorts = IPProtocolNumber.hasPorts(packet.proto)
        let what = hasPorts ? "\(protoName) port \(packet.destinationPort)" : protoName
        let peerText = peer.map { "pod \($0.name)" } ?? "\(peerAddress)"
        let target = endpoint.kind == "host" ? "host endpoint \(endpoint.name ?? endpoint.interface)" : endpoint.name.map { "pod \($0)" } ?? "the workload on \(endpoint.interface)"
        let fromTo = direction == "ingress" ? "from" : "to"
        // A Deny in a policy ordered earlier wins over any later Allow: the Allow must come first.
        let denier = explanation.cause == .policyDeny ? explanation.policy : nil
        let denying = denier.flatMap(calicoPolicy)
        var summary = "apply a policy that selects \(target) and allows \(direction) \(fromTo) \(peerText) on \(what)"
        if let denier, let denying {
            summary = "\(Summary.policyName(denier)) denies it: narrow its rule, or allow this traffic in a policy ordered before it (order below \(Self.number(denying.order ?? 0)), same tier): selects \(target), allows \(direction) \(fromTo) \(peerText) on \(what)"
        }
        guard context.cluster != nil, endpoint.kind == "workload", let name = endpoint.name,
              let resolved = naming.resolve(interface: endpoint.interface, kind: "workload") else {
            return Proposal(summary: summary + (endpoint.kind == "host" ? " (a GlobalNetworkPolicy selecting the host endpoint's labels)" : ""))
        }
        let namespace = name.split(separator: "/").first.map(String.init) ?? "default"
        let selector = podSelector(explanation, target: resolved)
        let peerName = peer.map { Self.short($0) } ?? "\(peerAddress)".replacingOccurrences(of: ".", with: "-")
        let policyName = "allow-\(peerName)-to-\(Self.short(resolved))"
        guard denying == nil, packet.proto != IPProtocolNumber.icmp else {
            // Calico's own policy: it can be ordered before a Deny, and it can name ICMP.
            var yaml = "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: \(policyName)\n  namespace: \(namespace)\nspec:\n"
            if let denying {
                if denying.tier != "default" { yaml += "  tier: \(denying.tier)\n" }
                yaml += "  order: \(Self.number((denying.order ?? 1) - 1))\n"
            }
            yaml += "  selector: \(Self.calicoSelector(selector))\n  types:\n  - \(direction == "ingress" ? "Ingress" : "Egress")\n  \(direction):\n  - action: Allow\n    protocol: \(protoName.uppercased())\n"
            let side = direction == "ingress" ? "source" : "destination"
            if let peer, peer.namespace == namespace {
                yaml += "    \(side):\n      selector: \(Self.calicoSelector(Self.userLabels(peer.labels)))\n"
            } else {
                yaml += "    \(side):\n      nets:\n      - \(peerAddress)/32\n"
            }
            if hasPorts {
                yaml += direction == "ingress" ? "    destination:\n      ports:\n      - \(packet.destinationPort)\n" : "      ports:\n      - \(packet.destinationPort)\n"
            }
            let why = denying == nil ? " (a Calico NetworkPolicy: Kubernetes NetworkPolicy cannot name ICMP)" : ""
            return Proposal(summary: summary + why, yaml: yaml)
        }
        var yaml = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: \(policyName)\n  namespace: \(namespace)\nspec:\n"
        yaml += "  podSelector:\n" + Self.matchLabels(selector, indent: "    ")
        yaml += "  policyTypes:\n  - \(direction == "ingress" ? "Ingress" : "Egress")\n  \(direction):\n  - \(fromTo):\n"
        if let peer {
            if peer.namespace != namespace, let peerNamespace = peer.namespace {
                yaml += "    - namespaceSelector:\n        matchLabels:\n          kubernetes.io/metadata.name: \(peerNamespace)\n      podSelector:\n" + Self.matchLabels(Self.userLabels(peer.labels), indent: "        ")
            } else {
                yaml += "    - podSelector:\n" + Self.matchLabels(Self.userLabels(peer.labels), indent: "        ")
            }
        } else {
            yaml += "    - ipBlock:\n        cidr: \(peerAddress)/32\n"
        }
        if hasPorts {
            yaml += "    ports:\n    - protocol: \(protoName.uppercased())\n      port: \(packet.destinationPort)\n"
        }
        return Proposal(summary: summary, yaml: yaml)
    }

    private func calicoPolicy(_ reference: PolicyReference) -> CalicoPolicy? {
        context.cluster?.calicoPolicies.first { $0.kind.rawValue == reference.kind && $0.meta.qualifiedName == reference.name }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// The selector of the Kubernetes policy that already picks the pod, else the pod's own labels.
    private func podSelector(_ explanation: Explanation, target: ResolvedEndpoint) -> [String: String] {
        if let cluster = context.cluster {
            for evaluation in explanation.policiesApplied where evaluation.policy.kind == "KubernetesNetworkPolicy" {
                if let policy = cluster.kubernetesPolicies.first(where: { $0.meta.qualifiedName == evaluation.policy.name }),
                   policy.podSelector.matchExpressions.isEmpty, !policy.podSelector.matchLabels.isEmpty {
                    return policy.podSelector.matchLabels
                }
            }
        }
        return Self.userLabels(target.labels)
    }

    /// Labels a person would select on: without Calico's own and the controllers' hash labels.
    static func userLabels(_ labels: [String: String]) -> [String: String] {
        labels.filter { key, _ in
            !key.hasPrefix("projectcalico.org/") && !key.hasPrefix("calico/") && key != "pod-template-hash" && key != "controller-revision-hash"
                && !key.hasPrefix("statefulset.kubernetes.io/") && !key.hasPrefix("pcsa.") && !key.hasPrefix("pcns.")
        }
    }

    static func short(_ endpoint: ResolvedEndpoint) -> String {
        let base = userLabels(endpoint.labels)["app"] ?? String(endpoint.name.split(separator: "/").last ?? "")
        return String(base.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }

    static func matchLabels(_ labels: [String: String], indent: String) -> String {
        guard !labels.isEmpty else { return indent + "{}\n" }
        return indent + "matchLabels:\n" + labels.sorted { $0.key < $1.key }.map { "\(indent)  \($0.key): \(yamlScalar($0.value))\n" }.joined()
    }

    static func calicoSelector(_ labels: [String: String]) -> String {
        let terms = labels.sorted { $0.key < $1.key }.map { "\($0.key) == '\($0.value)'" }
        return "\"" + (terms.isEmpty ? "all()" : terms.joined(separator: " && ")) + "\""
    }

    /// Quotes a label value YAML would read as something else (a number, a boolean, empty).
    static func yamlScalar(_ value: String) -> String {
        let plain = !value.isEmpty && value.allSatisfy { $0.isLetter || $0.isNumber || "-_./".contains($0) }
            && Double(value) == nil && !["true", "false", "yes", "no", "on", "off", "null", "~"].contains(value.lowercased())
        return plain ? value : "\"" + value + "\""
    }
}
