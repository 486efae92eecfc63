/// A Kubernetes NetworkPolicy as Calico sees it (libcalico-go's converter).
///
/// `.modern` follows libcalico-go 3.x: order 1000, tier default, one Allow rule per
/// (protocol, peer), protocols sorted, numeric ports merged into ranges, selectors prefixed with
/// `projectcalico.org/orchestrator == 'k8s'`; the namespace is added later, when rule selectors
/// are resolved. `.legacy` follows the Calico 2.x policy controller: `calico/k8s_ns` selectors
/// carrying the namespace, namespace labels as `k8s_ns/label/<key>`, and the direction a
/// policy does not cover written as an allow-all rule (the seed article's `calicoctl get policy`).
public enum KubernetesPolicyConverter {
    public enum Dialect: Sendable { case modern, legacy }

    public static let orchestratorLabel = "projectcalico.org/orchestrator"
    public static let namespaceLabel = "projectcalico.org/namespace"
    public static let serviceAccountLabel = "projectcalico.org/serviceaccount"
    public static let legacyNamespaceLabel = "calico/k8s_ns"
    public static let legacyNamespaceLabelPrefix = "k8s_ns/label/"

    public static func convert(_ policy: KubernetesNetworkPolicy, dialect: Dialect) -> CalicoPolicy {
        let namespace = policy.meta.namespace ?? "default"
        let types = policy.effectivePolicyTypes
        var ingress = types.contains(.ingress) || dialect == .modern ? policy.ingress.enumerated().flatMap { rules($0.element, index: $0.offset, namespace: namespace, ingress: true, dialect: dialect) } : []
        var egress = types.contains(.egress) || dialect == .modern ? policy.egress.enumerated().flatMap { rules($0.element, index: $0.offset, namespace: namespace, ingress: false, dialect: dialect) } : []
        if dialect == .legacy {
            if !types.contains(.ingress) { ingress = [CalicoRule(action: .allow)] }
            if !types.contains(.egress) { egress = [CalicoRule(action: .allow)] }
        }
        let selector = dialect == .modern
            ? podSelector(policy.podSelector)
            : legacyPodSelector(policy.podSelector, namespace: namespace)
        var meta = ObjectMeta(name: policy.meta.name, namespace: namespace, source: policy.meta.source)
        if dialect == .legacy { meta = ObjectMeta(name: "\(namespace).\(policy.meta.name)", source: policy.meta.source) }
        return CalicoPolicy(kind: .kubernetesNetworkPolicy, meta: meta, tier: "default", order: 1000, selector: selector,
                            types: types, ingress: ingress, egress: egress, origin: policy.meta)
    }

    /// `projectcalico.org/orchestrator == 'k8s' && k == 'v' … && <expressions>` (keys sorted).
    public static func podSelector(_ selector: LabelSelector?) -> String {
        (["\(orchestratorLabel) == 'k8s'"] + terms(selector, prefix: "")).joined(separator: " && ")
    }

    /// nil selector ⇒ "" (no namespace constraint); `{}` ⇒ `all()`.
    public static func namespaceSelector(_ selector: LabelSelector?) -> String {
        guard let selector else { return "" }
        if selector.isEmpty { return "all()" }
        return terms(selector, prefix: "").joined(separator: " && ")
    }

    static func legacyPodSelector(_ selector: LabelSelector?, namespace: String) -> String {
        (["\(legacyNamespaceLabel) == '\(namespace)'"] + terms(selector, prefix: "")).joined(separator: " && ")
    }

    static func terms(_ selector: LabelSelector?, prefix: String) -> [String] {
        guard let selector else { return [] }
        var terms = selector.matchLabels.keys.sorted().map { "\(prefix)\($0) == '\(selector.matchLabels[$0]!)'" }
        for requirement in selector.matchExpressions {
            let key = prefix + requirement.key
            let values = requirement.values.joined(separator: "', '")
            switch requirement.op {
            case .in: terms.append("\(key) in { '\(values)' }")
            case .notIn: terms.append("\(key) not in { '\(values)' }")
            case .exists: terms.append("has(\(key))")
            case .doesNotExist: terms.append("! has(\(key))")
            }
        }
        return terms
    }

    static func rules(_ rule: KubernetesNetworkPolicy.Rule, index: Int, namespace: String, ingress: Bool, dialect: Dialect) -> [CalicoRule] {
        // protocol → ports; nil ports = every port of the protocol; "" = no protocol at all.
        var byProtocol: [String: [PortSpec]?] = [:]
        if rule.ports.isEmpty { byProtocol[""] = .some(nil) }
        for port in rule.ports {
            let proto = (port.proto ?? "TCP").uppercased()
            guard let value = port.port else {
                byProtocol[proto] = .some(nil)
                continue
            }
            let spec: PortSpec
            switch value {
            case .number(let number): spec = .range(number, port.endPort ?? number)
            case .name(let name): spec = .named(name)
            }
            switch byProtocol[proto] {
            case .none: byProtocol[proto] = .some([spec])
            case .some(.none): break
            case .some(.some(let existing)): byProtocol[proto] = .some(existing + [spec])
            }
        }
        var result: [CalicoRule] = []
        for proto in byProtocol.keys.sorted() {
            let ports = byProtocol[proto]!.map(simplify) ?? []
            let peers: [KubernetesNetworkPolicy.Peer?] = rule.peers.isEmpty ? [nil] : rule.peers
            for peer in peers {
                var entity = dialect == .modern ? modernPeer(peer) : legacyPeer(peer, namespace: namespace)
                var calicoRule = CalicoRule(action: .allow, proto: proto.isEmpty ? nil : .name(proto))
                calicoRule.kubernetesRuleIndex = index
                if ingress {
                    calicoRule.source = entity
                    calicoRule.destination = EntityRule(ports: ports)
                } else {
                    entity.ports = ports
                    calicoRule.destination = entity
                }
                result.append(calicoRule)
            }
        }
        return result
    }

    static func modernPeer(_ peer: KubernetesNetworkPolicy.Peer?) -> EntityRule {
        guard let peer else { return EntityRule() }
        if let block = peer.ipBlock { return EntityRule(nets: [block.cidr], notNets: block.except) }
        let namespaces = namespaceSelector(peer.namespaceSelector)
        return EntityRule(selector: podSelector(peer.podSelector), namespaceSelector: namespaces.isEmpty ? nil : namespaces)
    }

    static func legacyPeer(_ peer: KubernetesNetworkPolicy.Peer?, namespace: String) -> EntityRule {
        guard let peer else { return EntityRule() }
        if let block = peer.ipBlock { return EntityRule(nets: [block.cidr], notNets: block.except) }
        var terms: [String]
        if let namespaces = peer.namespaceSelector {
            terms = namespaces.isEmpty ? ["has(\(legacyNamespaceLabel))"] : Self.terms(namespaces, prefix: legacyNamespaceLabelPrefix)
        } else {
            terms = ["\(legacyNamespaceLabel) == '\(namespace)'"]
        }
        terms += Self.terms(peer.podSelector, prefix: "")
        return EntityRule(selector: terms.joined(separator: " && "))
    }

    /// libcalico-go's SimplifyPorts: named ports first, then numeric ports merged into ranges.
    static func simplify(_ ports: [PortSpec]) -> [PortSpec] {
        guard ports.count > 1 else { return ports }
        var named: [PortSpec] = []
        var numbers: [Int] = []
        for port in ports {
            switch port {
            case .named: named.append(port)
            case .range(let first, let last): numbers += Array(first...max(first, last))
            }
        }
        guard numbers.count > 1 else { return ports }
        numbers.sort()
        var result = named
        var index = 0
        while index < numbers.count {
            let first = numbers[index]
            var last = first
            index += 1
            while index < numbers.count && numbers[index] <= last + 1 {
                last = numbers[index]
                index += 1
            }
            result.append(.range(first, last))
        }
        return result
    }
}
