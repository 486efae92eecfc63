import FelixRenderer
import IptablesSave
import Netfilter

/// A trace read together with the rules it ran through: steps as references, the chain visit a
/// step belongs to, the endpoint chain a step was made for.
struct TraceReading {
    var context: ExplainContext
    var trace: PacketTrace

    func rule(of step: TraceStep) -> Rule? {
        step.rule.flatMap { context.rule(step.backend, step.table, step.chain, $0) }
    }

    func reference(_ step: TraceStep) -> StepReference {
        let rule = rule(of: step)
        return StepReference(table: step.table.rawValue, chain: step.chain, rule: step.rule, verdict: step.verdict.rawValue, backend: step.backend.rawValue,
                             ruleText: rule.map { IptablesSavePrinter.ruleText($0, chain: step.chain) }, hash: rule?.felixHash,
                             comments: rule?.explanatoryComments ?? [])
    }

    func visit(containing index: Int) -> ChainVisit? {
        trace.visits.first { $0.stepRange.contains(index) }
    }

    /// The endpoint chain the step at `index` was taken for: its own chain, or the endpoint chain
    /// that jumped (or went) to it, directly or through other chains, in the same walk.
    func endpointStep(atOrBefore index: Int) -> Int? {
        guard let visit = visit(containing: index) else { return nil }
        var current = index
        while true {
            let chain = trace.steps[current].chain
            if FelixChainRole(chain: chain).isEndpoint { return current }
            // The chain was entered by the latest jump or goto to it before this step.
            guard let caller = stride(from: current - 1, through: visit.stepRange.lowerBound, by: -1).first(where: { trace.steps[$0].target == chain }) else { return nil }
            current = caller
        }
    }

    /// A rule that sets felix's accept (or pass) bit: a policy's or profile's allow (or pass) action.
    func setsBit(_ rule: Rule, pass: Bool) -> Bool {
        guard case .mark(let value, let mask)? = rule.target, value != 0 else { return false }
        guard let bits = context.markBits else { return !pass && value == mask }
        let bit = pass ? bits.pass : bits.accept
        return bit != 0 && value & bit == bit && mask & bit == bit
    }

    /// Where the rules saw the packet during the visit: what a missed rule's conditions were tested on.
    func probePoint(_ visit: ChainVisit, mark: UInt32?) -> ProbePoint {
        var packet = visit.packet
        if let mark { packet.mark = mark }
        return ProbePoint(packet: packet, inInterface: visit.inInterface, outInterface: visit.outInterface, conntrack: trace.conntrackState)
    }
}
