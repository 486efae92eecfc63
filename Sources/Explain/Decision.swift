import Netfilter
import TraceFormat

/// The step that decided a packet's fate, and what kind of decision it was.
struct Decision {
    var index: Int?
    var cause: ExplainCause
    var verdict: String
    /// The tier an "End of tier" drop names.
    var tier: String?
    /// Routing's own reason, when no rule decided.
    var routingReason: String?

    init(reading: TraceReading) {
        let trace = reading.trace
        switch trace.fate {
        case .droppedByRule(let step):
            index = trace.steps.lastIndex(of: step)
            let rule = reading.rule(of: step)
            if case .reject? = rule?.target { verdict = "rejected" } else { verdict = "dropped" }
            (cause, tier) = Self.classifyDrop(step, rule: rule)
        case .droppedInRouting(let reason):
            verdict = "dropped"
            routingReason = reason.rawValue
            switch reason {
            case .noRoute, .unreachable, .prohibit, .blackhole: cause = .noRoute
            case .reversePathFilter: cause = .reversePath
            default: cause = .routing
            }
        case .undetermined(let why):
            verdict = "undetermined"
            cause = .undetermined
            routingReason = why
        case .delivered, .sent:
            verdict = "accepted"
            (index, cause) = Self.acceptance(reading)
        }
    }

    static func classifyDrop(_ step: TraceStep, rule: Rule?) -> (ExplainCause, tier: String?) {
        guard let rule else { return (.chainPolicy, nil) }
        let comments = rule.explanatoryComments
        let text = comments.joined(separator: " ")
        for match in rule.matches {
            switch match {
            case .conntrack(let test) where test.states.map { !$0.negated && $0.value.contains(.invalid) } ?? false: return (.conntrackInvalid, nil)
            case .state(let test) where !test.negated && test.value.contains(.invalid): return (.conntrackInvalid, nil)
            case .rpfilter: return (.reversePath, nil)
            default: continue
            }
        }
        if text.contains("Unknown interface") { return (.unknownInterface, nil) }
        if text.contains("Drop if no profiles matched") { return (.noProfileMatched, nil) }
        if text.contains("Drop if no policies passed packet") {
            // 3.x says "End of tier NAME. Drop if …"; 2.x had one implicit tier.
            let tier = comments.first { $0.hasPrefix("End of tier ") }.map { comment in
                String(comment.dropFirst("End of tier ".count).prefix { $0 != "." })
            }
            return (.endOfTier, tier ?? "default")
        }
        if ["IPIP", "IPinIP", "VXLAN", "encap"].contains(where: text.contains) { return (.encapsulationDrop, nil) }
        if text.contains("has no endpoints") { return (.serviceNoEndpoints, nil) }
        switch FelixChainRole(chain: step.chain) {
        case .policy: return (.policyDeny, nil)
        case .profile: return (.profileDeny, nil)
        default: return (.rule, nil)
        }
    }

    /// What let an accepted packet through: the last allow of a policy or profile, failsafe, an
    /// established connection, or else the last ACCEPT.
    static func acceptance(_ reading: TraceReading) -> (Int?, ExplainCause) {
        let steps = reading.trace.steps
        var candidates: [(Int, ExplainCause)] = []
        for (index, step) in steps.enumerated() {
            let role = FelixChainRole(chain: step.chain)
            guard let rule = reading.rule(of: step) else { continue }
            if role.isPolicyOrProfile, reading.setsBit(rule, pass: false) {
                candidates.append((index, step.chain.hasPrefix("cali-pr") ? .profileAllow : .policyAllow))
            } else if role == .failsafe, step.verdict == .accept {
                candidates.append((index, .failsafe))
            } else if step.verdict == .accept, rule.matches.contains(where: Self.acceptsEstablished) {
                candidates.append((index, .establishedConnection))
            }
        }
        if let last = candidates.last { return last }
        // An ACCEPT rule says more than the chain policies every later table falls through to;
        // filter's says the most.
        if let index = steps.lastIndex(where: { $0.verdict == .accept && $0.rule != nil && $0.table == .filter })
            ?? steps.lastIndex(where: { $0.verdict == .accept && $0.rule != nil }) {
            return (index, .rule)
        }
        if let index = steps.lastIndex(where: { $0.verdict == .accept }) { return (index, .chainPolicy) }
        return (nil, .noRuleDecided)
    }

    static func acceptsEstablished(_ match: Match) -> Bool {
        switch match {
        case .conntrack(let test): return test.states.map { !$0.negated && $0.value.contains(.established) } ?? false
        case .state(let test): return !test.negated && test.value.contains(.established)
        default: return false
        }
    }
}
