/// A ruleset with chain references resolved to indices, ipsets indexed, and what pathsim
/// cannot evaluate listed. Built once; the engine never looks a name up per packet.
struct LoadedRuleset: Sendable {
    struct LoadedTable: Sendable {
        var name: TableName
        var backend: Backend
        /// How the back end compiled the rules (§ the `! --sport ! --dport` difference).
        var dialect: IptablesDialect
        var chains: [Chain]
        var chainIndex: [String: Int]
        /// For each chain and rule: the index of the jump/goto target chain.
        var targets: [[Int?]]
        /// Built-in chain index per hook.
        var builtin: [Hook: Int]
    }

    var tables: [TableName: LoadedTable] = [:]
    var sets: [String: IPSetIndex] = [:]
    var conntrackActive = false
    var unsupported: [UnsupportedFeature] = []

    init(ruleset: Ruleset, ipsets: [IPSet], backend: Backend = .nftables) {
        for set in ipsets { sets[set.name] = IPSetIndex(set) }
        for table in ruleset.tables {
            var index: [String: Int] = [:]
            for (i, chain) in table.chains.enumerated() where index[chain.name] == nil { index[chain.name] = i }
            var builtin: [Hook: Int] = [:]
            for hook in table.name.builtinChains {
                if let i = index[hook.rawValue], table.chains[i].isBuiltin { builtin[hook] = i }
            }
            let targets = table.chains.map { chain in chain.rules.map { rule in rule.chainTarget.flatMap { index[$0] } } }
            tables[table.name] = LoadedTable(name: table.name, backend: backend, dialect: ruleset.dialect, chains: table.chains, chainIndex: index, targets: targets, builtin: builtin)
            for chain in table.chains {
                for (position, rule) in chain.rules.enumerated() {
                    if rule.target?.needsConntrack == true { conntrackActive = true }
                    for match in rule.matches {
                        switch match {
                        case .conntrack, .state, .connmark: conntrackActive = true
                        case .unsupported(let name, _):
                            unsupported.append(UnsupportedFeature(table: table.name, chain: chain.name, rule: position + 1, feature: "match -m \(name)", location: rule.location))
                        case .set(let setMatch):
                            if sets[setMatch.name] == nil {
                                unsupported.append(UnsupportedFeature(table: table.name, chain: chain.name, rule: position + 1, feature: "ipset \(setMatch.name), which the snapshot's ipset-save.txt does not define", location: rule.location))
                            } else if setMatch.packets != nil || setMatch.bytes != nil {
                                unsupported.append(UnsupportedFeature(table: table.name, chain: chain.name, rule: position + 1, feature: "set element counter tests (--packets-*/--bytes-*)", location: rule.location))
                            }
                        default: break
                        }
                    }
                    if case .unsupported(let name, _) = rule.target {
                        unsupported.append(UnsupportedFeature(table: table.name, chain: chain.name, rule: position + 1, feature: "target -j \(name)", location: rule.location))
                    }
                }
            }
        }
    }
}

/// A feature of the loaded rules that pathsim does not evaluate, reported at load.
public struct UnsupportedFeature: Hashable, Sendable, CustomStringConvertible {
    public var table: TableName
    public var chain: String
    public var rule: Int
    public var feature: String
    public var location: SourceLocation?
    public var description: String {
        (location.map { "\($0): " } ?? "") + "\(table.rawValue):\(chain) rule \(rule): \(feature) is not supported"
    }
}
