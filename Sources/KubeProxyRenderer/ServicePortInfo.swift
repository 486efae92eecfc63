import CalicoModel

/// One port of a Service as kube-proxy's IPv4 proxier sees it (pkg/proxy/serviceport.go
/// `BaseServicePortInfo`): addresses of the IPv4 family only, the traffic policies resolved,
/// and the chain names.
struct ServicePortInfo: Sendable {
    var service: KubernetesService
    var port: KubernetesService.Port
    /// `ns/name:port`, or `ns/name` for an unnamed port (`ServicePortName.String()`).
    var name: String
    /// Lower-case, as in the rules and the hashes.
    var proto: String
    var clusterIP: String
    var externalIPs: [String]
    var loadBalancerVIPs: [String]
    var loadBalancerSourceRanges: [IPv4CIDR]
    var nodePort: Int
    var healthCheckNodePort: Int
    var internalPolicyLocal: Bool
    var externalPolicyLocal: Bool

    /// nil when the IPv4 proxier has nothing to do with the Service (headless, ExternalName,
    /// IPv6-only).
    init?(service: KubernetesService, port: KubernetesService.Port) {
        guard service.isProxied, let clusterIP = service.clusterIPs.first(where: { IPv4CIDR($0) != nil && !$0.contains("/") }) else { return nil }
        self.service = service
        self.port = port
        let namespace = service.meta.namespace ?? "default"
        name = "\(namespace)/\(service.meta.name)" + (port.name.isEmpty ? "" : ":\(port.name)")
        proto = port.proto.lowercased()
        self.clusterIP = clusterIP
        externalIPs = service.externalIPs.filter { IPv4CIDR($0) != nil }
        loadBalancerVIPs = service.loadBalancerIngressIPs.filter { IPv4CIDR($0) != nil }
        let ranges = service.loadBalancerSourceRanges.compactMap { IPv4CIDR($0) }
        // A zero-masked range allows everyone, as no range at all does.
        loadBalancerSourceRanges = ranges.contains { $0.prefixLength == 0 } ? [] : ranges
        nodePort = port.nodePort
        // apiservice.ExternallyAccessible: the type decides, not the fields alone.
        let externallyAccessibleType = service.type == .loadBalancer || service.type == .nodePort || (service.type == .clusterIP && !service.externalIPs.isEmpty)
        externalPolicyLocal = externallyAccessibleType && service.externalTrafficPolicy == .local
        internalPolicyLocal = service.internalTrafficPolicy == .local
        // apiservice.NeedsHealthCheck: LoadBalancer with externalTrafficPolicy Local.
        healthCheckNodePort = service.type == .loadBalancer && externalPolicyLocal ? service.healthCheckNodePort : 0
    }

    /// Any of NodePort, load-balancer or external IPs captures traffic from outside.
    var externallyAccessible: Bool { nodePort != 0 || !loadBalancerVIPs.isEmpty || !externalIPs.isEmpty }
    /// Cluster endpoints are needed for `Cluster` internal policy, and for external traffic
    /// even under `Local` (the short-circuit for traffic from pods and the node itself).
    var usesClusterEndpoints: Bool { !internalPolicyLocal || externallyAccessible }
    var usesLocalEndpoints: Bool { internalPolicyLocal || (externalPolicyLocal && externallyAccessible) }

    var clusterChain: String { ChainNames.cluster(name, proto) }
    var localChain: String { ChainNames.local(name, proto) }
    var firewallChain: String { ChainNames.firewall(name, proto) }
    var externalChain: String { ChainNames.external(name, proto) }
    var affinityTimeout: Int? { service.clientIPAffinityTimeout }
}
