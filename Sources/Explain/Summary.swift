import Netfilter

/// The explanation in one paragraph, naming the endpoint, the policy and the deciding rule.
struct Summary {
    var explanation: Explanation
    var decision: Decision
    var reading: TraceReading

    var endpoint: String {
        guard let endpoint = explanation.endpoint else { return "the node" }
        if endpoint.kind == "host" { return "host endpoint \(endpoint.name ?? "?") (\(endpoint.interface))" }
        return endpoint.name.map { "pod \($0) (\(endpoint.interface))" } ?? "the workload on \(endpoint.interface)"
    }

    var place: String {
        guard let step = explanation.decidingStep else { return "" }
        let chain = "\(step.backend == "legacy" ? "legacy " : "")\(step.table) \(step.chain)"
        guard let rule = step.rule else { return "\(explanation.verdict) by the policy of \(chain)" }
        let comments = step.comments.isEmpty ? "" : " (\"\(step.comments.joined(separator: "\"; \""))\")"
        return "\(explanation.verdict) at \(chain) rule \(rule)\(comments)"
    }

    static func policyName(_ reference: PolicyReference) -> String {
        guard reference.kind == "policy" else { return "\(reference.kind) \(reference.name)" }
        let parts = reference.name.split(separator: ".")
        // Calico 2.0–2.4 named the policy it made of a Kubernetes NetworkPolicy `<namespace>.<name>`.
        if parts.count == 2, !reference.name.contains("/") {
            return "policy \(reference.name) (Calico 2.x's name for the Kubernetes NetworkPolicy \(parts[0])/\(parts[1]), if it came from one)"
        }
        return "policy \(reference.name)"
    }

    var text: String {
        let direction = explanation.direction ?? "ingress"
        var parts: [String] = []
        switch explanation.cause {
        case .endOfTier:
            let tier = explanation.tier ?? "default"
            let policies = explanation.policiesApplied.filter { $0.tier == tier }
            if policies.isEmpty {
                parts.append("no policy in tier \(tier) allowed or passed it for \(endpoint)")
            } else if policies.count == 1 {
                let only = policies[0]
                let allows = only.allowRules == 0 ? "allows no \(direction)" : "has \(only.allowRules) rule(s) allowing \(direction), none of which matched"
                parts.append("\(endpoint) is selected by \(Self.policyName(only.policy)), which \(allows)")
                let others = explanation.policiesApplied.filter { $0.policy.kind != "Profile" }.count - 1
                parts.append(others == 0 ? "no other policy applies" : "\(others) other polic\(others == 1 ? "y applies" : "ies apply") in other tiers")
            } else {
                let list = policies.map { "\(Self.policyName($0.policy)) (\($0.outcome.replacingOccurrences(of: "-", with: " ")))" }.joined(separator: ", ")
                parts.append("\(endpoint) is selected by \(policies.count) policies in tier \(tier), none of which allows or passes this packet: \(list)")
            }
        case .noProfileMatched:
            let profiles = explanation.policiesApplied.filter { $0.policy.kind == "Profile" }.map(\.policy.name)
            if profiles.isEmpty {
                parts.append("no policy applies to \(endpoint)'s \(direction) and it has no profile, so felix drops everything but failsafe traffic")
            } else {
                parts.append("no policy applies to \(endpoint)'s \(direction), and its profile\(profiles.count == 1 ? "" : "s") \(profiles.joined(separator: ", ")) \(profiles.count == 1 ? "does" : "do") not allow it")
            }
        case .policyDeny, .profileDeny:
            if let policy = explanation.policy {
                let rule = policy.ruleIndex.map { ", \(direction) rule \($0 + 1)" } ?? ""
                parts.append("\(Self.policyName(policy))\(rule) denies it for \(endpoint)")
            }
        case .policyAllow, .profileAllow:
            if let policy = explanation.policy {
                let rule = policy.ruleIndex.map { ", \(direction) rule \($0 + 1)" } ?? ""
                parts.append("\(Self.policyName(policy))\(rule) allows it for \(endpoint)")
            }
        case .conntrackInvalid:
            parts.append("conntrack calls the packet INVALID (it fits no connection in a state that admits it: a segment outside the TCP window, an answer without its question); the chain drops INVALID packets before any policy")
        case .unknownInterface:
            let interface = explanation.interface ?? "the interface"
            parts.append("no endpoint on this node uses \(interface): felix's dispatch chain drops traffic of a cali interface it has no endpoint for")
        case .reversePath:
            let packet = reading.trace.input.packet
            parts.append("reverse-path check: the source \(packet.source) is not routed back through the interface it came in on")
            if let reason = decision.routingReason { parts.append(reason) }
        case .encapsulationDrop:
            parts.append(explanation.decidingStep?.comments.joined(separator: "; ") ?? "tunnel traffic felix does not allow")
        case .failsafe:
            parts.append("felix's failsafe rules accept it before any policy (failsafe ports keep the node reachable whatever policy says)")
        case .serviceNoEndpoints:
            let comment = explanation.decidingStep?.comments.first { $0.contains("has no endpoints") } ?? "the Service has no endpoints"
            parts.append("kube-proxy rejects it: \(comment) (no ready pod backs this Service port)")
        case .establishedConnection:
            parts.append("it belongs to an established connection, which felix and most rulesets accept before any policy")
        case .noRoute, .routing, .undetermined:
            parts.append(decision.routingReason ?? explanation.cause.rawValue)
        case .rule, .chainPolicy, .noRuleDecided:
            if explanation.decidingStep == nil { parts.append("no rule decided: every chain it met fell through to an ACCEPT policy") }
        }
        if let nat = explanation.nat { parts.append(nat.text) }
        let place = place
        if !place.isEmpty { parts.append(place) }
        if explanation.decidingStep == nil, explanation.verdict == "dropped", ![.noRoute, .routing, .reversePath].contains(explanation.cause) { parts.append("dropped") }
        return parts.joined(separator: "; ")
    }
}
