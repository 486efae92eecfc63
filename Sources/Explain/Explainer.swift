import CalicoModel
import FelixRenderer
import IptablesSave
import Netfilter
import TraceFormat

/// Reads a trace the way a Calico engineer would: finds the step that decided, says what it
/// means in terms of endpoints, tiers, policies and profiles, and why the policies that could
/// have let the packet through did not.
public struct Explainer: Sendable {
    public var context: ExplainContext

    public init(context: ExplainContext) {
        self.context = context
    }

    public func explain(_ trace: PacketTrace) -> Explanation {
        let reading = TraceReading(context: context, trace: trace)
        let naming = PolicyNaming(context: context)
        let decision = Decision(reading: reading)
        var explanation = Explanation(verdict: decision.verdict, cause: decision.cause, summary: "")
        explanation.node = context.node
        explanation.decidingStep = decision.index.map { reading.reference(trace.steps[$0]) }
        var unknowns: [String] = []

        if let index = decision.index, let endpointIndex = reading.endpointStep(atOrBefore: index),
           case .endpoint(let kind, let interface, let direction) = FelixChainRole(chain: trace.steps[endpointIndex].chain) {
            let endpointStep = trace.steps[endpointIndex]
            let endpoint = EndpointNaming(context: context).reference(kind: kind, interface: interface, table: endpointStep.table, chain: endpointStep.chain)
            if endpoint.name == nil { unknowns.append("which \(kind == "host" ? "host endpoint" : "pod") uses interface \(interface) (a bare dump names interfaces only; give --cluster with the cluster's YAML)") }
            explanation.endpoint = endpoint
            explanation.direction = direction
            let evaluations = PolicyEvaluations(reading: reading, naming: naming, describer: ConditionDescriber(context: context)).evaluate(endpointStep: endpointIndex)
            explanation.policiesApplied = evaluations.evaluations
            unknowns += evaluations.unknowns
        }

        let deciding = decision.index.map { trace.steps[$0] }
        switch decision.cause {
        case .policyDeny, .profileDeny, .policyAllow, .profileAllow:
            if let deciding {
                let origin = context.origin(deciding.backend, deciding.table, deciding.chain, deciding.rule)
                var (reference, unknown) = naming.reference(table: deciding.table, chain: deciding.chain)
                reference.ruleIndex = origin?.ruleIndex
                explanation.policy = reference
                if let unknown, !unknowns.contains(unknown) { unknowns.append(unknown) }
                explanation.tier = explanation.policiesApplied.first { $0.policy.chain == deciding.chain }?.tier
            }
        case .endOfTier:
            let tier = decision.tier ?? "default"
            explanation.tier = tier
            let inTier = explanation.policiesApplied.filter { $0.tier == tier }
            if inTier.count == 1 { explanation.policy = inTier[0].policy }
        default:
            break
        }
        if decision.cause == .unknownInterface, let index = decision.index, let visit = reading.visit(containing: index) {
            explanation.interface = trace.steps[index].chain.hasPrefix("cali-from") ? visit.inInterface : visit.outInterface
        }
        if decision.cause == .serviceNoEndpoints, let comment = explanation.decidingStep?.comments.first(where: { $0.hasSuffix(" has no endpoints") }) {
            explanation.service = String(comment.dropLast(" has no endpoints".count))
        }
        explanation.nat = NATReading(reading: reading).change(before: decision.index)
        let describedSets = explanation.policiesApplied.compactMap(\.nearestRule).flatMap(\.failed).filter { $0.kind == "ipset" && $0.selector == nil }
        if !context.hasProvenance, let set = describedSets.first?.ipset {
            unknowns.append("the selector behind ipset \(set) (a bare dump has only its members; give --cluster for the selector)")
        }
        explanation.summary = Summary(explanation: explanation, decision: decision, reading: reading).text
        explanation.proposals = ProposalWriter(context: context, reading: reading).proposals(for: explanation, decision: decision)
        if context.cluster == nil && (explanation.cause == .endOfTier || explanation.cause == .noProfileMatched || explanation.cause == .policyDeny || explanation.cause == .profileDeny) {
            unknowns.append("the cluster's objects, to write the policy that would allow this as YAML (give --cluster)")
        }
        explanation.unknowns = unknowns
        explanation.notes = context.notes
        return explanation
    }

    /// One explanation per node of a path; the deciding hop is where the packet stopped.
    public static func explain(hops: [(node: String, role: String, trace: PacketTrace, explainer: Explainer)]) -> PathExplanation {
        let explained = hops.map { hop in
            PathExplanation.Hop(node: hop.node, role: hop.role, packet: PacketDescription.spec(hop.trace.input.packet, ingress: hop.trace.input.ingress), explanation: hop.explainer.explain(hop.trace))
        }
        let stop = explained.firstIndex { $0.explanation.verdict != "accepted" } ?? max(0, explained.count - 1)
        return PathExplanation(hops: explained, decidingHop: stop)
    }
}

extension Explainer {
    /// Index in `trace.steps` of the step that decided, as `explain` reads it.
    public func decidingStepIndex(_ trace: PacketTrace) -> Int? {
        Decision(reading: TraceReading(context: context, trace: trace)).index
    }

    /// What a step means in the cluster's terms, for labelling a picture of the path: the
    /// object that produced the rule, else the rule's own comments.
    public func label(_ step: TraceStep) -> String? {
        if let origin = context.origin(step.backend, step.table, step.chain, step.rule) { return origin.summary }
        let comments = step.rule.flatMap { context.rule(step.backend, step.table, step.chain, $0) }?.explanatoryComments ?? []
        return comments.isEmpty ? nil : comments.joined(separator: "; ")
    }
}
