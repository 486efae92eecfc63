import Netfilter

/// One step of the path as a row: where it was, what it did, the rule's text and meaning.
struct ChainRow {
    var key: StepKey
    var step: TraceStep
    /// How many chains deep the step is below its visit's base chain.
    var depth: Int
    var heading: String
    var ruleText: String?
    var label: String?
    var deciding: Bool
}

/// The steps of one base-chain visit.
struct ChainSection {
    /// 1-based, matching the number in the hook diagram's cell.
    var number: Int
    var visit: ChainVisit
    var header: String
    var rows: [ChainRow]
}

enum ChainPath {
    static func sections(hop hopIndex: Int, of input: DiagramInput) -> [ChainSection] {
        guard input.hops.indices.contains(hopIndex) else { return [] }
        let trace = input.hops[hopIndex].trace
        let deciding = input.validDeciding
        return trace.visits.enumerated().map { offset, visit in
            var header = "[\(offset + 1)] \(visit.hook.rawValue) \(visit.table.rawValue)"
            if visit.backend == .legacy { header += " (iptables-legacy)" }
            if let name = visit.inInterface { header += " in=\(name)" }
            if let name = visit.outInterface { header += " out=\(name)" }
            if visit.packet.mark != 0 { header += " mark=0x\(String(visit.packet.mark, radix: 16))" }
            // Chains entered by jump are shown one level deeper than the chain they came from; a
            // step back in a chain already on the stack means the inner chains returned.
            var stack: [String] = []
            var rows: [ChainRow] = []
            for index in visit.stepRange where trace.steps.indices.contains(index) {
                let step = trace.steps[index]
                if let level = stack.lastIndex(of: step.chain) {
                    stack.removeSubrange((level + 1)...)
                } else {
                    stack.append(step.chain)
                }
                let key = StepKey(hop: hopIndex, step: index)
                let text = step.rule.map { input.ruleText(step.backend, step.table, step.chain, $0) } ?? ""
                rows.append(ChainRow(key: key, step: step, depth: stack.count - 1, heading: heading(step),
                                     ruleText: text.isEmpty ? nil : text, label: input.stepLabels[key], deciding: key == deciding))
            }
            return ChainSection(number: offset + 1, visit: visit, header: header, rows: rows)
        }
    }

    /// `table:chain #rule verdict [target]`, the policy in place of the rule number.
    static func heading(_ step: TraceStep) -> String {
        var text = (step.backend == .legacy ? "legacy " : "") + "\(step.table.rawValue):\(step.chain) "
        text += step.rule.map { "#\($0)" } ?? "policy"
        text += " \(step.verdict.rawValue)"
        if let target = step.target { text += " \(target)" }
        return text
    }
}
