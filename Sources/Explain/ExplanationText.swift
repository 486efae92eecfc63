/// The explanation for a person: the verdict and its reason first, then the evidence.
public enum ExplanationText {
    public static func render(_ explanation: Explanation, indent: String = "") -> String {
        var lines = ["why: " + explanation.summary]
        if let endpoint = explanation.endpoint {
            var text = "endpoint: \(endpoint.kind) \(endpoint.name ?? "(name unknown)") on \(endpoint.interface)"
            if let direction = explanation.direction { text += ", \(direction)" }
            if let file = endpoint.file { text += " (\(file):\(endpoint.line ?? 0))" }
            lines.append(text)
        }
        if let tier = explanation.tier { lines.append("tier: \(tier)") }
        if let policy = explanation.policy {
            var text = "policy: \(Summary.policyName(policy))"
            if let index = policy.ruleIndex { text += ", rule \(index + 1)" }
            text += " [chain \(policy.chain)]"
            if let file = policy.file { text += " (\(file):\(policy.line ?? 0))" }
            lines.append(text)
        }
        if let step = explanation.decidingStep {
            lines.append("deciding rule: \(step.table):\(step.chain) \(step.rule.map { "#\($0)" } ?? "policy") → \(step.verdict)")
            if let text = step.ruleText { lines.append("  " + text) }
        }
        if !explanation.policiesApplied.isEmpty {
            lines.append("policies and profiles consulted:")
            for evaluation in explanation.policiesApplied {
                var text = "  \(Summary.policyName(evaluation.policy))"
                if let tier = evaluation.tier { text += " (tier \(tier))" }
                text += ": \(evaluation.outcome.replacingOccurrences(of: "-", with: " ")), \(evaluation.allowRules) allowing rule\(evaluation.allowRules == 1 ? "" : "s")"
                lines.append(text)
                if let near = evaluation.nearestRule {
                    lines.append("    nearest: \(near.chain) #\(near.position)\(near.ruleIndex.map { " (policy rule \($0 + 1))" } ?? "")")
                    for failed in near.failed { lines.append("      ✗ \(failed.text)") }
                    for failed in near.failed {
                        guard let members = failed.members else { continue }
                        lines.append("        \(failed.ipset ?? "") holds: \(members.isEmpty ? "nothing" : members.joined(separator: ", "))")
                    }
                }
            }
        }
        if let nat = explanation.nat { lines.append("NAT: " + nat.text) }
        for proposal in explanation.proposals {
            lines.append("to let it through: " + proposal.summary)
            if let yaml = proposal.yaml {
                lines.append("  ---")
                lines += yaml.split(separator: "\n", omittingEmptySubsequences: false).dropLast(yaml.hasSuffix("\n") ? 1 : 0).map { "  " + $0 }
            }
        }
        for unknown in explanation.unknowns { lines.append("not known here: " + unknown) }
        for note in explanation.notes { lines.append("note: " + note) }
        return lines.map { indent + $0 }.joined(separator: "\n")
    }

    public static func render(_ path: PathExplanation) -> String {
        var lines: [String] = []
        for (index, hop) in path.hops.enumerated() {
            lines.append("hop \(index + 1): node \(hop.node) (\(hop.role))\(index == path.decidingHop ? " ← decided here" : ""): \(hop.packet)")
            lines.append(render(hop.explanation, indent: "  "))
        }
        return lines.joined(separator: "\n")
    }
}
