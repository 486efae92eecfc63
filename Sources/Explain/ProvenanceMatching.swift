import CalicoModel
import FelixRenderer
import Netfilter

extension RenderProvenance {
    /// This render's back-mapping carried over to a real node dump: rules are matched by their
    /// `cali:` hash within the same table and chain, and take the dump's positions. Returns the
    /// mapping and how many of the render's rules were found in the dump.
    public func matched(to ruleset: Ruleset) -> (provenance: RenderProvenance, found: Int) {
        var result = self
        result.rules = []
        for record in rules {
            guard let table = TableName(rawValue: record.table), let rules = ruleset.table(table)?.chain(record.chain)?.rules,
                  let index = rules.firstIndex(where: { $0.felixHash == record.hash }) else { continue }
            var moved = record
            moved.position = index + 1
            result.rules.append(moved)
        }
        result.chains = chains.filter { record in
            TableName(rawValue: record.table).flatMap { ruleset.table($0)?.chain(record.chain) } != nil
        }
        return (result, result.rules.count)
    }
}

extension ExplainContext {
    /// A node dump explained with a render's back-mapping (from `--cluster`, or the
    /// provenance.json `pathsim render` wrote), carried over to the dump by rule hash.
    public static func dump(ruleset: Ruleset, legacyRuleset: Ruleset? = nil, ipsets: [IPSet], provenance: RenderProvenance?, cluster: Cluster?) -> ExplainContext {
        var context = ExplainContext(ruleset: ruleset, legacyRuleset: legacyRuleset, ipsets: ipsets, cluster: cluster, node: provenance?.node)
        if let provenance {
            let matched = provenance.matched(to: ruleset)
            context.provenance = matched.provenance
            if matched.found < provenance.rules.count {
                context.notes.append("\(matched.found) of the \(provenance.rules.count) rules felix would render for node \(provenance.node) were found in the dump by their cali: hashes; the rest is explained from the dump's names and comments (the render and the node differ: another felix version or changed objects)")
            }
        }
        return context
    }
}
