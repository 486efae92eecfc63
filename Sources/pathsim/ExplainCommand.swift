import ArgumentParser
import Explain
import Netfilter
import ScenarioSuite
import TraceFormat

enum ExplainOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case human, json, svg, html
}

/// Why each packet met its fate, in Calico's and Kubernetes' terms.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Say why packets are dropped or accepted: the endpoint, tier, policy and rule that decided, why the other policies did not allow them, and what would.",
        discussion: """
        Works on a bare node dump (--snapshot: names, comments, ipsets and cali: hashes), on a rendered cluster \
        (--cluster), or on both: the dump's rules run and the cluster's objects name them (the render is matched \
        to the dump by rule hash). With the cluster known, the change that would let a packet through is written \
        as Kubernetes or Calico YAML.
        Example: pathsim explain --snapshot Fixtures/snapshots/calico-2.6-web-deny-all \
        --cluster Fixtures/clusters/seed-web-deny-all-2.6 --felix-version 2.6 \
        --pkt 'in=cali1f79f9e08f2 tcp 10.139.54.20:41000 > 10.139.54.158:80 flags=S len=60'
        """
    )

    @OptionGroup var world: WorldOptions

    @OptionGroup var acrossNodes: AcrossNodesOptions

    @Option(name: .long, help: "human, json (one object per packet), svg (the hook diagram with the path and the deciding rule marked) or html (a standalone report with the diagram).")
    var format: ExplainOutputFormat = .human

    @Option(name: .shortAndLong, help: "Write the output to this file (svg and html), replacing it atomically.")
    var output: String?

    mutating func run() throws {
        if acrossNodes.enabled {
            let picture = format == .svg || format == .html ? (html: format == .html, output: output) : nil
            return try CrossNodeSession.run(world: world, options: acrossNodes, human: nil, explain: true, json: format == .json, picture: picture)
        }
        let loaded = try world.loadWorld()
        let inputs = try world.packets()
        guard !inputs.isEmpty else { throw fail("explain needs at least one --pkt", ExitCode.validationFailure) }
        var simulator = try world.simulator(loaded.snapshot, recordMisses: true)
        let explainer = Explainer(context: loaded.explainContext())
        var parts: [DiagramOutput.Part] = []
        for (offset, input) in inputs.enumerated() {
            let trace = simulator.process(input)
            let explanation = explainer.explain(trace)
            switch format {
            case .svg, .html:
                parts.append(DiagramOutput.Part(node: loaded.rendered?.node ?? "", trace: trace,
                                                note: inputs.count > 1 ? "packet \(offset + 1)" : nil, explainer: explainer))
            case .human:
                if offset > 0 { print("") }
                print("packet \(offset + 1): \(PacketDescription.spec(input.packet, ingress: input.ingress))")
                print(ExplanationText.render(explanation, indent: "  "))
            case .json:
                print(explanation.json)
            }
        }
        if !parts.isEmpty {
            let title = parts.count == 1 ? PacketDescription.spec(inputs[0].packet, ingress: inputs[0].ingress) : "\(parts.count) packets"
            try DiagramOutput.write(DiagramOutput.input(title: title, parts: parts, ruleText: DiagramOutput.ruleText(loaded.snapshot)), html: format == .html, to: output)
        }
    }
}
