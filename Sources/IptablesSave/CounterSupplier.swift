import Netfilter

/// Where printed counters come from: by default the ones the dump carried, or the
/// engine's after a simulation, so its state can be written out as `iptables-save -c`
/// or `iptables -nvxL` text.
public struct CounterSupplier: Sendable {
    /// (table, chain, 0-based rule index, rule) → the rule's counter.
    public var rule: @Sendable (TableName, String, Int, Rule) -> Counter
    /// (table, chain) → the built-in chain's policy counter.
    public var policy: @Sendable (TableName, Chain) -> Counter

    public init(
        rule: @escaping @Sendable (TableName, String, Int, Rule) -> Counter,
        policy: @escaping @Sendable (TableName, Chain) -> Counter
    ) {
        self.rule = rule
        self.policy = policy
    }

    /// The counters stored in the ruleset (what the parsed dump carried, zero otherwise).
    public static let stored = CounterSupplier(rule: { _, _, _, rule in rule.counters ?? .zero }, policy: { _, chain in chain.policyCounter })

    /// Counters from dictionaries keyed by table, chain and 0-based rule index; missing entries are zero.
    public static func dictionaries(
        rules: [TableName: [String: [Int: Counter]]], policies: [TableName: [String: Counter]]
    ) -> CounterSupplier {
        CounterSupplier(
            rule: { table, chain, index, _ in rules[table]?[chain]?[index] ?? .zero },
            policy: { table, chain in policies[table]?[chain.name] ?? .zero }
        )
    }
}
