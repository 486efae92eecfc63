import CalicoModel
import Netfilter

/// Builds every table for one node, then renders them in save form.
struct NodeRulesBuilder {
    let cluster: Cluster
    let node: String
    let settings: FelixSettings
    let catalog: EndpointCatalog
    let resolver: PolicyResolver
    var ipsets: IPSetRegistry
    var raw = FelixTable(name: "raw", builtins: ["PREROUTING", "OUTPUT"])
    var mangle = FelixTable(name: "mangle", builtins: ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"])
    var nat = FelixTable(name: "nat", builtins: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"])
    var filter = FelixTable(name: "filter", builtins: ["INPUT", "FORWARD", "OUTPUT"])

    init(cluster: Cluster, node: String, settings: FelixSettings) throws(RenderError) {
        self.cluster = cluster
        self.node = node
        self.settings = settings
        catalog = EndpointCatalog(cluster: cluster, dialect: settings.isModern ? .modern : .legacy, interfacePrefix: settings.interfacePrefix)
        resolver = try PolicyResolver(cluster: cluster, settings: settings)
        ipsets = IPSetRegistry(prefix: settings.ipsetPrefix, modern: settings.isModern, catalog: catalog)
    }

    mutating func build() throws(RenderError) -> RenderedNode {
        let local = catalog.endpoints.filter { $0.node == node }
        let workloads = local.filter { $0.kind == .workload }.sorted { $0.interfaceName ?? "" < $1.interfaceName ?? "" }
        let hosts = local.filter { $0.kind == .host && $0.interfaceName != nil }
        var chainsBuilder = EndpointChains(settings: settings)
        var usedPolicies: [String: (ActivePolicy, Bool, Bool)] = [:]   // name → (policy, inbound used, outbound used)
        var usedProfiles: [String] = []
        func note(_ tiers: [EndpointTier], ingress: Bool) {
            for tier in tiers {
                for policy in tier.policies {
                    var entry = usedPolicies[policy.inboundChain] ?? (policy, false, false)
                    if ingress { entry.1 = true } else { entry.2 = true }
                    usedPolicies[policy.inboundChain] = entry
                }
            }
        }
        let knownProfiles = catalog.profiles
        func noteProfiles(_ endpoint: ResolvedEndpoint) throws(RenderError) {
            for profile in endpoint.profiles where !usedProfiles.contains(profile) {
                guard knownProfiles[profile] != nil else {
                    throw RenderError(location: endpoint.origin.source, message: "endpoint \(endpoint.name) uses profile \"\(profile)\", which no Profile object defines")
                }
                usedProfiles.append(profile)
            }
        }

        // Workload endpoints.
        var toTargets: [String: String] = [:]
        var fromTargets: [String: String] = [:]
        var describe: [String: RuleOrigin] = [:]
        for endpoint in workloads {
            guard let interface = endpoint.interfaceName else { continue }
            let labels = endpoint.effectiveLabels(profiles: catalog.profiles)
            let ingress = resolver.tiers(for: endpoint, labels: labels, ingress: true, use: .normal)
            let egress = resolver.tiers(for: endpoint, labels: labels, ingress: false, use: .normal)
            note(ingress, ingress: true)
            note(egress, ingress: false)
            try noteProfiles(endpoint)
            let to = ChainNames.lengthLimited("cali-tw-", interface)
            let from = ChainNames.lengthLimited("cali-fw-", interface)
            filter.add(chainsBuilder.chain(name: to, endpoint: endpoint, tiers: ingress, ingress: true, flavour: .normal))
            filter.add(chainsBuilder.chain(name: from, endpoint: endpoint, tiers: egress, ingress: false, flavour: .normal))
            toTargets[interface] = to
            fromTargets[interface] = from
            describe[interface] = RuleOrigin(kind: endpoint.kind == .workload ? "WorkloadEndpoint" : "HostEndpoint", name: endpoint.name,
                                             location: endpoint.origin.source, role: "dispatch to the endpoint on \(interface)")
        }
        let unknown = FelixRule([], settings.denyAction, comments: ["Unknown interface"], origin: RuleOrigin(kind: "felix", role: "Unknown interface"))
        let dispatchOrigin = RuleOrigin(kind: "felix", role: "workload dispatch")
        for chain in DispatchChains.build(root: "cali-from-wl-dispatch", targets: fromTargets, incoming: true, end: [unknown], origin: dispatchOrigin, describe: { describe[$0]!.with(role: "dispatch egress of \(describe[$0]!.name)") }) { filter.add(chain) }
        for chain in DispatchChains.build(root: "cali-to-wl-dispatch", targets: toTargets, incoming: false, end: [unknown], origin: dispatchOrigin, describe: { describe[$0]!.with(role: "dispatch ingress of \(describe[$0]!.name)") }) { filter.add(chain) }

        // Host endpoints.
        try buildHostEndpoints(hosts, chains: &chainsBuilder, note: note, noteProfiles: noteProfiles)

        // Policies and profiles in use.
        var renderer = PolicyRuleRenderer(settings: settings, ipsets: ipsets)
        for (_, entry) in usedPolicies.sorted(by: { $0.key < $1.key }) {
            let (active, _, _) = entry
            for ingress in [true, false] {
                let rules = ingress ? active.policy.ingress : active.policy.egress
                let direction = ingress ? "ingress" : "egress"
                var rendered: [FelixRule] = []
                for (index, rule) in rules.enumerated() {
                    var origin = active.origin
                    origin.direction = direction
                    origin.ruleIndex = rule.kubernetesRuleIndex ?? index
                    origin.role = "\(direction) rule \((rule.kubernetesRuleIndex ?? index) + 1): \(rule.action.rawValue)"
                    if let location = rule.location { origin.file = location.file; origin.line = location.line }
                    let owner = PolicyRuleRenderer.Owner(namespace: settings.isModern ? active.policy.meta.namespace : nil, origin: origin,
                                                         tier: active.policy.tier, kindShort: active.policy.kind.shortName, name: active.policy.meta.name)
                    rendered += try renderer.render(rule, owner: owner)
                }
                let kind = active.origin.kind
                let name = active.policy.origin?.qualifiedName ?? active.policy.meta.qualifiedName
                let comment = settings.isModern ? "\(kind) \(name) \(direction)" : nil
                let chainOrigin = active.origin.with(role: "\(direction) rules").withDirection(direction)
                filter.add(FelixChain(ingress ? active.inboundChain : active.outboundChain, finish(rendered, comment: comment, origin: chainOrigin), origin: chainOrigin))
            }
        }
        for name in usedProfiles {
            let profile = catalog.profiles[name]!
            for ingress in [true, false] {
                let direction = ingress ? "ingress" : "egress"
                var rendered: [FelixRule] = []
                for (index, rule) in (ingress ? profile.ingress : profile.egress).enumerated() {
                    let origin = RuleOrigin(kind: "Profile", name: name, location: rule.location ?? profile.meta.source, direction: direction, ruleIndex: index,
                                            role: "\(direction) rule \(index + 1): \(rule.action.rawValue)")
                    rendered += try renderer.render(rule, owner: PolicyRuleRenderer.Owner(namespace: nil, origin: origin, tier: "", kindShort: "pro", name: name))
                }
                let chainOrigin = RuleOrigin(kind: "Profile", name: name, location: profile.meta.source, direction: direction, role: "\(direction) rules")
                filter.add(FelixChain(ChainNames.lengthLimited(ingress ? "cali-pri-" : "cali-pro-", name),
                                      finish(rendered, comment: settings.isModern ? "Profile \(name) \(direction)" : nil, origin: chainOrigin), origin: chainOrigin))
            }
        }
        ipsets = renderer.ipsets
        for chain in chainsBuilder.groupChains { filter.add(chain) }
        // Policy and profile chains live in every table whose endpoint chains use them: raw for
        // untracked policy, mangle for preDNAT policy and for DNAT'd host traffic.
        let shared = filter.chains.filter { ["cali-pi-", "cali-po-", "cali-pri-", "cali-pro-", "cali-gi-", "cali-go-"].contains(where: $0.key.hasPrefix) }
        for index in [0, 1] {
            var table = index == 0 ? raw : mangle
            var pending = table.chains.values.flatMap { $0.rules.compactMap { $0.action?.referencedChain } }
            while let name = pending.popLast() {
                guard table.chains[name] == nil, let chain = shared[name] else { continue }
                table.add(chain)
                pending += chain.rules.compactMap { $0.action?.referencedChain }
            }
            if index == 0 { raw = table } else { mangle = table }
        }

        // Static chains, fixed ipsets, hooks.
        let pools = cluster.ipPools.filter { !$0.disabled && !$0.cidr.contains(":") }
        let statics = StaticChains(settings: settings)
        for chain in statics.raw(ipsets: &ipsets) { raw.add(chain) }
        for chain in statics.mangle(ipsets: &ipsets) { mangle.add(chain) }
        let natOutgoing = pools.contains { $0.natOutgoing }
        for chain in statics.nat(ipsets: &ipsets, natOutgoing: natOutgoing) { nat.add(chain) }
        for chain in statics.filter(ipsets: &ipsets) { filter.add(chain) }
        for chain in statics.failsafe(raw: false) { filter.add(chain) }
        for chain in statics.failsafe(raw: true) { raw.add(chain) }
        for chain in statics.failsafe(raw: false) where settings.isModern || chain.name == "cali-failsafe-in" { mangle.add(chain) }
        for chain in ["cali-from-host-endpoint", "cali-to-host-endpoint"] where raw.chains[chain] == nil { raw.add(FelixChain(chain, [], origin: StaticChains.origin)) }
        for chain in settings.isModern ? ["cali-from-host-endpoint", "cali-to-host-endpoint"] : ["cali-from-host-endpoint"] where mangle.chains[chain] == nil { mangle.add(FelixChain(chain, [], origin: StaticChains.origin)) }
        for chain in ["cali-from-host-endpoint", "cali-to-host-endpoint", "cali-from-hep-forward", "cali-to-hep-forward"] where filter.chains[chain] == nil && (settings.isModern || !chain.hasSuffix("forward")) {
            filter.add(FelixChain(chain, [], origin: StaticChains.origin))
        }
        let poolCIDRs = pools.map(\.cidr).sorted()
        let routing = settings.routesToOtherNodes ? ClusterRouting(cluster: cluster) : nil
        let vxlanTunnel = settings.vxlan && routing?.hasRemoteWorkloads == true ? routing?.peer(node: node) : nil
        var nodeNetwork = NodeNetworkRenderer(node: node, nodeIP: nodeIP, workloads: workloads, ipip: settings.ipip,
                                              remote: routing?.routes(from: node) ?? [], vxlanTunnel: vxlanTunnel)
        if let routing, routing.hasRemoteWorkloads { nodeNetwork.assumptions += routing.assumptions }
        _ = ipsets.fixedSet("masq-ipam-pools", type: "hash:net", members: pools.filter(\.natOutgoing).map(\.cidr).sorted(), description: "IP pools with natOutgoing")
        _ = ipsets.fixedSet(settings.isModern ? "network-ip-pools" : "all-ipam-pools", type: "hash:net", members: poolCIDRs, description: "all IP pools")
        // felix's this-host set holds every address of the host, the VTEP's included.
        let hostAddresses = [nodeNetwork.nodeAddress, "127.0.0.1"] + (vxlanTunnel?.vxlanTunnelAddress.map { ["\($0)"] } ?? [])
        if settings.isModern { _ = ipsets.fixedSet("this-host", type: "hash:ip", members: hostAddresses.sorted(), description: "this host's addresses") }
        if settings.ipip {
            _ = ipsets.fixedSet(settings.isModern ? "all-hosts-net" : "all-hosts", type: settings.isModern ? "hash:net" : "hash:ip",
                                members: cluster.nodes.flatMap(\.internalIPs).filter { !$0.contains(":") }.sorted(), description: "every node's address (IPIP peers)")
        }
        addHooks()

        var provenance = RenderProvenance(felixVersion: settings.layout.description, node: node)
        var text = ""
        var usedSets = Set<String>()
        for table in [mangle, raw, nat, filter] {
            text += render(table, provenance: &provenance, sets: &usedSets)
        }
        let setText = ipsets.saveText(only: usedSets)
        for name in usedSets.sorted() { if let entry = ipsets.entries[name] { provenance.ipsets.append(.init(name: name, origin: entry.origin)) } }
        let files = [
            "iptables-save.txt": text,
            "ipset-save.txt": setText,
            "ip-addr.json": nodeNetwork.addrJSON,
            "ip-link.json": nodeNetwork.linkJSON,
            "ip-route.json": nodeNetwork.routeJSON,
            // What calico-node sets up on a node (felix needs forwarding; kube-proxy's conntrack defaults).
            "sysctl.txt": "net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.rp_filter = 0\nnet.netfilter.nf_conntrack_tcp_loose = 1\nnet.netfilter.nf_conntrack_tcp_be_liberal = 0\n",
        ]
        return RenderedNode(node: node, layout: settings.layout, files: files, provenance: provenance, assumptions: nodeNetwork.assumptions)
    }

    var nodeIP: String? {
        cluster.nodes.first { $0.meta.name == node }?.internalIPs.first { !$0.contains(":") }
    }

    /// felix ≥3.28 strips trailing RETURN rules; modern chains carry a comment on their first rule.
    private func finish(_ rules: [FelixRule], comment: String?, origin: RuleOrigin) -> [FelixRule] {
        var rules = rules
        if settings.isModern {
            while rules.last?.action == .returnFromChain { rules.removeLast() }
        }
        if let comment {
            if rules.isEmpty { rules.append(FelixRule([], nil, origin: origin)) }
            rules[0].comments.append(FelixRule.sanitise(comment))
        }
        return rules
    }

    private mutating func buildHostEndpoints(_ hosts: [ResolvedEndpoint], chains: inout EndpointChains,
                                             note: ([EndpointTier], Bool) -> Void, noteProfiles: (ResolvedEndpoint) throws(RenderError) -> Void) throws(RenderError) {
        // Dispatch targets per table and root chain: interface → the endpoint's chain.
        var targets: [String: [String: String]] = [:]
        var wildcard: String?
        var describe: [String: RuleOrigin] = [:]
        for endpoint in hosts {
            guard let interface = endpoint.interfaceName else { continue }
            let name = interface == "*" ? "any-interface-at-all" : interface
            if interface == "*" { wildcard = name }
            let labels = endpoint.effectiveLabels(profiles: catalog.profiles)
            describe[name] = RuleOrigin(kind: "HostEndpoint", name: endpoint.name, location: endpoint.origin.source, role: "dispatch to host endpoint \(endpoint.name)")
            try noteProfiles(endpoint)
            /// One endpoint chain: `prefix` + interface in `table`, dispatched from `root` (the
            /// `*` endpoint is reached by the dispatch chains' default goto instead).
            func add(_ table: inout FelixTable, root: String, prefix: String, tiers: [EndpointTier], ingress: Bool, flavour: EndpointChains.Flavour) {
                note(tiers, ingress)
                let chainName = ChainNames.lengthLimited(prefix, name)
                table.add(chains.chain(name: chainName, endpoint: endpoint, tiers: tiers, ingress: ingress, flavour: flavour))
                if interface != "*" { targets["\(table.name) \(root)", default: [:]][name] = chainName }
            }
            let normalIn = resolver.tiers(for: endpoint, labels: labels, ingress: true, use: .normal)
            let normalOut = resolver.tiers(for: endpoint, labels: labels, ingress: false, use: .normal)
            add(&filter, root: "cali-from-host-endpoint", prefix: "cali-fh-", tiers: normalIn, ingress: true, flavour: .normal)
            add(&filter, root: "cali-to-host-endpoint", prefix: "cali-th-", tiers: normalOut, ingress: false, flavour: .normal)
            if settings.isModern {
                add(&filter, root: "cali-from-hep-forward", prefix: "cali-fhfw-", tiers: resolver.tiers(for: endpoint, labels: labels, ingress: true, use: .forward), ingress: true, flavour: .forward)
                add(&filter, root: "cali-to-hep-forward", prefix: "cali-thfw-", tiers: resolver.tiers(for: endpoint, labels: labels, ingress: false, use: .forward), ingress: false, flavour: .forward)
                add(&mangle, root: "cali-to-host-endpoint", prefix: "cali-th-", tiers: normalOut, ingress: false, flavour: .mangleEgress)
            }
            let preDNAT = resolver.tiers(for: endpoint, labels: labels, ingress: true, use: .preDNAT)
            if !preDNAT.isEmpty {
                add(&mangle, root: "cali-from-host-endpoint", prefix: "cali-fh-", tiers: preDNAT, ingress: true, flavour: .preDNAT)
            }
            let untrackedIn = resolver.tiers(for: endpoint, labels: labels, ingress: true, use: .untracked)
            let untrackedOut = resolver.tiers(for: endpoint, labels: labels, ingress: false, use: .untracked)
            if !untrackedIn.isEmpty || !untrackedOut.isEmpty {
                add(&raw, root: "cali-from-host-endpoint", prefix: "cali-fh-", tiers: untrackedIn, ingress: true, flavour: .untracked)
                add(&raw, root: "cali-to-host-endpoint", prefix: "cali-th-", tiers: untrackedOut, ingress: false, flavour: .untracked)
            }
        }
        let origin = RuleOrigin(kind: "felix", role: "host endpoint dispatch")
        func dispatch(_ table: inout FelixTable, _ root: String, incoming: Bool, defaultPrefix: String?, skipWorkloads: Bool = false) {
            let targets = targets["\(table.name) \(root)"] ?? [:]
            var end: [FelixRule] = []
            if let wildcard, let defaultPrefix {
                if skipWorkloads {
                    end.append(FelixRule([.outInterface(settings.workloadWildcard)], .returnFromChain, comments: ["Skip egress WHEP policy for traffic to local workload"]))
                }
                end.append(FelixRule([], .goto(ChainNames.lengthLimited(defaultPrefix, wildcard)), origin: describe[wildcard]))
            }
            guard !targets.isEmpty || !end.isEmpty else { return }
            for chain in DispatchChains.build(root: root, targets: targets, incoming: incoming, end: end, origin: origin, describe: { describe[$0] ?? origin }) { table.add(chain) }
        }
        dispatch(&filter, "cali-from-host-endpoint", incoming: true, defaultPrefix: "cali-fh-")
        dispatch(&filter, "cali-to-host-endpoint", incoming: false, defaultPrefix: "cali-th-")
        if settings.isModern {
            dispatch(&filter, "cali-from-hep-forward", incoming: true, defaultPrefix: "cali-fhfw-")
            dispatch(&filter, "cali-to-hep-forward", incoming: false, defaultPrefix: "cali-thfw-")
            dispatch(&mangle, "cali-to-host-endpoint", incoming: false, defaultPrefix: "cali-th-", skipWorkloads: true)
        }
        let wildcardPreDNAT = wildcard.map { mangle.chains[ChainNames.lengthLimited("cali-fh-", $0)] != nil } ?? false
        dispatch(&mangle, "cali-from-host-endpoint", incoming: true, defaultPrefix: targets["mangle cali-from-host-endpoint"] == nil && wildcardPreDNAT ? "cali-fh-" : nil)
        dispatch(&raw, "cali-from-host-endpoint", incoming: true, defaultPrefix: nil)
        dispatch(&raw, "cali-to-host-endpoint", incoming: false, defaultPrefix: nil)
    }

    private mutating func addHooks() {
        func hook(_ table: inout FelixTable, _ builtin: String, _ target: String, insert: Bool) {
            let rule = FelixRule([], .jump(target), origin: RuleOrigin(kind: "felix", role: "hook into \(builtin)"))
            if insert && settings.insertHooks { table.inserted[builtin, default: []].append(rule) } else { table.appended[builtin, default: []].append(rule) }
        }
        hook(&raw, "PREROUTING", "cali-PREROUTING", insert: true)
        hook(&raw, "OUTPUT", "cali-OUTPUT", insert: true)
        hook(&mangle, "PREROUTING", "cali-PREROUTING", insert: true)
        if settings.isModern { hook(&mangle, "POSTROUTING", "cali-POSTROUTING", insert: true) }
        hook(&nat, "PREROUTING", "cali-PREROUTING", insert: true)
        hook(&nat, "OUTPUT", "cali-OUTPUT", insert: true)
        hook(&nat, "POSTROUTING", "cali-POSTROUTING", insert: !settings.isModern)
        hook(&filter, "INPUT", "cali-INPUT", insert: true)
        hook(&filter, "FORWARD", "cali-FORWARD", insert: true)
        hook(&filter, "OUTPUT", "cali-OUTPUT", insert: true)
        if settings.isModern {
            let accepted = FelixMatch.mark(value: settings.marks.accept, mask: settings.marks.accept, negated: false)
            let origin = RuleOrigin(kind: "felix", role: "Policy explicitly accepted packet.")
            filter.appended["FORWARD", default: []] += [
                FelixRule([accepted], settings.filterAllowAction, comments: ["Policy explicitly accepted packet."], origin: origin),
                FelixRule([], .setMark(value: settings.marks.accept, mask: settings.marks.accept), origin: origin.with(role: "mark forwarded traffic as accepted")),
            ]
        }
    }

    /// One table in iptables-save's form; hashes computed per chain as felix does.
    private func render(_ table: FelixTable, provenance: inout RenderProvenance, sets: inout Set<String>) -> String {
        let names = settings.isModern ? table.referencedChainNames() : Set(table.chains.keys)
        let userChains = names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let usedBuiltins = table.builtins
        var lines = ["*\(table.name)"]
        lines += usedBuiltins.map { ":\($0) ACCEPT [0:0]" }
        lines += userChains.map { ":\($0) - [0:0]" }
        func emit(_ chain: String, _ hashChain: String, _ rules: [FelixRule], firstPosition: Int) {
            for (offset, (rule, hash)) in zip(rules, RuleHasher.hashes(chain: hashChain, rules: rules)).enumerated() {
                lines.append(rule.saveText(chain: chain, hash: hash))
                for case .set(let name, _, _) in rule.matches { sets.insert(name) }
                provenance.rules.append(.init(table: table.name, chain: chain, position: firstPosition + offset, hash: hash,
                                              origin: rule.origin ?? RuleOrigin(kind: "felix", role: "")))
            }
        }
        for builtin in usedBuiltins {
            let inserted = table.inserted[builtin] ?? []
            let appended = table.appended[builtin] ?? []
            emit(builtin, builtin, inserted, firstPosition: 1)
            // felix seeds the appended rules' hashes with `<CHAIN>*appends*`. On a node other
            // rules may sit between; positions here assume felix's rules alone.
            emit(builtin, "\(builtin)*appends*", appended, firstPosition: inserted.count + 1)
        }
        for name in userChains {
            let chain = table.chains[name]!
            provenance.chains.append(.init(table: table.name, chain: name, origin: chain.origin))
            emit(name, name, chain.rules, firstPosition: 1)
        }
        lines.append("COMMIT")
        return lines.map { $0 + "\n" }.joined()
    }
}

extension RuleOrigin {
    func withDirection(_ direction: String) -> RuleOrigin {
        var copy = self
        copy.direction = direction
        return copy
    }
}
