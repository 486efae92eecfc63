import ArgumentParser
import CalicoModel
import ClusterYAML
import FelixRenderer
import Foundation
import ScenarioSuite

/// Where a rendered node comes from: cluster YAML, the node to render, and the felix to render as.
struct ClusterOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Cluster objects as kubectl/calicoctl print them (YAML files or directories); repeatable.", valueName: "path"))
    var cluster: [String] = []

    @Option(name: .long, help: "The node whose rules to render (a Node name, or a pod's spec.nodeName).")
    var node: String?

    @Option(name: .customLong("felix-version"), help: "Render as this felix: 3.32 (default, modern layout) or any 2.x (the Calico 2.x layout).")
    var felixVersion: String = "3.32"

    @Flag(name: .customLong("no-kube-proxy"), help: "Leave out kube-proxy's rules even when the cluster holds Services.")
    var noKubeProxy = false

    @Option(name: .customLong("cluster-cidr"), help: ArgumentHelp("kube-proxy's --cluster-cidr (default: the first IPv4 IPPool).", valueName: "cidr"))
    var clusterCIDR: String?

    var isSet: Bool { !cluster.isEmpty }

    func render() throws -> RenderedNode { try renderWithObjects().rendered }

    /// The felix layout --felix-version asks for.
    func layout() throws -> FelixLayout {
        guard let layout = FelixLayout(felixVersion: felixVersion) else {
            throw fail("--felix-version \(felixVersion): expected 3.x (modern layout) or 2.x (legacy layout)", ExitCode(64))
        }
        return layout
    }

    /// The objects of every --cluster path.
    func loadObjects() throws -> Cluster {
        for path in cluster where !FileManager.default.fileExists(atPath: path) {
            throw fail("\(path): no such file or directory", PathsimExit.missingInput)
        }
        do {
            return try ClusterLoader.load(paths: cluster)
        } catch {
            throw fail("\(error)", PathsimExit.badInput)
        }
    }

    /// The cluster's objects and the node felix (and kube-proxy) would program from them.
    func renderWithObjects() throws -> (rendered: RenderedNode, objects: Cluster) {
        let layout = try self.layout()
        let objects = try loadObjects()
        guard let node = node ?? (objects.nodeNames.count == 1 ? objects.nodeNames.first : nil) else {
            throw fail("--node: expected one of \(objects.nodeNames.joined(separator: ", "))", ExitCode(64))
        }
        do {
            let rendered = try ClusterNode.render(objects, node: node, layout: layout, kubeProxy: !noKubeProxy, clusterCIDR: clusterCIDR)
            return (rendered, objects)
        } catch {
            throw fail("\(error)", PathsimExit.badInput)
        }
    }
}
