import Explain
import Netfilter
import NodeSnapshot
import PathDiagram
import TraceFormat

/// Pictures of packets' paths (`--format svg|html`): one hop per packet, or per node of a
/// cross-node path, labelled by the explainer and with the deciding rule marked.
enum DiagramOutput {
    struct Part {
        var node: String
        var trace: PacketTrace
        var note: String?
        var explainer: Explainer
    }

    static func input(title: String, parts: [Part], ruleText: @escaping @Sendable (Backend, TableName, String, Int) -> String) -> DiagramInput {
        var labels: [StepKey: String] = [:]
        var deciding: StepKey?
        var summary: [String] = []
        for (hop, part) in parts.enumerated() {
            for (index, step) in part.trace.steps.enumerated() {
                if let label = part.explainer.label(step) { labels[StepKey(hop: hop, step: index)] = label }
            }
            let explanation = part.explainer.explain(part.trace)
            summary.append((parts.count > 1 ? "\(part.note ?? "hop \(hop + 1)"): " : "") + explanation.summary)
            if deciding == nil, explanation.verdict != "accepted", let index = part.explainer.decidingStepIndex(part.trace) {
                deciding = StepKey(hop: hop, step: index)
            }
        }
        if deciding == nil, let last = parts.indices.last, let index = parts[last].explainer.decidingStepIndex(parts[last].trace) {
            deciding = StepKey(hop: last, step: index)
        }
        return DiagramInput(title: title, hops: parts.map { DiagramHop(node: $0.node, trace: $0.trace, note: $0.note) },
                            deciding: deciding, stepLabels: labels, ruleText: ruleText, summary: summary)
    }

    /// Rule text for the picture, which may be drawn on another thread.
    static func ruleText(_ snapshot: NodeSnapshot) -> @Sendable (Backend, TableName, String, Int) -> String {
        { backend, table, chain, position in ruleTextLookup(snapshot)(backend, table, chain, position) }
    }

    static func write(_ input: DiagramInput, html: Bool, to output: String?) throws {
        let text = html ? PathDiagram.html(input) : PathDiagram.svg(input)
        guard let output else {
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            return
        }
        do {
            try writeAtomically(text, to: output)
        } catch {
            throw fail("cannot write \(output): \(error.localizedDescription)", PathsimExit.internalError)
        }
    }
}
