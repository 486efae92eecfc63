import ArgumentParser
import CalicoModel
import ClusterPath
import Explain
import FelixRenderer
import Netfilter
import NodeSnapshot
import TraceFormat

/// `--across-nodes`: a packet from a pod on one node to wherever the cluster sends it, each
/// node's rules in turn, with the tunnel between them.
struct AcrossNodesOptions: ParsableArguments {
    @Flag(name: .customLong("across-nodes"), help: "With --cluster: follow each packet from node to node (egress on the sending pod's node, IPIP or VXLAN as the pool says, ingress on the receiving pod's node).")
    var enabled = false

    @Option(name: .long, help: ArgumentHelp("With --across-nodes: the pod the packets come from (namespace/name); its veth replaces the packet's in=. Without it, the node is the one whose pod owns the in= interface, else --node.", valueName: "pod"))
    var from: String?
}

/// Every node of the cluster rendered (with routes to the others' pods), one engine per node,
/// and an explainer per node that knows its render.
struct CrossNodeSession {
    var tracer: ClusterPathTracer
    var explainers: [String: Explainer]
    var ruleTexts: [String: @Sendable (Backend, TableName, String, Int) -> String]
    var startNode: String?

    init(_ options: ClusterOptions) throws {
        guard options.isSet else { throw fail("--across-nodes needs --cluster", ExitCode(64)) }
        let layout = try options.layout()
        let objects = try options.loadObjects()
        let renderOptions = RenderOptions(layout: layout, routesToOtherNodes: true)
        var snapshots: [String: NodeSnapshot] = [:]
        explainers = [:]
        ruleTexts = [:]
        for node in objects.nodeNames {
            do {
                let rendered = try FelixRenderer.render(objects, node: node, options: renderOptions)
                let snapshot = try rendered.snapshot()
                snapshots[node] = snapshot
                explainers[node] = Explainer(context: ExplainContext(ruleset: snapshot.ruleset, ipsets: snapshot.ipsets, provenance: rendered.provenance, cluster: objects, node: node))
                ruleTexts[node] = DiagramOutput.ruleText(snapshot)
            } catch {
                throw fail("node \(node): \(error)", PathsimExit.badInput)
            }
        }
        if !objects.services.isEmpty && !options.noKubeProxy {
            FileHandleOutput.standardError("pathsim: note: --across-nodes renders felix's rules only; kube-proxy's Service rules are left out")
        }
        tracer = ClusterPathTracer(cluster: objects, snapshots: snapshots, options: renderOptions, simulatorOptions: SimulatorOptions(recordMisses: true))
        startNode = options.node
    }

    /// Where the packet starts: the --from pod's veth, or the node whose pod owns in=, or --node.
    func start(_ input: PacketInput, from pod: String?) throws -> (node: String, input: PacketInput) {
        if let pod {
            do {
                return try tracer.input(from: pod, packet: input.packet, timestamp: input.timestamp)
            } catch {
                throw fail("--from: \(error)", PathsimExit.badInput)
            }
        }
        if case .interface(let name) = input.ingress, let owner = tracer.locator.workloads.first(where: { $0.interfaceName == name }) {
            return (owner.node, input)
        }
        guard let startNode else {
            throw fail("--across-nodes: no pod owns the packet's interface; give --from POD, or --node for the node it arrives at", ExitCode(64))
        }
        return (startNode, input)
    }

    mutating func trace(_ input: PacketInput, from pod: String?) throws -> ClusterPathResult {
        let begin = try start(input, from: pod)
        return tracer.trace(begin.input, fromNode: begin.node)
    }

    func explain(_ result: ClusterPathResult) -> PathExplanation {
        Explainer.explain(hops: result.hops.compactMap { hop in
            explainers[hop.node].map { (node: hop.node, role: hop.role.rawValue, trace: hop.trace, explainer: $0) }
        })
    }

    func diagramParts(_ result: ClusterPathResult) -> [DiagramOutput.Part] {
        result.hops.compactMap { hop in
            explainers[hop.node].map { DiagramOutput.Part(node: hop.node, trace: hop.trace, note: hop.note ?? hop.role.rawValue, explainer: $0) }
        }
    }

    /// Rule text for a picture spanning nodes: felix writes the same static chains on every
    /// node and the picture asks by rule only, so the first node that has the rule answers.
    func ruleText(nodes: [String]) -> @Sendable (Backend, TableName, String, Int) -> String {
        let texts = nodes.compactMap { ruleTexts[$0] }
        return { backend, table, chain, position in
            for text in texts {
                let line = text(backend, table, chain, position)
                if !line.isEmpty { return line }
            }
            return ""
        }
    }

    static func human(_ result: ClusterPathResult, index: Int, render: (ClusterHop) -> String) -> String {
        var lines = ["packet \(index): " + (result.hops.first.map { PacketDescription.spec($0.trace.input.packet, ingress: $0.trace.input.ingress) } ?? "")]
        for (number, hop) in result.hops.enumerated() {
            lines.append("hop \(number + 1): node \(hop.node), \(hop.role.rawValue)\(hop.note.map { " (\($0))" } ?? "")")
            lines.append(render(hop))
        }
        lines.append("outcome: \(result.outcome)")
        return lines.joined(separator: "\n")
    }

    static func json(_ result: ClusterPathResult, index: Int, explanation: PathExplanation?) -> JSONValue {
        var fields: [(String, JSONValue)] = [("index", .int(index)), ("outcome", .string(result.outcome.description)), ("delivered", .bool(result.outcome.isDelivered))]
        fields.append(("hops", .array(result.hops.map { hop in
            .object([("node", .string(hop.node)), ("role", .string(hop.role.rawValue)), ("note", hop.note.map(JSONValue.string) ?? .null),
                     ("trace", TraceJSON.object(hop.trace, index: nil))])
        })))
        if let explanation { fields.append(("explanation", .encoded(explanation.json))) }
        return .object(fields)
    }
}

extension CrossNodeSession {
    /// `trace --across-nodes` and `explain --across-nodes`: every packet's path over the
    /// cluster in the chosen form.
    /// `human`: colour and verbosity of the trace, nil to print only outcomes (and explanations).
    static func run(world: WorldOptions, options: AcrossNodesOptions, human: (colour: Bool, verbose: Bool)?, explain: Bool, json: Bool, picture: (html: Bool, output: String?)?) throws {
        var session = try CrossNodeSession(world.rendered)
        let inputs = try world.packets()
        guard !inputs.isEmpty else { throw fail("at least one --pkt is needed", ExitCode.validationFailure) }
        var parts: [DiagramOutput.Part] = []
        for (offset, input) in inputs.enumerated() {
            let result = try session.trace(input, from: options.from)
            let explanation = explain ? session.explain(result) : nil
            if picture != nil {
                parts += session.diagramParts(result)
            } else if json {
                print(Self.json(result, index: offset + 1, explanation: explanation).rendered)
            } else {
                if offset > 0 { print("") }
                if let human {
                    print(Self.human(result, index: offset + 1) { hop in
                        let text = session.ruleTexts[hop.node] ?? { _, _, _, _ in "" }
                        return TraceHuman(colour: human.colour, verbose: human.verbose, ruleText: text).render(hop.trace, index: nil, indent: "  ")
                    })
                } else {
                    let first = result.hops.first?.trace.input ?? input
                    print("packet \(offset + 1): \(PacketDescription.spec(first.packet, ingress: first.ingress))\noutcome: \(result.outcome)")
                }
                if let explanation { print(ExplanationText.render(explanation)) }
            }
        }
        if let picture {
            let title = inputs.count == 1 ? PacketDescription.spec(inputs[0].packet, ingress: inputs[0].ingress) : "\(inputs.count) packets"
            var nodes: [String] = []
            for part in parts where !nodes.contains(part.node) { nodes.append(part.node) }
            let ruleText = session.ruleText(nodes: nodes)
            try DiagramOutput.write(DiagramOutput.input(title: title, parts: parts, ruleText: ruleText), html: picture.html, to: picture.output)
        }
    }
}
