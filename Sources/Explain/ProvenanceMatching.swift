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
