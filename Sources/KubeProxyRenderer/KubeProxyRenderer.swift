import CalicoModel

/// Renders the nat and filter rules kube-proxy's iptables proxier (Kubernetes 1.29+ layout)
/// leaves on one node for the cluster's Services and EndpointSlices, in iptables-save's form.
public enum KubeProxyRenderer {
    public static func render(_ cluster: Cluster, node: String, options: KubeProxyOptions = KubeProxyOptions()) throws(KubeProxyRenderError) -> KubeProxyRules {
        var assumptions: [String] = []

        let clusterCIDR: IPv4CIDR?
        if let given = options.clusterCIDR {
            guard let parsed = IPv4CIDR(given) else {
                throw KubeProxyRenderError(message: "cluster CIDR \"\(given)\": expected an IPv4 CIDR such as 10.244.0.0/16")
            }
            clusterCIDR = parsed
            assumptions.append("kube-proxy: cluster CIDR \(parsed) (given): pod traffic is -s \(parsed); other traffic to a cluster IP is masqueraded")
        } else if let pool = cluster.ipPools.first(where: { !$0.disabled && IPv4CIDR($0.cidr) != nil }), let parsed = IPv4CIDR(pool.cidr) {
            clusterCIDR = parsed
            let others = cluster.ipPools.filter { $0.meta.name != pool.meta.name && IPv4CIDR($0.cidr) != nil }.map(\.cidr)
            assumptions.append("kube-proxy: cluster CIDR \(parsed) taken from IPPool \(pool.meta.name) (kube-proxy's --cluster-cidr); other traffic to a cluster IP is masqueraded"
                               + (others.isEmpty ? "" : "; kube-proxy takes one CIDR, so pools \(others.joined(separator: ", ")) count as outside the cluster"))
        } else {
            clusterCIDR = nil
            assumptions.append("kube-proxy: no cluster CIDR (no option, no IPv4 IPPool): as kube-proxy without --cluster-cidr, no masquerade rule for traffic from outside the cluster to cluster IPs")
        }

        let nodeIP = cluster.nodes.first { $0.meta.name == node }?.internalIPs.compactMap { IPv4CIDR($0) }.first
        if let nodeIP {
            assumptions.append("kube-proxy: node IP \(nodeIP.dottedAddress) (Node \(node) InternalIP), for loadBalancerSourceRanges that include the node")
        } else {
            assumptions.append("kube-proxy: node \(node) has no IPv4 InternalIP: loadBalancerSourceRanges never admit the node's own traffic to a load-balancer IP")
        }

        var writer = ProxierWriter(options: options, clusterCIDR: clusterCIDR, nodeIP: nodeIP)
        writer.writeJumps()
        writer.writeStaticChains()

        let endpoints = ServiceEndpoints.byServicePort(cluster.endpointSlices, node: node)
        var servicePorts: [ServicePortInfo] = []
        for service in cluster.services {
            let ports = service.ports.compactMap { ServicePortInfo(service: service, port: $0) }
            if ports.isEmpty && !service.ports.isEmpty {
                let reason = service.type == .externalName ? "type ExternalName" : service.clusterIPs.contains("None") ? "headless (clusterIP None)" : "no IPv4 cluster IP"
                assumptions.append("\(service.meta.source.map { "\($0): " } ?? "")kube-proxy: Service \(service.meta.qualifiedName) gets no rules: \(reason)")
            }
            servicePorts += ports
        }
        // kube-proxy walks a Go map, so its Service order changes from sync to sync; sorting by
        // `ns/name:port` and protocol keeps the rendering reproducible.
        servicePorts.sort { ($0.name, $0.proto) < ($1.name, $1.proto) }
        for service in servicePorts {
            let key = ServiceEndpoints.Key(namespace: service.service.meta.namespace ?? "default", service: service.service.meta.name,
                                           port: service.port.name, proto: service.port.proto)
            if service.affinityTimeout != nil {
                assumptions.append("\(service.port.source.map { "\($0): " } ?? "")kube-proxy: Service port \(service.name) has ClientIP session affinity: its -m recent lists start empty in pathsim (a node's current clients are not known), so the first connection from each client picks its endpoint afresh")
            }
            writer.writeService(service, endpoints: endpoints[key] ?? [])
        }
        writer.writeNodePortsTail()
        writer.writeForwardChain()

        for slice in cluster.endpointSlices where slice.addressType != .ipv4 {
            assumptions.append("\(slice.meta.source.map { "\($0): " } ?? "")kube-proxy: EndpointSlice \(slice.meta.qualifiedName) has addressType \(slice.addressType.rawValue): the IPv4 proxier ignores it")
        }
        return writer.tables.build(assumptions: assumptions)
    }
}

/// The state of one rendering: options, the node's facts and the rules written so far.
struct ProxierWriter {
    let options: KubeProxyOptions
    /// The local-traffic detector's range; nil means kube-proxy has no detector.
    let clusterCIDR: IPv4CIDR?
    let nodeIP: IPv4CIDR?
    var tables = RuleTables()
}
