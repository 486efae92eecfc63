import CalicoModel
import Explain
import FelixRenderer
import Foundation
import NodeSnapshot

/// A node to simulate: its snapshot, and the cluster render that explains it when there is one.
public struct LoadedWorld: Sendable {
    public var snapshot: NodeSnapshot
    public var rendered: RenderedNode?
    public var cluster: Cluster?
    /// The rules came from a real dump, not from the render.
    public var fromDump: Bool
    /// provenance.json found beside a snapshot, when no cluster was given.
    public var savedProvenance: RenderProvenance?

    public init(snapshot: NodeSnapshot, rendered: RenderedNode?, cluster: Cluster?, fromDump: Bool, savedProvenance: RenderProvenance? = nil) {
        self.snapshot = snapshot
        self.rendered = rendered
        self.cluster = cluster
        self.fromDump = fromDump
        self.savedProvenance = savedProvenance
    }

    /// What explanations draw on.
    public func explainContext() -> ExplainContext {
        guard fromDump else {
            return ExplainContext(ruleset: snapshot.ruleset, legacyRuleset: snapshot.legacyRuleset, ipsets: snapshot.ipsets,
                                  provenance: rendered?.provenance, cluster: cluster, node: rendered?.node)
        }
        return ExplainContext.dump(ruleset: snapshot.ruleset, legacyRuleset: snapshot.legacyRuleset, ipsets: snapshot.ipsets,
                                   provenance: rendered?.provenance ?? savedProvenance, cluster: cluster)
    }
}

extension LoadedWorld {
    /// The world of a snapshot directory, a render, or both: with both, the dump's rules run and
    /// the render names what they stand for (matched by `cali:` hash); a directory `pathsim
    /// render` wrote carries its own provenance.json, used when no render is given.
    public static func assemble(snapshot directory: String?, rendered: (rendered: RenderedNode, objects: Cluster)?) throws -> LoadedWorld {
        guard let directory else {
            guard let rendered else { throw ScenarioError(file: "", line: 0, message: "expected a snapshot directory or a cluster") }
            return LoadedWorld(snapshot: try rendered.rendered.snapshot(), rendered: rendered.rendered, cluster: rendered.objects, fromDump: false)
        }
        let loaded = try NodeSnapshot.load(directory: directory)
        var world = LoadedWorld(snapshot: loaded, rendered: rendered?.rendered, cluster: rendered?.objects, fromDump: true)
        let file = (directory as NSString).appendingPathComponent(RenderProvenance.fileName)
        if rendered == nil, let text = try? String(contentsOfFile: file, encoding: .utf8) {
            world.savedProvenance = try RenderProvenance.load(json: text, file: file)
        }
        return world
    }
}
