import CalicoModel
import ClusterYAML
import Explain
import FelixRenderer
import Foundation
import Netfilter

/// A world ready to run cases: the engine in its initial state and the explainer. Both are
/// values, so each case starts from its own copy of the engine (its own conntrack table and
/// counters) and cases can run in parallel.
public struct PreparedWorld: Sendable {
    public var simulator: Simulator
    public var explainer: Explainer
    public var loaded: LoadedWorld

    /// Loads the node a scenario's world describes; errors name the `world:` entry.
    public static func load(_ spec: WorldSpec) throws(ScenarioError) -> PreparedWorld {
        func failure(_ message: String) -> ScenarioError { ScenarioError(file: spec.file, line: spec.line, message: "world: \(message)") }
        var rendered: (rendered: RenderedNode, objects: Cluster)?
        if !spec.cluster.isEmpty {
            guard let layout = FelixLayout(felixVersion: spec.felixVersion) else {
                throw failure("felixVersion \(spec.felixVersion): expected 3.x (modern layout) or 2.x (legacy layout)")
            }
            for path in spec.cluster where !FileManager.default.fileExists(atPath: path) { throw failure("cluster \(path): no such file or directory") }
            let objects: Cluster
            do {
                objects = try ClusterLoader.load(paths: spec.cluster)
            } catch {
                throw failure("\(error)")
            }
            guard let node = spec.node ?? (objects.nodeNames.count == 1 ? objects.nodeNames.first : nil) else {
                throw failure("node: expected one of \(objects.nodeNames.joined(separator: ", "))")
            }
            do {
                rendered = (try ClusterNode.render(objects, node: node, layout: layout, kubeProxy: spec.kubeProxy, clusterCIDR: spec.clusterCIDR), objects)
            } catch {
                throw failure("\(error)")
            }
        }
        if let snapshot = spec.snapshot, !FileManager.default.fileExists(atPath: snapshot) { throw failure("snapshot \(snapshot): no such directory") }
        let loaded: LoadedWorld
        do {
            loaded = try LoadedWorld.assemble(snapshot: spec.snapshot, rendered: rendered)
        } catch {
            throw failure("\(error)")
        }
        let snapshot = loaded.snapshot
        // Misses are recorded because explanations read them (the nearest allowing rule).
        let simulator = Simulator(ruleset: snapshot.ruleset, legacyRuleset: snapshot.legacyRuleset, ipsets: snapshot.ipsets, network: snapshot.network,
                                  sysctls: snapshot.sysctls,
                                  options: SimulatorOptions(recordMisses: true, randomSeed: spec.seed, closedPorts: spec.closedPorts, legacyRunsFirst: spec.legacyFirst),
                                  conntrack: snapshot.conntrack)
        return PreparedWorld(simulator: simulator, explainer: Explainer(context: loaded.explainContext()), loaded: loaded)
    }
}
