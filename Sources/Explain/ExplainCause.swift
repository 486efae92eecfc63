/// What decided a packet's fate, as a stable word a test or a script can rely on.
public enum ExplainCause: String, Hashable, Sendable, Codable, CaseIterable {
    /// A policy or profile rule allowed it (set the accept mark).
    case policyAllow = "policy-allow"
    case profileAllow = "profile-allow"
    /// A Deny (or Log-then-Deny) rule of a policy or profile.
    case policyDeny = "policy-deny"
    case profileDeny = "profile-deny"
    /// Policies applied in a tier but none allowed or passed the packet ("End of tier …").
    case endOfTier = "end-of-tier"
    /// No policy applied and no profile allowed ("Drop if no profiles matched").
    case noProfileMatched = "no-profile-matched"
    case conntrackInvalid = "conntrack-invalid"
    /// A dispatch chain has no endpoint for the interface ("Unknown interface").
    case unknownInterface = "unknown-interface"
    /// Reverse-path check: Calico's rpfilter rule, or the kernel's rp_filter.
    case reversePath = "reverse-path"
    /// A workload sent IPIP or VXLAN itself, or a tunnel packet came from a host that is not a Calico node.
    case encapsulationDrop = "encapsulation-drop"
    /// felix's failsafe ports let it through whatever the policy says.
    case failsafe
    case noRoute = "no-route"
    /// Other routing decisions: forwarding off, TTL, blackhole, NAT without an address, a full conntrack table.
    case routing
    /// kube-proxy rejects connections to a Service with no ready endpoints.
    case serviceNoEndpoints = "service-no-endpoints"
    /// Established traffic of a connection an earlier packet opened.
    case establishedConnection = "established-connection"
    /// Any other rule that dropped, rejected or accepted.
    case rule
    /// A built-in chain's policy.
    case chainPolicy = "chain-policy"
    /// Through without a deciding rule (every chain fell through to ACCEPT).
    case noRuleDecided = "no-rule-decided"
    case undetermined
}
