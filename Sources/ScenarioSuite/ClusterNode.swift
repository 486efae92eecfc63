import CalicoModel
import FelixRenderer
import KubeProxyRenderer

/// One node of a cluster as it runs both felix and kube-proxy: the one place their rules are
/// merged, shared by the CLI's `--cluster` and by scenario worlds.
public enum ClusterNode {
    /// felix's rules for `node`, with kube-proxy's added when `kubeProxy` is set and the
    /// cluster has Services (a cluster without Services gets no kube-proxy chains, as a node
    /// whose kube-proxy has nothing to program still has felix's alone in a diff).
    public static func render(_ cluster: Cluster, node: String, layout: FelixLayout, kubeProxy: Bool, clusterCIDR: String?) throws -> RenderedNode {
        var rendered = try FelixRenderer.render(cluster, node: node, options: RenderOptions(layout: layout))
        if kubeProxy && !cluster.services.isEmpty {
            let rules = try KubeProxyRenderer.render(cluster, node: node, options: KubeProxyOptions(clusterCIDR: clusterCIDR))
            try addKubeProxy(rules, to: &rendered, insertMode: cluster.felixConfiguration(forNode: node).chainInsertMode != .append)
        }
        return rendered
    }

    /// The node as it runs both: felix's hook jumps on top of the built-in chains, kube-proxy's
    /// after them, felix's appended rules last; provenance positions follow the moved rules.
    public static func addKubeProxy(_ kubeProxy: KubeProxyRules, to rendered: inout RenderedNode, insertMode: Bool) throws(KubeProxyRenderError) {
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
