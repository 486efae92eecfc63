/// Every object pathsim read for a cluster, in the order read.
public struct Cluster: Hashable, Sendable {
    public var namespaces: [KubernetesNamespace] = []
    public var serviceAccounts: [KubernetesServiceAccount] = []
    public var pods: [KubernetesPod] = []
    public var nodes: [KubernetesNode] = []
    public var kubernetesPolicies: [KubernetesNetworkPolicy] = []
    public var calicoPolicies: [CalicoPolicy] = []
    public var tiers: [Tier] = []
    public var profiles: [Profile] = []
    public var workloadEndpoints: [WorkloadEndpoint] = []
    public var hostEndpoints: [HostEndpoint] = []
    public var ipPools: [IPPool] = []
    public var felixConfigurations: [FelixConfiguration] = []
    public var services: [KubernetesService] = []
    public var endpointSlices: [KubernetesEndpointSlice] = []

    public init() {}

    public func namespace(named name: String) -> KubernetesNamespace? { namespaces.first { $0.meta.name == name } }

    /// Node names the cluster mentions (Node objects, pods' nodeName, endpoints' node), sorted.
    public var nodeNames: [String] {
        var names = Set(nodes.map(\.meta.name))
        names.formUnion(pods.compactMap(\.nodeName))
        names.formUnion(workloadEndpoints.map(\.node))
        names.formUnion(hostEndpoints.map(\.node))
        return names.sorted()
    }

    /// `default` overridden by `node.<name>`.
    public func felixConfiguration(forNode node: String) -> FelixConfiguration {
        var result = felixConfigurations.first { $0.meta.name == "default" } ?? FelixConfiguration(meta: ObjectMeta(name: "default"))
        if let specific = felixConfigurations.first(where: { $0.meta.name == "node.\(node)" }) {
            result = result.overridden(by: specific)
        }
        return result
    }
}
