import FelixRenderer
import Netfilter

/// The policies and profiles an endpoint chain consulted for one packet, what each did with it,
/// and for those that did not allow it, the allowing rule that came closest.
struct PolicyEvaluations {
    var reading: TraceReading
    var naming: PolicyNaming
    var describer: ConditionDescriber

    struct Result {
        var evaluations: [PolicyEvaluation] = []
        var unknowns: [String] = []
    }

    /// `endpointStep` is the index of a step in the endpoint chain; the walk it belongs to is read.
    func evaluate(endpointStep: Int) -> Result {
        let trace = reading.trace
        let anchor = trace.steps[endpointStep]
        guard let visit = reading.visit(containing: endpointStep),
              let rules = reading.context.chain(anchor.backend, anchor.table, anchor.chain)?.rules else { return Result() }
        var result = Result()
        var tier: String?
        for (offset, rule) in rules.enumerated() {
            let comments = rule.explanatoryComments
            if let start = comments.first(where: { $0.hasPrefix("Start of tier ") }) {
                tier = String(start.dropFirst("Start of tier ".count))
            } else if comments.contains("Start of policies") {
                tier = "default"
            }
            guard let target = rule.chainTarget else { continue }
            // A policy group's rules jump to its policies in order.
            var jumps: [(caller: String, position: Int, chain: String)] = [(anchor.chain, offset + 1, target)]
            if FelixChainRole(chain: target) == .policyGroup {
                jumps = (reading.context.chain(anchor.backend, anchor.table, target)?.rules ?? []).enumerated().compactMap { index, member in
                    member.chainTarget.map { (target, index + 1, $0) }
                }
            }
            for jump in jumps where FelixChainRole(chain: jump.chain).isPolicyOrProfile {
                let isProfile = jump.chain.hasPrefix("cali-pr")
                let jumpOrigin = reading.context.origin(anchor.backend, anchor.table, jump.caller, jump.position)
                let (reference, unknown) = naming.reference(table: anchor.table, chain: jump.chain, jumpOrigin: jumpOrigin)
                if let unknown { result.unknowns.append(unknown) }
                let outcome = self.outcome(caller: jump.caller, position: jump.position, policyChain: jump.chain, visit: visit)
                let allowRules = reading.context.chain(anchor.backend, anchor.table, jump.chain)?.rules.filter { reading.setsBit($0, pass: false) || reading.setsBit($0, pass: true) }.count ?? 0
                var evaluation = PolicyEvaluation(policy: reference, tier: isProfile ? nil : tier, outcome: outcome, allowRules: allowRules)
                if outcome == "no-rule-matched" {
                    evaluation.nearestRule = nearestRule(table: anchor.table, backend: anchor.backend, chain: jump.chain, visit: visit)
                }
                result.evaluations.append(evaluation)
            }
        }
        return result
    }

    private func outcome(caller: String, position: Int, policyChain: String, visit: ChainVisit) -> String {
        let steps = reading.trace.steps
        guard let jump = visit.stepRange.first(where: { steps[$0].chain == caller && steps[$0].rule == position && steps[$0].target == policyChain }) else {
            return "not-reached"
        }
        // The policy's own steps run until the walk is back in the chain that jumped.
        var index = jump + 1
        var outcome = "no-rule-matched"
        while index < visit.stepRange.upperBound, steps[index].chain != caller {
            let step = steps[index]
            if step.chain == policyChain {
                if step.verdict == .drop { return "denied" }
                if let rule = reading.rule(of: step) {
                    if reading.setsBit(rule, pass: false) { outcome = "allowed" } else if reading.setsBit(rule, pass: true) { outcome = "passed" }
                }
            }
            index += 1
        }
        return outcome
    }

    /// Among the chain's allowing rules the walk tested, the one with fewest failed conditions.
    func nearestRule(table: TableName, backend: Backend, chain: String, visit: ChainVisit) -> RuleMiss? {
        guard let rules = reading.context.chain(backend, table, chain)?.rules else { return nil }
        var best: RuleMiss?
        for (offset, rule) in rules.enumerated() where reading.setsBit(rule, pass: false) || reading.setsBit(rule, pass: true) {
            guard let miss = reading.trace.missed.first(where: { $0.backend == backend && $0.table == table && $0.chain == chain && $0.rule == offset + 1 }) else { continue }
            let point = reading.probePoint(visit, mark: miss.mark)
            let failures = (miss.failures.isEmpty ? [miss.failed] : miss.failures).map { describer.describe(rule, $0, at: point) }
            if failures.count < best?.failed.count ?? Int.max {
                best = RuleMiss(chain: chain, position: offset + 1, ruleText: reading.context.ruleText(backend, table, chain, offset + 1),
                                ruleIndex: reading.context.origin(backend, table, chain, offset + 1)?.ruleIndex, failed: failures)
            }
        }
        return best
    }
}
