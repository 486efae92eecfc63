import CalicoModel
import ClusterYAML
import Explain
import FelixRenderer
import Foundation
import Netfilter
import NodeSnapshot
import PacketSpec

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func fixture(_ path: String) -> String { packageRoot.appendingPathComponent("Fixtures/\(path)").path }

/// A node to explain packets on: its snapshot and what is known about it.
struct ExplainWorld {
    var snapshot: NodeSnapshot
    var context: ExplainContext

    /// A bare dump, nothing else.
    static func bare(_ directory: String) throws -> ExplainWorld {
        let snapshot = try NodeSnapshot.load(directory: fixture(directory))
        return ExplainWorld(snapshot: snapshot, context: ExplainContext(ruleset: snapshot.ruleset, ipsets: snapshot.ipsets))
    }

    /// A dump explained by the render of the cluster's objects, matched by rule hash.
    static func dump(_ directory: String, cluster: String, felixVersion: String) throws -> ExplainWorld {
        let snapshot = try NodeSnapshot.load(directory: fixture(directory))
        let objects = try ClusterLoader.load(paths: [fixture(cluster)])
        let rendered = try FelixRenderer.render(objects, node: objects.nodeNames[0], options: RenderOptions(layout: FelixLayout(felixVersion: felixVersion)!))
        return ExplainWorld(snapshot: snapshot, context: .dump(ruleset: snapshot.ruleset, ipsets: snapshot.ipsets, provenance: rendered.provenance, cluster: objects))
    }

    /// A dump `pathsim render` wrote, with its provenance.json, and the cluster's objects.
    static func renderedDump(_ directory: String, cluster: String) throws -> ExplainWorld {
        let snapshot = try NodeSnapshot.load(directory: fixture(directory))
        let file = fixture(directory + "/provenance.json")
        let provenance = try RenderProvenance.load(json: String(contentsOfFile: file, encoding: .utf8), file: file)
        let objects = try ClusterLoader.load(paths: [fixture(cluster)])
        return ExplainWorld(snapshot: snapshot, context: .dump(ruleset: snapshot.ruleset, ipsets: snapshot.ipsets, provenance: provenance, cluster: objects))
    }

    /// A cluster rendered for its only node, felix's rules alone.
    static func rendered(_ cluster: String) throws -> ExplainWorld {
        let objects = try ClusterLoader.load(paths: [fixture(cluster)])
        let rendered = try FelixRenderer.render(objects, node: objects.nodeNames[0])
        let snapshot = try rendered.snapshot()
        return ExplainWorld(snapshot: snapshot, context: ExplainContext(ruleset: snapshot.ruleset, ipsets: snapshot.ipsets, provenance: rendered.provenance, cluster: objects, node: rendered.node))
    }

    func simulator() -> Simulator {
        Simulator(ruleset: snapshot.ruleset, ipsets: snapshot.ipsets, network: snapshot.network, sysctls: snapshot.sysctls,
                  options: SimulatorOptions(recordMisses: true))
    }

    /// The explanations of the packets, run in order through one engine, each read back from
    /// its JSON form: what the tests assert on is what a script would see.
    func explain(_ packets: [String], simulator given: Simulator? = nil) throws -> [Explanation] {
        var simulator = given ?? simulator()
        var sequencer = TCPSequencer()
        let explainer = Explainer(context: context)
        return try packets.enumerated().map { offset, text in
            let spec = try PacketSpec.parse(text)
            let trace = simulator.process(spec.input(sequencer.complete(spec), timestamp: spec.timestamp ?? Double(offset) * 0.001))
            return try JSONDecoder().decode(Explanation.self, from: Data(explainer.explain(trace).json.utf8))
        }
    }

    func explain(_ packet: String) throws -> Explanation { try explain([packet])[0] }
}

extension ExplainWorld {
    /// The cluster with more objects (a proposal) added, rendered again.
    static func rendered(_ cluster: String, adding yaml: String) throws -> ExplainWorld {
        var objects = try ClusterLoader.load(paths: [fixture(cluster)])
        let extra = try ClusterLoader.load(yaml: yaml, file: "proposal.yaml")
        objects.kubernetesPolicies += extra.kubernetesPolicies
        objects.calicoPolicies += extra.calicoPolicies
        let rendered = try FelixRenderer.render(objects, node: objects.nodeNames[0])
        let snapshot = try rendered.snapshot()
        return ExplainWorld(snapshot: snapshot, context: ExplainContext(ruleset: snapshot.ruleset, ipsets: snapshot.ipsets, provenance: rendered.provenance, cluster: objects, node: rendered.node))
    }
}
