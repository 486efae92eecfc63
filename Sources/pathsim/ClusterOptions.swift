import ArgumentParser
import CalicoModel
import ClusterYAML
import FelixRenderer
import Foundation
import KubeProxyRenderer

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

    /// The cluster's objects and the node felix (and kube-proxy) would program from them.
    func renderWithObjects() throws -> (rendered: RenderedNode, objects: Cluster) {
        guard let layout = FelixLayout(felixVersion: felixVersion) else {
            throw fail("--felix-version \(felixVersion): expected 3.x (modern layout) or 2.x (legacy layout)", ExitCode(64))
        }
        for path in cluster where !FileManager.default.fileExists(atPath: path) {
            throw fail("\(path): no such file or directory", PathsimExit.missingInput)
        }
        let objects: Cluster
        do {
            objects = try ClusterLoader.load(paths: cluster)
        } catch {
            throw fail("\(error)", PathsimExit.badInput)
        }
        guard let node = node ?? (objects.nodeNames.count == 1 ? objects.nodeNames.first : nil) else {
            throw fail("--node: expected one of \(objects.nodeNames.joined(separator: ", "))", ExitCode(64))
        }
        do {
            var rendered = try FelixRenderer.render(objects, node: node, options: RenderOptions(layout: layout))
            if !noKubeProxy && !objects.services.isEmpty {
                let kubeProxy = try KubeProxyRenderer.render(objects, node: node, options: KubeProxyOptions(clusterCIDR: clusterCIDR))
                try Self.addKubeProxy(kubeProxy, to: &rendered, insertMode: objects.felixConfiguration(forNode: node).chainInsertMode != .append)
            }
            return (rendered, objects)
        } catch {
            throw fail("\(error)", PathsimExit.badInput)
        }
    }

    /// The node as it runs both: felix's hook jumps on top of the built-in chains, kube-proxy's
    /// after them, felix's appended rules last; provenance positions follow the moved rules.
    static func addKubeProxy(_ kubeProxy: KubeProxyRules, to rendered: inout RenderedNode, insertMode: Bool) throws(KubeProxyRenderError) {
        let felix = rendered.files["iptables-save.txt"] ?? ""
        let first = FelixHookPlacement.rulesFirst(felixIptablesSave: felix, modernLayout: rendered.layout == .modern, insertMode: insertMode)
        let merged = try IptablesSaveMerge.merge(base: felix, kubeProxy: kubeProxy, rulesFirst: first)
        rendered.files["iptables-save.txt"] = merged.iptablesSave
        for index in rendered.provenance.rules.indices {
            let record = rendered.provenance.rules[index]
            rendered.provenance.rules[index].position = merged.position(table: record.table, chain: record.chain, base: record.position)
        }
        let count = kubeProxy.tables.flatMap(\.chains).reduce(0) { $0 + $1.rules.count }
        rendered.assumptions += kubeProxy.assumptions
        rendered.assumptions.append("kube-proxy: \(count) rules of kube-proxy's iptables proxier added (they name their Service in comments; provenance.json lists felix's rules only)")
    }
}
