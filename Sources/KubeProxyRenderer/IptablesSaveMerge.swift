/// One node's iptables-save when another program's rules (felix's) and kube-proxy's share its
/// tables: chains are the union; in a built-in chain the other program's first rules stay on
/// top (felix inserts its hooks), kube-proxy's follow, then the other program's remaining
/// (appended) rules.
public enum IptablesSaveMerge {
    /// Where base rules moved: in `table`/`chain`, base positions from `from` (1-based) on are
    /// now `by` further down.
    public struct Shift: Hashable, Sendable {
        public var table: String
        public var chain: String
        public var from: Int
        public var by: Int
    }

    public struct Result: Hashable, Sendable {
        public var iptablesSave: String
        public var shifts: [Shift]

        /// Where the base rule at `position` (1-based) of `table`/`chain` is in the merged text.
        public func position(table: String, chain: String, base position: Int) -> Int {
            shifts.filter { $0.table == table && $0.chain == chain && position >= $0.from }.reduce(position) { $0 + $1.by }
        }
    }

    /// `rulesFirst["table CHAIN"]` is how many of `base`'s rules in that built-in chain come
    /// before kube-proxy's; chains not named keep none first (all of base's rules follow).
    public static func merge(base: String, kubeProxy: KubeProxyRules, rulesFirst: [String: Int]) throws(KubeProxyRenderError) -> Result {
        var tables = try parse(base)
        var shifts: [Shift] = []
        for addition in kubeProxy.tables {
            guard let index = tables.firstIndex(where: { $0.name == addition.name }) else {
                tables.append(ParsedTable(name: addition.name, chains: addition.chains.map {
                    ParsedChain(name: $0.name, policy: $0.isBuiltin ? "ACCEPT" : "-", rules: $0.rules.map(\.text))
                }))
                continue
            }
            for chain in addition.chains {
                guard let existing = tables[index].chains.firstIndex(where: { $0.name == chain.name }) else {
                    tables[index].chains.append(ParsedChain(name: chain.name, policy: chain.isBuiltin ? "ACCEPT" : "-", rules: chain.rules.map(\.text)))
                    continue
                }
                guard chain.isBuiltin else {
                    throw KubeProxyRenderError(message: "chain \(chain.name) of table \(addition.name) is written both by kube-proxy and in the other rules: expected kube-proxy's chains to be its own")
                }
                var rules = tables[index].chains[existing].rules
                let first = min(rulesFirst["\(addition.name) \(chain.name)"] ?? 0, rules.count)
                rules.insert(contentsOf: chain.rules.map(\.text), at: first)
                tables[index].chains[existing].rules = rules
                if first < rules.count - chain.rules.count, !chain.rules.isEmpty {
                    shifts.append(Shift(table: addition.name, chain: chain.name, from: first + 1, by: chain.rules.count))
                }
            }
        }
        return Result(iptablesSave: tables.map { $0.text }.joined(), shifts: shifts)
    }

    struct ParsedChain {
        var name: String
        var policy: String
        var rules: [String]
    }

    struct ParsedTable {
        var name: String
        var chains: [ParsedChain]

        var text: String {
            let builtins = (KubeProxyRules.builtinChains[name] ?? ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"]).compactMap { hook in
                chains.first { $0.name == hook && $0.policy != "-" }
            }
            let users = chains.filter { $0.policy == "-" }.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
            let ordered = builtins + users
            var lines = ["*\(name)"]
            lines += ordered.map { ":\($0.name) \($0.policy) [0:0]" }
            lines += ordered.flatMap(\.rules)
            lines.append("COMMIT")
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// The tables of an iptables-save text without counters, as felix's renderer writes it.
    static func parse(_ text: String) throws(KubeProxyRenderError) -> [ParsedTable] {
        var tables: [ParsedTable] = []
        var current: ParsedTable?
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(line)
            if line.isEmpty || line.hasPrefix("#") { continue }
            func fail(_ expected: String) -> KubeProxyRenderError {
                KubeProxyRenderError(message: "iptables-save line \(number + 1): expected \(expected), found \"\(line)\"")
            }
            if line.hasPrefix("*") {
                guard current == nil else { throw fail("COMMIT before the next table") }
                current = ParsedTable(name: String(line.dropFirst()), chains: [])
            } else if line == "COMMIT" {
                guard let table = current else { throw fail("a *table line first") }
                tables.append(table)
                current = nil
            } else if line.hasPrefix(":") {
                let words = line.dropFirst().split(separator: " ")
                guard current != nil, words.count >= 2 else { throw fail(":CHAIN POLICY [packets:bytes] inside a table") }
                current!.chains.append(ParsedChain(name: String(words[0]), policy: String(words[1]), rules: []))
            } else if line.hasPrefix("-A ") {
                let name = line.dropFirst(3).prefix { $0 != " " }
                guard current != nil, let index = current!.chains.firstIndex(where: { $0.name == name }) else { throw fail("-A of a declared chain") }
                current!.chains[index].rules.append(line)
            } else {
                throw fail("a *table, :CHAIN, -A or COMMIT line (without counters)")
            }
        }
        if current != nil { throw KubeProxyRenderError(message: "iptables-save text: expected COMMIT at the end of table \(current!.name)") }
        return tables
    }
}

/// Where felix's own rules sit in the built-in chains, read from its iptables-save text
/// (reference/felix-rules.md §1.1): in insert mode its hook jumps (`-j cali-…`) are inserted at
/// the top, except nat POSTROUTING in the modern layout, which felix appends so kube-proxy's
/// masquerade chain runs first; the "Policy explicitly accepted" FORWARD rules are appended.
/// In append mode every felix rule is appended.
public enum FelixHookPlacement {
    public static func rulesFirst(felixIptablesSave text: String, modernLayout: Bool, insertMode: Bool) -> [String: Int] {
        guard insertMode else { return [:] }
        var result: [String: Int] = [:]
        var table = ""
        var stillLeading: [String: Bool] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("*") { table = String(line.dropFirst()); continue }
            guard line.hasPrefix("-A ") else { continue }
            let chain = String(line.dropFirst(3).prefix { $0 != " " })
            guard ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"].contains(chain) else { continue }
            let key = "\(table) \(chain)"
            if modernLayout && key == "nat POSTROUTING" { continue }
            if stillLeading[key] ?? true, line.contains(" -j cali-") || line.contains(" -g cali-") {
                result[key, default: 0] += 1
            } else {
                stillLeading[key] = false
            }
        }
        return result
    }
}
