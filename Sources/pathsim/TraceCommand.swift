import ArgumentParser
import Explain
import Netfilter
import ScenarioSuite
import TraceFormat

enum TraceOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case human, json, nftrace, svg, html
}

struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Run packets through a node snapshot and show every rule they hit.",
        discussion: """
        Packet spec: in=IFACE|local PROTO SRC[:PORT] > DST[:PORT] [flags=S. seq= ack= win= type= code= id= seq= \
        len= payload= mark= ttl= tos= ipid= frag= t= ct=established|related quote=PROTO,SRC[:P],DST[:P]]
        Example: pathsim trace --snapshot DIR --pkt 'in=cali1f79f9e08f2 tcp 10.139.54.20:41000 > 10.139.54.158:80 flags=S len=60'
        """
    )

    @OptionGroup var world: WorldOptions

    @OptionGroup var acrossNodes: AcrossNodesOptions

    @Option(name: .long, help: "human, json (JSON Lines, one object per packet), nftrace (nft monitor trace style), svg (the hook diagram with the path) or html (a standalone report).")
    var format: TraceOutputFormat = .human

    @Flag(name: .long, help: "Also say why each packet met its fate: the endpoint, policy and rule that decided, and what would let it through (as `pathsim explain`).")
    var explain = false

    @Option(name: .shortAndLong, help: "svg and html: write the picture to this file, replacing it atomically.")
    var output: String?

    @Flag(name: .long, help: "Also list evaluated rules that did not match, with the condition that failed.")
    var verbose = false

    @Option(name: .long, help: "Write the counters after the run in iptables-save -c form.")
    var saveCounters: String?

    @Option(name: .long, help: "Colour: auto (only on a terminal), always, never.")
    var color: String = "auto"

    @Flag(name: .long, help: "After the packets, print the conntrack table as `conntrack -L` does.")
    var conntrack = false

    @Flag(name: .customLong("all-branches"), help: "Show every path a packet can take through -m statistic --mode random (each kube-proxy endpoint), with its probability; the run then goes on along the --seed draw.")
    var allBranches = false

    mutating func run() throws {
        if acrossNodes.enabled {
            let human = (colour: (ColourChoice(rawValue: color) ?? .auto).enabled, verbose: verbose)
            let picture = format == .svg || format == .html ? (html: format == .html, output: output) : nil
            return try CrossNodeSession.run(world: world, options: acrossNodes, human: human, explain: explain, json: format == .json, picture: picture)
        }
        let loaded = try world.loadWorld()
        let snapshot = loaded.snapshot
        let inputs = try world.packets()
        guard !inputs.isEmpty else { throw fail("trace needs at least one --pkt", ExitCode.validationFailure) }
        let picture = format == .svg || format == .html
        var simulator = try world.simulator(snapshot, recordMisses: verbose || explain || picture)
        let explainer = Explainer(context: loaded.explainContext())
        var parts: [DiagramOutput.Part] = []
        let ruleText = ruleTextLookup(snapshot)
        let human = TraceHuman(colour: (ColourChoice(rawValue: color) ?? .auto).enabled, verbose: verbose, ruleText: ruleText)
        let nftrace = TraceNftrace(ruleText: ruleText)
        func show(_ trace: PacketTrace, index: Int, branch: (number: Int, of: Int, probability: Double)? = nil) {
            switch format {
            case .human:
                if index > 1 || (branch?.number ?? 1) > 1 { print("") }
                if let branch { print("branch \(branch.number) of \(branch.of), probability \(probabilityText(branch.probability)):") }
                print(human.render(trace, index: index))
                if explain { print(ExplanationText.render(explainer.explain(trace), indent: "  ")) }
            case .json:
                guard case .object(var fields) = TraceJSON.object(trace, index: index) else { return }
                if let branch {
                    fields = [("branch", .int(branch.number)), ("branches", .int(branch.of)), ("probability", .string(probabilityText(branch.probability)))] + fields
                }
                if explain { fields.append(("explanation", .encoded(explainer.explain(trace).json))) }
                print(JSONValue.object(fields).rendered)
            case .nftrace:
                print(nftrace.render(trace, id: UInt32(index)))
            case .svg, .html:
                let note = branch.map { "packet \(index), branch \($0.number) of \($0.of)" } ?? (inputs.count > 1 ? "packet \(index)" : nil)
                parts.append(DiagramOutput.Part(node: loaded.rendered?.node ?? "", trace: trace, note: note, explainer: explainer))
            }
        }
        for (offset, input) in inputs.enumerated() {
            if allBranches {
                let branches = simulator.allBranches(input)
                if branches.count > 1 {
                    for (number, branch) in branches.enumerated() {
                        show(branch.trace, index: offset + 1, branch: (number + 1, branches.count, branch.probability))
                    }
                    _ = simulator.process(input)
                    continue
                }
            }
            show(simulator.process(input), index: offset + 1)
        }
        if picture {
            let title = parts.count == 1 ? PacketDescription.spec(inputs[0].packet, ingress: inputs[0].ingress) : "\(parts.count) packets"
            try DiagramOutput.write(DiagramOutput.input(title: title, parts: parts, ruleText: DiagramOutput.ruleText(snapshot)), html: format == .html, to: output)
        }
        if let saveCounters { try pathsim.saveCounters(simulator, to: saveCounters) }
        if conntrack {
            if format == .human { print("") }
            printConntrackTable(simulator, json: format == .json)
        }
    }
}

/// A probability as xt_statistic can hold it (31 bits), without float noise.
func probabilityText(_ probability: Double) -> String {
    let rounded = (probability * 1_000_000).rounded() / 1_000_000
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
}
