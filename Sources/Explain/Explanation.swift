/// Why a packet met the fate it did, in the terms of whoever wrote the rules: the deciding
/// step, the endpoint and policy behind it, why the policies that could have let it through did
/// not, and the change that would. Field names are the JSON form's keys.
public struct Explanation: Hashable, Sendable, Codable {
    /// `accepted`, `dropped`, `rejected` or `undetermined`.
    public var verdict: String
    /// What decided, as a stable kind (see `ExplainCause`) and in one sentence.
    public var cause: ExplainCause
    public var summary: String
    /// The node the packet was on, when known.
    public var node: String?
    /// The rule or chain policy that decided; nil when routing decided.
    public var decidingStep: StepReference?
    /// The workload or host endpoint whose chain decided, if one did.
    public var endpoint: EndpointReference?
    /// `ingress` or `egress`, seen from the endpoint.
    public var direction: String?
    public var tier: String?
    /// The policy or profile behind the deciding step.
    public var policy: PolicyReference?
    /// Every policy and profile the endpoint's chain consulted for this packet, in order.
    public var policiesApplied: [PolicyEvaluation] = []
    /// The interface felix has no endpoint for (an "Unknown interface" drop).
    public var interface: String?
    /// The Service (`namespace/name:port`, as kube-proxy names it) a kube-proxy rule decided for.
    public var service: String?
    /// Address translation before the deciding step that changed what the rules saw.
    public var nat: NATChange?
    /// Smallest changes that would let the packet through.
    public var proposals: [Proposal] = []
    /// What this explanation cannot know from its inputs (a bare node dump has no pod names).
    public var unknowns: [String] = []
    /// How the inputs were put together (a render matched to a dump, for example).
    public var notes: [String] = []

    public init(verdict: String, cause: ExplainCause, summary: String) {
        self.verdict = verdict
        self.cause = cause
        self.summary = summary
    }
}

public struct StepReference: Hashable, Sendable, Codable {
    public var table: String
    public var chain: String
    /// 1-based, as `iptables -L --line-numbers` counts; nil for a chain's policy.
    public var rule: Int?
    public var verdict: String
    public var backend: String
    /// The rule as iptables-save prints it.
    public var ruleText: String?
    /// felix's `cali:` rule hash, when the rule has one.
    public var hash: String?
    /// The rule's other comments (felix and kube-proxy say what a rule is for in them).
    public var comments: [String] = []
}

public struct EndpointReference: Hashable, Sendable, Codable {
    /// `workload` or `host`.
    public var kind: String
    public var interface: String
    /// `namespace/pod` for a workload, the HostEndpoint's name; nil when only the dump is known.
    public var name: String?
    public var file: String?
    public var line: Int?
    public var labels: [String: String]?
}

public struct PolicyReference: Hashable, Sendable, Codable {
    /// `KubernetesNetworkPolicy`, `NetworkPolicy`, `GlobalNetworkPolicy`, `Profile`, or `policy`
    /// when a bare dump does not say which.
    public var kind: String
    public var name: String
    public var chain: String
    /// 0-based index in the policy's ingress or egress list, when a rule of it decided.
    public var ruleIndex: Int?
    public var file: String?
    public var line: Int?
}

/// One policy or profile the endpoint's chain consulted, and what it did with the packet.
public struct PolicyEvaluation: Hashable, Sendable, Codable {
    public var policy: PolicyReference
    public var tier: String?
    /// `allowed`, `denied`, `passed`, `no-rule-matched`, `not-reached` (an earlier policy decided).
    public var outcome: String
    /// How many rules of the chain allow (or pass) traffic.
    public var allowRules: Int
    /// The allowing rule that came closest to matching: fewest conditions that did not hold.
    public var nearestRule: RuleMiss?
}

public struct RuleMiss: Hashable, Sendable, Codable {
    public var chain: String
    public var position: Int
    public var ruleText: String
    /// 0-based index of the policy rule it was rendered from, when known.
    public var ruleIndex: Int?
    public var failed: [FailedCondition]
}

public struct FailedCondition: Hashable, Sendable, Codable {
    /// `source`, `destination`, `ipset`, `protocol`, `port`, `icmp`, `mark`, `interface`,
    /// `ct-state`, `address-type`, `fragment` or `other`.
    public var kind: String
    /// What the rule asks for, in iptables' words (`--dports 80`, `cali40s:… src`).
    public var wanted: String
    /// What the packet had.
    public var actual: String
    public var negated: Bool = false
    /// For an ipset: the set's name, the selector it stands for (when known) and a few members.
    public var ipset: String?
    public var selector: String?
    public var members: [String]?
    /// The condition in one sentence.
    public var text: String
}

public struct NATChange: Hashable, Sendable, Codable {
    /// `destination` or `source`.
    public var field: String
    public var original: String
    public var translated: String
    /// The rule that set up the translation.
    public var by: StepReference?
    public var text: String
}

public struct Proposal: Hashable, Sendable, Codable {
    public var summary: String
    /// Kubernetes or Calico YAML to apply, when the cluster objects are known.
    public var yaml: String?
}

/// An explanation for each node a packet crossed (one for a single node).
public struct PathExplanation: Hashable, Sendable, Codable {
    public struct Hop: Hashable, Sendable, Codable {
        public var node: String
        public var role: String
        public var packet: String
        public var explanation: Explanation
    }
    public var hops: [Hop]
    /// Index of the hop whose verdict ended the path (the last one when it got through).
    public var decidingHop: Int
}
