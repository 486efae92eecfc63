import FelixRenderer
import Netfilter

/// Names the policy or profile behind a chain, from the best source at hand: the render's
/// provenance, the chain's comment rule, or the chain's name.
struct PolicyNaming {
    var context: ExplainContext

    /// The reference, and what could not be known when only a hashed name was there.
    func reference(table: TableName, chain: String, jumpOrigin: RuleOrigin? = nil) -> (PolicyReference, unknown: String?) {
        let role = FelixChainRole(chain: chain)
        if let origin = context.chainOrigin(table, chain) ?? jumpOrigin, origin.kind != "felix", origin.kind != "WorkloadEndpoint", origin.kind != "HostEndpoint" {
            return (PolicyReference(kind: origin.kind, name: origin.name, chain: chain, file: origin.file, line: origin.line), nil)
        }
        if case .policy(_, let direction) = role, let rules = context.chain(.nftables, table, chain)?.rules {
            for rule in rules {
                for comment in rule.explanatoryComments {
                    if let named = ChainNamedPolicy(comment: comment, direction: direction) {
                        return (PolicyReference(kind: named.kind, name: named.name, chain: chain), nil)
                    }
                }
            }
        }
        if let named = ChainNamedPolicy(role: role) {
            return (PolicyReference(kind: named.kind, name: named.name, chain: chain), nil)
        }
        let what = role.isPolicyOrProfile && chain.hasPrefix("cali-pr") ? "profile" : "policy"
        return (PolicyReference(kind: what == "profile" ? "Profile" : "policy", name: chain, chain: chain),
                "which \(what) \(chain) stands for: felix hashes long names and this dump's chain carries no comment naming it (give --cluster with the cluster's YAML)")
    }
}
