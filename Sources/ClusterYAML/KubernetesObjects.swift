import CalicoModel

/// Namespace, ServiceAccount, Pod, Node and NetworkPolicy (networking.k8s.io/v1, extensions/v1beta1).
extension ObjectReader {
    static let networkPolicySpecFields = ["podSelector", "policyTypes", "ingress", "egress"]
    static let ingressRuleFields = ["from", "ports"]
    static let egressRuleFields = ["to", "ports"]
    static let peerFields = ["podSelector", "namespaceSelector", "ipBlock"]
    static let ipBlockFields = ["cidr", "except"]
    static let networkPolicyPortFields = ["protocol", "port", "endPort"]
    static let labelSelectorFields = ["matchLabels", "matchExpressions"]
    static let labelRequirementFields = ["key", "operator", "values"]
    static let kubernetesProtocols = ["TCP", "UDP", "SCTP"]

    func namespace() throws(ClusterLoadError) -> KubernetesNamespace {
        KubernetesNamespace(meta: try meta(defaultNamespace: nil))
    }

    func serviceAccount() throws(ClusterLoadError) -> KubernetesServiceAccount {
        KubernetesServiceAccount(meta: try meta(defaultNamespace: "default"))
    }

    func pod() throws(ClusterLoadError) -> KubernetesPod {
        var pod = KubernetesPod(meta: try meta(defaultNamespace: "default"))
        if let spec = try spec() {
            pod.nodeName = try spec.string("nodeName")
            let legacyAccount = try spec.string("serviceAccount")
            if let account = try spec.string("serviceAccountName") ?? legacyAccount, !account.isEmpty {
                pod.serviceAccountName = account
            }
            pod.hostNetwork = try spec.bool("hostNetwork") ?? false
            for container in try spec.sequence("containers") {
                let container = try container.mapping()
                for port in try container.sequence("ports") {
                    let port = try port.mapping()
                    let number = try port.required("containerPort").int(1...65535)
                    let proto = try port["protocol"]?.choice(Self.kubernetesProtocols) ?? "TCP"
                    // Only named ports can be referred to by name from a policy.
                    if let name = try port.string("name"), !name.isEmpty {
                        pod.ports.append(NamedPort(name: name, proto: proto, port: number))
                    }
                }
            }
        }
        if let status = try object.mapping("status") {
            var ips: [String] = []
            for entry in try status.sequence("podIPs") {
                if let ip = try entry.mapping().string("ip"), !ips.contains(ip) { ips.append(ip) }
            }
            if let ip = try status.string("podIP"), !ip.isEmpty, !ips.contains(ip) { ips.insert(ip, at: 0) }
            pod.ips = ips
            pod.phase = try status.string("phase")
        }
        return pod
    }

    func node() throws(ClusterLoadError) -> KubernetesNode {
        var node = KubernetesNode(meta: try meta(defaultNamespace: nil))
        if let spec = try spec() {
            var cidrs = try spec.stringList("podCIDRs")
            if let cidr = try spec.string("podCIDR"), !cidrs.contains(cidr) { cidrs.insert(cidr, at: 0) }
            node.podCIDRs = cidrs
        }
        if let status = try object.mapping("status") {
            for address in try status.sequence("addresses") {
                let address = try address.mapping()
                if try address.string("type") == "InternalIP", let ip = try address.string("address") {
                    node.internalIPs.append(ip)
                }
            }
        }
        return node
    }

    func kubernetesNetworkPolicy() throws(ClusterLoadError) -> KubernetesNetworkPolicy {
        var policy = KubernetesNetworkPolicy(meta: try meta(defaultNamespace: "default"), apiVersion: apiVersion)
        guard let spec = try spec() else { return policy }
        try spec.rejectUnknownKeys(Self.networkPolicySpecFields)
        if let selector = spec["podSelector"] { policy.podSelector = try labelSelector(selector) }
        if let types = spec["policyTypes"] {
            var result: [PolicyType] = []
            for type in try types.sequence() {
                let name = try type.string()
                guard let policyType = PolicyType(rawValue: name) else {
                    throw type.error("expected Ingress or Egress, found \"\(name)\"")
                }
                if !result.contains(policyType) { result.append(policyType) }
            }
            // The API server defaults an empty list as it does a missing one.
            policy.policyTypes = result.isEmpty ? nil : result
        }
        for rule in try spec.sequence("ingress") {
            policy.ingress.append(try networkPolicyRule(rule, peersKey: "from", fields: Self.ingressRuleFields))
        }
        for rule in try spec.sequence("egress") {
            policy.egress.append(try networkPolicyRule(rule, peersKey: "to", fields: Self.egressRuleFields))
        }
        return policy
    }

    func networkPolicyRule(_ value: YAMLValue, peersKey: String, fields: [String]) throws(ClusterLoadError) -> KubernetesNetworkPolicy.Rule {
        var rule = KubernetesNetworkPolicy.Rule()
        // `- {}` (or `- ` with nothing) is a rule that allows everything.
        if value.isNull { return rule }
        let mapping = try value.mapping()
        try mapping.rejectUnknownKeys(fields)
        for peer in try mapping.sequence(peersKey) { rule.peers.append(try networkPolicyPeer(peer)) }
        for port in try mapping.sequence("ports") { rule.ports.append(try networkPolicyPort(port)) }
        return rule
    }

    func networkPolicyPeer(_ value: YAMLValue) throws(ClusterLoadError) -> KubernetesNetworkPolicy.Peer {
        let mapping = try value.mapping()
        try mapping.rejectUnknownKeys(Self.peerFields)
        var peer = KubernetesNetworkPolicy.Peer()
        if let selector = mapping["podSelector"] { peer.podSelector = try labelSelector(selector) }
        if let selector = mapping["namespaceSelector"] { peer.namespaceSelector = try labelSelector(selector) }
        if let block = mapping["ipBlock"] {
            let blockMapping = try block.mapping()
            try blockMapping.rejectUnknownKeys(Self.ipBlockFields)
            peer.ipBlock = KubernetesNetworkPolicy.IPBlock(cidr: try blockMapping.requiredString("cidr"), except: try blockMapping.stringList("except"))
            if peer.podSelector != nil || peer.namespaceSelector != nil {
                throw value.error("expected ipBlock alone, found ipBlock together with a selector")
            }
        }
        if peer.podSelector == nil && peer.namespaceSelector == nil && peer.ipBlock == nil {
            throw value.error("expected at least one of podSelector, namespaceSelector, ipBlock")
        }
        return peer
    }

    func networkPolicyPort(_ value: YAMLValue) throws(ClusterLoadError) -> KubernetesNetworkPolicy.Port {
        let mapping = try value.mapping()
        try mapping.rejectUnknownKeys(Self.networkPolicyPortFields)
        var port = KubernetesNetworkPolicy.Port()
        port.proto = try mapping["protocol"]?.choice(Self.kubernetesProtocols)
        if let portValue = mapping["port"] {
            switch portValue.meaning {
            case .int?:
                port.port = .number(try portValue.int(1...65535))
            case .string?:
                let name = try portValue.string()
                guard Self.isPortName(name) else {
                    throw portValue.error("expected an integer or a port name (at most 15 lower-case letters, digits and '-', with at least one letter), found \"\(name)\"")
                }
                port.port = .name(name)
            default:
                throw portValue.expected("an integer or a port name")
            }
        }
        if let endPortValue = mapping["endPort"] {
            let endPort = try endPortValue.int(1...65535)
            guard case .number(let first)? = port.port else {
                throw endPortValue.error("expected endPort only with a numeric port")
            }
            guard endPort >= first else {
                throw endPortValue.error("expected endPort to be at least port \(first), found \(endPort)")
            }
            port.endPort = endPort
        }
        return port
    }

    /// An IANA service name as Kubernetes validates a named port.
    static func isPortName(_ name: String) -> Bool {
        guard (1...15).contains(name.count), !name.hasPrefix("-"), !name.hasSuffix("-"), !name.contains("--") else { return false }
        guard name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else { return false }
        return name.contains { $0.isLetter }
    }

    func labelSelector(_ value: YAMLValue) throws(ClusterLoadError) -> LabelSelector {
        let mapping = try value.mapping()
        try mapping.rejectUnknownKeys(Self.labelSelectorFields)
        var selector = LabelSelector(matchLabels: try mapping.stringMap("matchLabels"))
        for requirement in try mapping.sequence("matchExpressions") {
            let fields = try requirement.mapping()
            try fields.rejectUnknownKeys(Self.labelRequirementFields)
            let key = try fields.requiredString("key")
            let operatorValue = try fields.required("operator")
            let name = try operatorValue.string()
            guard let op = LabelSelector.Operator(rawValue: name) else {
                throw operatorValue.error("expected one of In, NotIn, Exists, DoesNotExist, found \"\(name)\"")
            }
            var values: [String] = []
            for element in try fields.sequence("values") { values.append(try element.coercedString()) }
            switch op {
            case .in, .notIn:
                if values.isEmpty { throw fields.value.error("expected values for operator \(name)", line: operatorValue.line) }
            case .exists, .doesNotExist:
                if !values.isEmpty { throw fields["values"]?.error("expected no values for operator \(name)") ?? fields.missing("values") }
            }
            selector.matchExpressions.append(LabelSelector.Requirement(key: key, op: op, values: values))
        }
        return selector
    }
}
