/// The rules kube-proxy writes whatever the Services: the jumps from the built-in chains
/// (`iptablesJumpChains`, each ensured with `-I CHAIN 1`), KUBE-POSTROUTING, KUBE-MARK-MASQ,
/// KUBE-FORWARD, kubelet's KUBE-FIREWALL, and the canary chains its monitor creates.
extension ProxierWriter {
    struct Jump {
        var table: String
        var destination: String
        var source: String
        var comment: String?
        var newOnly: Bool
    }

    /// pkg/proxy/iptables/proxier.go `iptablesJumpChains`, in its order.
    static let jumpChains: [Jump] = [
        Jump(table: "filter", destination: ChainNames.externalServices, source: "INPUT", comment: "kubernetes externally-visible service portals", newOnly: true),
        Jump(table: "filter", destination: ChainNames.externalServices, source: "FORWARD", comment: "kubernetes externally-visible service portals", newOnly: true),
        Jump(table: "filter", destination: ChainNames.nodePorts, source: "INPUT", comment: "kubernetes health check service ports", newOnly: false),
        Jump(table: "filter", destination: ChainNames.services, source: "FORWARD", comment: "kubernetes service portals", newOnly: true),
        Jump(table: "filter", destination: ChainNames.services, source: "OUTPUT", comment: "kubernetes service portals", newOnly: true),
        Jump(table: "filter", destination: ChainNames.forward, source: "FORWARD", comment: "kubernetes forwarding rules", newOnly: false),
        Jump(table: "filter", destination: ChainNames.proxyFirewall, source: "INPUT", comment: "kubernetes load balancer firewall", newOnly: true),
        Jump(table: "filter", destination: ChainNames.proxyFirewall, source: "OUTPUT", comment: "kubernetes load balancer firewall", newOnly: true),
        Jump(table: "filter", destination: ChainNames.proxyFirewall, source: "FORWARD", comment: "kubernetes load balancer firewall", newOnly: true),
        Jump(table: "nat", destination: ChainNames.services, source: "OUTPUT", comment: "kubernetes service portals", newOnly: false),
        Jump(table: "nat", destination: ChainNames.services, source: "PREROUTING", comment: "kubernetes service portals", newOnly: false),
        Jump(table: "nat", destination: ChainNames.postrouting, source: "POSTROUTING", comment: "kubernetes postrouting rules", newOnly: false),
    ]

    /// `iptablesKubeletJumpChains`: kubelet ensures these too, and it runs before kube-proxy
    /// (kube-proxy is one of its pods), so they are the first inserted and end up below
    /// kube-proxy's own jumps.
    static let kubeletJumpChains: [Jump] = [
        Jump(table: "filter", destination: ChainNames.kubeletFirewall, source: "INPUT", comment: nil, newOnly: false),
        Jump(table: "filter", destination: ChainNames.kubeletFirewall, source: "OUTPUT", comment: nil, newOnly: false),
    ]

    mutating func writeJumps() {
        var builtin: [String: [SaveRule]] = [:]
        for jump in Self.kubeletJumpChains + Self.jumpChains {
            var rule = SaveRule()
            if jump.newOnly { rule.matches.append("-m conntrack --ctstate NEW") }
            if let comment = jump.comment { rule.matches.append(SaveRule.comment(comment)) }
            rule.target = SaveRule.jump(jump.destination)
            // Each jump is inserted at the top, so the last one ensured comes first.
            builtin["\(jump.table) \(jump.source)", default: []].insert(rule, at: 0)
        }
        for (key, rules) in builtin.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: " ").map(String.init)
            for rule in rules { tables.append(parts[0], parts[1], rule) }
        }
    }

    mutating func writeStaticChains() {
        for chain in [ChainNames.services, ChainNames.externalServices, ChainNames.forward, ChainNames.nodePorts, ChainNames.proxyFirewall] {
            tables.declare("filter", chain)
        }
        for chain in [ChainNames.services, ChainNames.nodePorts, ChainNames.postrouting, ChainNames.markMasquerade] {
            tables.declare("nat", chain)
        }
        for table in ["mangle", "nat", "filter"] {
            tables.declare(table, ChainNames.proxyCanary)
            tables.declare(table, ChainNames.kubeletCanary)
        }
        let mark = options.masqueradeMark
        tables.append("nat", ChainNames.postrouting, SaveRule(matches: ["-m mark ! --mark \(mark)/\(mark)"], target: "-j RETURN"))
        // --xor-mark clears the bit so a packet that goes round the stack again is not masqueraded twice.
        tables.append("nat", ChainNames.postrouting, SaveRule(target: "-j MARK --set-xmark \(mark)/0x0"))
        tables.append("nat", ChainNames.postrouting, SaveRule(matches: [SaveRule.comment("kubernetes service traffic requiring SNAT")],
                                                             target: "-j MASQUERADE" + (options.randomFully ? " --random-fully" : "")))
        tables.append("nat", ChainNames.markMasquerade, SaveRule(target: "-j MARK --set-xmark \(mark)/\(mark)"))

        // kubelet writes the martian guard whatever kube-proxy's options; kube-proxy rewrites the
        // same rule when it allows localhost NodePorts. One copy is left either way.
        tables.append("filter", ChainNames.kubeletFirewall, SaveRule(
            source: SaveRule.address("127.0.0.0/8", negated: true), destination: SaveRule.address("127.0.0.0/8"),
            matches: [SaveRule.comment("block incoming localnet connections"), "-m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT"],
            target: "-j DROP"))
    }

    /// KUBE-FORWARD, written after every Service.
    mutating func writeForwardChain() {
        let mark = options.masqueradeMark
        if !options.conntrackTCPBeLiberal {
            var matches = ["-m conntrack --ctstate INVALID"]
            if options.nfacctCounters { matches.append("-m nfacct --nfacct-name ct_state_invalid_dropped_pkts") }
            tables.append("filter", ChainNames.forward, SaveRule(matches: matches, target: "-j DROP"))
        }
        tables.append("filter", ChainNames.forward, SaveRule(matches: [SaveRule.comment("kubernetes forwarding rules"), "-m mark --mark \(mark)/\(mark)"], target: "-j ACCEPT"))
        tables.append("filter", ChainNames.forward, SaveRule(matches: [SaveRule.comment("kubernetes forwarding conntrack rule"), "-m conntrack --ctstate RELATED,ESTABLISHED"],
                                                             target: "-j ACCEPT"))
    }

    /// The last rule of nat KUBE-SERVICES: every local address is a NodePort address
    /// (no `--nodeport-addresses`).
    mutating func writeNodePortsTail() {
        var rule = SaveRule(matches: [SaveRule.comment("kubernetes service nodeports; NOTE: this must be the last rule in this chain"), "-m addrtype --dst-type LOCAL"],
                            target: SaveRule.jump(ChainNames.nodePorts))
        if !options.localhostNodePorts { rule.destination = SaveRule.address("127.0.0.0/8", negated: true) }
        tables.append("nat", ChainNames.services, rule)
    }
}
