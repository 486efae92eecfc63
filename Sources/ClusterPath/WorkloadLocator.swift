import CalicoModel
import FelixRenderer
import Netfilter

/// Where a workload lives: what a caller needs to start a packet from a pod (`in=<veth>` on its node).
public struct WorkloadLocation: Hashable, Sendable {
    /// `namespace/pod`.
    public var name: String
    public var node: String
    /// The host side of the pod's veth, where its packets enter the node.
    public var interfaceName: String
    /// IPv4 addresses, without prefix length.
    public var addresses: [String]

    public init(name: String, node: String, interfaceName: String, addresses: [String]) {
        self.name = name
        self.node = node
        self.interfaceName = interfaceName
        self.addresses = addresses
    }
}

/// Finds a workload by `namespace/name` or by address, with its veth named as felix on its
/// node names it (the node's FelixConfiguration `interfacePrefix`).
public struct WorkloadLocator: Sendable {
    public let workloads: [WorkloadLocation]

    public init(cluster: Cluster, options: RenderOptions = RenderOptions()) {
        let dialect: KubernetesPolicyConverter.Dialect = options.layout == .modern ? .modern : .legacy
        var found: [WorkloadLocation] = []
        // One catalog per node: the generated veth names depend on that node's prefix.
        for node in cluster.nodeNames {
            let prefix = cluster.felixConfiguration(forNode: node).interfacePrefix?.split(separator: ",").first.map(String.init) ?? "cali"
            let catalog = EndpointCatalog(cluster: cluster, dialect: dialect, interfacePrefix: prefix)
            for endpoint in catalog.endpoints where endpoint.kind == .workload && endpoint.node == node {
                guard let interface = endpoint.interfaceName else { continue }
                found.append(WorkloadLocation(name: endpoint.name, node: node, interfaceName: interface,
                                              addresses: endpoint.addresses.filter { !$0.contains(":") }))
            }
        }
        workloads = found
    }

    /// `namespace/name`, or a bare name in namespace `default`.
    public func workload(named name: String) throws(ClusterPathError) -> WorkloadLocation {
        let qualified = name.contains("/") ? name : "default/" + name
        if let found = workloads.first(where: { $0.name == qualified }) { return found }
        throw ClusterPathError("no workload \(qualified) in the cluster: expected one of \(Self.list(workloads.map(\.name)))")
    }

    public func workload(address: IPv4Address) throws(ClusterPathError) -> WorkloadLocation {
        if let found = workload(atAddress: address) { return found }
        throw ClusterPathError("no workload has address \(address): expected one of \(Self.list(workloads.flatMap(\.addresses)))")
    }

    func workload(atAddress address: IPv4Address) -> WorkloadLocation? {
        workloads.first { $0.addresses.contains("\(address)") }
    }

    func workload(node: String, interface: String) -> WorkloadLocation? {
        workloads.first { $0.node == node && $0.interfaceName == interface }
    }

    private static func list(_ names: [String]) -> String {
        names.isEmpty ? "(the cluster has no workloads)" : names.sorted().joined(separator: ", ")
    }
}
