/// A chain felix programs, with the object that made it.
struct FelixChain: Sendable {
    var name: String
    var rules: [FelixRule]
    var origin: RuleOrigin

    init(_ name: String, _ rules: [FelixRule], origin: RuleOrigin) {
        self.name = name
        self.rules = rules.map { rule in
            var rule = rule
            if rule.origin == nil { rule.origin = origin }
            return rule
        }
        self.origin = origin
    }
}

/// The chains of one table, plus felix's rules in the kernel's built-in chains.
struct FelixTable: Sendable {
    let name: String
    let builtins: [String]
    var chains: [String: FelixChain] = [:]
    var inserted: [String: [FelixRule]] = [:]
    var appended: [String: [FelixRule]] = [:]

    init(name: String, builtins: [String]) {
        self.name = name
        self.builtins = builtins
    }

    /// REJECT is a filter-table target (iptables-restore refuses it in raw and mangle), so a
    /// REJECT deny action drops in the other tables.
    mutating func add(_ chain: FelixChain) {
        var chain = chain
        if name != "filter" {
            for index in chain.rules.indices where chain.rules[index].action == .reject { chain.rules[index].action = .drop }
        }
        chains[chain.name] = chain
    }

    /// Chains reachable from the hook rules (felix ≥3.15 programs only those).
    func referencedChainNames() -> Set<String> {
        var seen = Set<String>()
        var pending: [String] = (Array(inserted.values.joined()) + Array(appended.values.joined())).compactMap { $0.action?.referencedChain }
        while let name = pending.popLast() {
            guard !seen.contains(name), let chain = chains[name] else { continue }
            seen.insert(name)
            pending += chain.rules.compactMap { $0.action?.referencedChain }
        }
        return seen
    }
}
