/// The chains and rules kube-proxy (and the kubelet pieces it ensures) leaves on a node, table
/// by table, in iptables-save's form.
public struct KubeProxyRules: Hashable, Sendable {
    public struct Rule: Hashable, Sendable {
        /// The `-A CHAIN ...` line as iptables-save prints it.
        public var text: String
        /// `ns/name:port` of the Service port behind the rule; nil for kube-proxy's own rules.
        public var service: String?
    }

    public struct Chain: Hashable, Sendable {
        public var name: String
        public var isBuiltin: Bool
        public var rules: [Rule]
    }

    public struct Table: Hashable, Sendable {
        public var name: String
        /// Built-in chains in hook order, then user chains in strcmp order, as iptables-save prints them.
        public var chains: [Chain]

        public func chain(_ name: String) -> Chain? { chains.first { $0.name == name } }
    }

    public var tables: [Table]
    /// What was assumed about the node (cluster CIDR, node IP, …) and what was left out.
    public var assumptions: [String]

    public func table(_ name: String) -> Table? { tables.first { $0.name == name } }

    /// The whole of it as one iptables-save text (`*table`, chain lines, rules, `COMMIT`).
    public var iptablesSave: String {
        var text = ""
        for table in tables {
            text += "*\(table.name)\n"
            for chain in table.chains { text += ":\(chain.name) \(chain.isBuiltin ? "ACCEPT" : "-") [0:0]\n" }
            for chain in table.chains { for rule in chain.rules { text += rule.text + "\n" } }
            text += "COMMIT\n"
        }
        return text
    }

    /// Built-in chains of each table kube-proxy writes to, in the kernel's hook order.
    static let builtinChains: [String: [String]] = [
        "mangle": ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
        "nat": ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
        "filter": ["INPUT", "FORWARD", "OUTPUT"],
    ]
}

/// Rules collected per table and chain while rendering, then ordered as iptables-save prints them.
struct RuleTables {
    private var chains: [String: [String: [SaveRule]]] = [:]

    mutating func declare(_ table: String, _ chain: String) {
        chains[table, default: [:]][chain, default: []] += []
    }

    mutating func append(_ table: String, _ chain: String, _ rule: SaveRule) {
        chains[table, default: [:]][chain, default: []].append(rule)
    }

    func rules(_ table: String, _ chain: String) -> [SaveRule] { chains[table]?[chain] ?? [] }

    func build(assumptions: [String]) -> KubeProxyRules {
        var tables: [KubeProxyRules.Table] = []
        for name in ["mangle", "nat", "filter"] {
            guard let byChain = chains[name] else { continue }
            let builtins = KubeProxyRules.builtinChains[name] ?? []
            let users = byChain.keys.filter { !builtins.contains($0) }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            let ordered = builtins.map { ($0, true) } + users.map { ($0, false) }
            tables.append(KubeProxyRules.Table(name: name, chains: ordered.map { chain, builtin in
                KubeProxyRules.Chain(name: chain, isBuiltin: builtin,
                                     rules: (byChain[chain] ?? []).map { KubeProxyRules.Rule(text: $0.text(chain: chain), service: $0.service) })
            }))
        }
        return KubeProxyRules(tables: tables, assumptions: assumptions)
    }
}
