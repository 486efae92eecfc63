import CalicoModel
import Digests

/// A policy felix programs on this node, with its chain names.
struct ActivePolicy {
    var policy: CalicoPolicy
    var selector: Selector
    var inboundChain: String
    var outboundChain: String
    var origin: RuleOrigin
}

/// One tier of one direction of one endpoint: the policies (in order) that apply.
struct EndpointTier {
    var name: String
    var defaultPass: Bool
    var policies: [ActivePolicy]
}

/// felix's calculation graph, the part that decides which policies apply to an endpoint and in
/// which order (`felix/calc/policy_sorter.go`): tiers by order then name, policies by order
/// (unset last) then name.
struct PolicyResolver {
    let settings: FelixSettings
    let policies: [ActivePolicy]
    let tiers: [String: Tier]

    init(cluster: Cluster, settings: FelixSettings) throws(RenderError) {
        self.settings = settings
        var tiers: [String: Tier] = [:]
        for tier in cluster.tiers { tiers[tier.meta.name] = tier }
        if tiers["default"] == nil { tiers["default"] = Tier(meta: ObjectMeta(name: "default"), order: 1_000_000) }
        self.tiers = tiers
        let dialect: KubernetesPolicyConverter.Dialect = settings.isModern ? .modern : .legacy
        var all = cluster.calicoPolicies
        all += cluster.kubernetesPolicies.map { KubernetesPolicyConverter.convert($0, dialect: dialect) }
        var active: [ActivePolicy] = []
        for policy in all where !policy.kind.isStaged {
            guard tiers[policy.tier] != nil else {
                throw RenderError(location: policy.meta.source, message: "policy \(policy.meta.qualifiedName) is in tier \"\(policy.tier)\", which no Tier object defines")
            }
            let id = Self.chainID(policy, modern: settings.isModern)
            let selector: Selector
            do {
                selector = try Self.appliesTo(policy, modern: settings.isModern)
            } catch {
                throw RenderError(location: policy.meta.source, message: "\(policy.kind.rawValue) \(policy.meta.qualifiedName): \(error)")
            }
            let originKind = policy.kind == .kubernetesNetworkPolicy ? "KubernetesNetworkPolicy" : policy.kind.rawValue
            let originName = policy.origin?.qualifiedName ?? policy.meta.qualifiedName
            active.append(ActivePolicy(policy: policy, selector: selector,
                                       inboundChain: ChainNames.lengthLimited("cali-pi-", id),
                                       outboundChain: ChainNames.lengthLimited("cali-po-", id),
                                       origin: RuleOrigin(kind: originKind, name: originName, location: policy.meta.source, role: "policy")))
        }
        policies = active.sorted { Self.sortKey($0.policy, tiers: tiers) < Self.sortKey($1.policy, tiers: tiers) }
    }

    /// felix 3.32: `<kind>/<ns>/<name>`; felix 2.x: the v1 policy name.
    static func chainID(_ policy: CalicoPolicy, modern: Bool) -> String {
        if modern {
            return [policy.kind.shortName, policy.meta.namespace, policy.meta.name].compactMap { $0 }.joined(separator: "/")
        }
        return policy.meta.namespace.map { "\($0).\(policy.meta.name)" } ?? policy.meta.name
    }

    /// The selector felix evaluates against endpoint labels (namespace, namespaceSelector and
    /// serviceAccountSelector folded in).
    static func appliesTo(_ policy: CalicoPolicy, modern: Bool) throws -> Selector {
        var parts = [policy.selector.isEmpty ? "all()" : policy.selector]
        if modern {
            if let namespace = policy.meta.namespace { parts.append("projectcalico.org/namespace == '\(namespace)'") }
            if let namespaces = policy.namespaceSelector, !namespaces.isEmpty {
                parts.append(try Selector.parse(namespaces).prefixingKeys("pcns.").canonical)
            }
            if let accounts = policy.serviceAccountSelector, !accounts.isEmpty {
                parts.append(try Selector.parse(accounts).prefixingKeys("pcsa.").canonical)
            }
        }
        return try Selector.parse(parts.count == 1 ? parts[0] : "(" + parts.joined(separator: ") && (") + ")")
    }

    static func sortKey(_ policy: CalicoPolicy, tiers: [String: Tier]) -> SortKey {
        let tier = tiers[policy.tier]
        return SortKey(tierOrder: tier?.order ?? .infinity, tier: policy.tier, order: policy.order ?? .infinity,
                       name: "\(policy.meta.name)/\(policy.meta.namespace ?? "")/\(policy.kind.rawValue)")
    }

    struct SortKey: Comparable {
        var tierOrder: Double
        var tier: String
        var order: Double
        var name: String
        static func < (a: SortKey, b: SortKey) -> Bool {
            (a.tierOrder, a.tier, a.order, a.name) < (b.tierOrder, b.tier, b.order, b.name)
        }
    }

    enum Use { case normal, forward, preDNAT, untracked }

    /// The tiers (in order) holding policies that select `labels` for `direction`.
    func tiers(for endpoint: ResolvedEndpoint, labels: [String: String], ingress: Bool, use: Use) -> [EndpointTier] {
        var result: [EndpointTier] = []
        for active in policies {
            let policy = active.policy
            guard policy.types.contains(ingress ? .ingress : .egress) else { continue }
            if endpoint.kind == .workload && (policy.preDNAT || policy.doNotTrack) { continue }
            switch use {
            case .normal: guard !policy.preDNAT && !policy.doNotTrack else { continue }
            case .forward: guard !policy.preDNAT && !policy.doNotTrack && policy.applyOnForward else { continue }
            case .preDNAT: guard policy.preDNAT else { continue }
            case .untracked: guard policy.doNotTrack else { continue }
            }
            guard active.selector.matches(labels) else { continue }
            if let last = result.last, last.name == policy.tier {
                result[result.count - 1].policies.append(active)
            } else {
                let defaultPass = tiers[policy.tier]?.defaultAction == .pass || use == .preDNAT || use == .untracked
                result.append(EndpointTier(name: policy.tier, defaultPass: defaultPass, policies: [active]))
            }
        }
        return result
    }

    /// Policy group chain (felix ≥3.28): consecutive policies with the same selector share one
    /// chain. The name hashes the selector, direction and policy ids with SHA3-224 (derived from
    /// felix's code; no upstream vector).
    static func groupChainName(selector: String, inbound: Bool, policies: [ActivePolicy]) -> String {
        var text = "\(selector)\n\(inbound ? "inbound" : "outbound")\n\(policies.count)\n"
        for active in policies {
            text += "{Name: \(active.policy.meta.name), Namespace: \(active.policy.meta.namespace ?? ""), Kind: \(active.policy.kind.rawValue)}\n"
        }
        return (inbound ? "cali-gi-" : "cali-go-") + String(Base64URL.encodeNoPadding(SHA3_224.hash(text)).prefix(20))
    }
}
