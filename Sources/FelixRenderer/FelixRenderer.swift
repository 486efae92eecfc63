import CalicoModel
import Foundation
import Netfilter
import NodeSnapshot

/// Renders what felix would program on one node of a cluster: iptables chains (save form, `cali:`
/// hashes included), ipsets, the node's interfaces and routes, and the back-map from every rule
/// to the object that produced it.
public enum FelixRenderer {
    public static func render(_ cluster: Cluster, node: String, options: RenderOptions = RenderOptions()) throws(RenderError) -> RenderedNode {
        guard cluster.nodeNames.contains(node) else {
            let known = cluster.nodeNames
            throw RenderError(message: "node \"\(node)\" is not in the cluster: expected one of \(known.isEmpty ? "(no nodes: add a Node or pods with spec.nodeName)" : known.joined(separator: ", "))")
        }
        let configuration = cluster.felixConfiguration(forNode: node)
        let settings = try FelixSettings(configuration: configuration, options: options, pools: cluster.ipPools)
        // felix 2.x has one implicit tier ("Start of policies"); rendering another tier's
        // policies into it would change their order silently.
        if !settings.isModern, let tiered = cluster.calicoPolicies.first(where: { $0.tier != "default" }) {
            throw RenderError(location: tiered.meta.source,
                              message: "policy \(tiered.meta.qualifiedName) is in tier \"\(tiered.tier)\"; felix 2.x has no tiers: render with the 3.32 layout (--felix-version 3.32)")
        }
        var builder = try NodeRulesBuilder(cluster: cluster, node: node, settings: settings)
        var rendered = try builder.build()
        for field in configuration.unrenderedFields {
            let file = configuration.meta.source?.file ?? "FelixConfiguration"
            rendered.assumptions.append("\(file):\(field.line): FelixConfiguration field \(field.name) is not supported by pathsim; the rules are rendered as if it were unset")
        }
        return rendered
    }
}

/// The result of rendering: the files of a node snapshot plus `provenance.json`.
public struct RenderedNode: Sendable {
    public var node: String
    public var layout: FelixLayout
    /// File name → contents: iptables-save.txt, ipset-save.txt, ip-addr.json, ip-link.json, ip-route.json.
    public var files: [String: String]
    public var provenance: RenderProvenance
    /// What pathsim had to assume (missing Node address, …).
    public var assumptions: [String]

    public func snapshot() throws(SnapshotLoadError) -> NodeSnapshot {
        var snapshot = try NodeSnapshot.load(files: files, directory: "<rendered \(node)>")
        snapshot.defaultsUsed += assumptions
        return snapshot
    }

    /// Writes the snapshot files and provenance.json into `directory` (created if needed).
    public func write(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in files.merging([RenderProvenance.fileName: provenance.json()], uniquingKeysWith: { a, _ in a }) {
            try text.write(toFile: (directory as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }
}
