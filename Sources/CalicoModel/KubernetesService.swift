/// A Service (core/v1) as kube-proxy reads it: the fields that decide which rules it writes.
public struct KubernetesService: Hashable, Sendable {
    public enum ServiceType: String, Hashable, Sendable, CaseIterable {
        case clusterIP = "ClusterIP", nodePort = "NodePort", loadBalancer = "LoadBalancer", externalName = "ExternalName"
    }

    public enum TrafficPolicy: String, Hashable, Sendable, CaseIterable {
        case cluster = "Cluster", local = "Local"
    }

    /// `targetPort`: a number, or the name of a container port.
    public enum TargetPort: Hashable, Sendable {
        case number(Int)
        case name(String)
    }

    public struct Port: Hashable, Sendable {
        /// Empty for the single unnamed port of a Service.
        public var name: String
        /// Upper-case as Kubernetes writes it: TCP, UDP, SCTP.
        public var proto: String
        public var port: Int
        public var targetPort: TargetPort?
        /// 0 when the Service has none (ClusterIP, or allocateLoadBalancerNodePorts: false).
        public var nodePort: Int
        public var source: SourceLocation?

        public init(name: String = "", proto: String = "TCP", port: Int, targetPort: TargetPort? = nil, nodePort: Int = 0, source: SourceLocation? = nil) {
            self.name = name
            self.proto = proto
            self.port = port
            self.targetPort = targetPort
            self.nodePort = nodePort
            self.source = source
        }
    }

    public var meta: ObjectMeta
    public var type: ServiceType
    /// `spec.clusterIPs` (or `spec.clusterIP` alone); `None` for a headless Service.
    public var clusterIPs: [String]
    public var ports: [Port]
    public var externalTrafficPolicy: TrafficPolicy
    public var internalTrafficPolicy: TrafficPolicy
    public var externalIPs: [String]
    /// `status.loadBalancer.ingress[].ip` whose `ipMode` is VIP (or unset); Proxy-mode ingress
    /// points are not local addresses and kube-proxy ignores them.
    public var loadBalancerIngressIPs: [String]
    public var loadBalancerSourceRanges: [String]
    public var healthCheckNodePort: Int
    /// nil without session affinity; else `sessionAffinityConfig.clientIP.timeoutSeconds`
    /// (the API server's default, 10800, when unset).
    public var clientIPAffinityTimeout: Int?

    public init(meta: ObjectMeta, type: ServiceType = .clusterIP, clusterIPs: [String] = [], ports: [Port] = [],
                externalTrafficPolicy: TrafficPolicy = .cluster, internalTrafficPolicy: TrafficPolicy = .cluster,
                externalIPs: [String] = [], loadBalancerIngressIPs: [String] = [], loadBalancerSourceRanges: [String] = [],
                healthCheckNodePort: Int = 0, clientIPAffinityTimeout: Int? = nil) {
        self.meta = meta
        self.type = type
        self.clusterIPs = clusterIPs
        self.ports = ports
        self.externalTrafficPolicy = externalTrafficPolicy
        self.internalTrafficPolicy = internalTrafficPolicy
        self.externalIPs = externalIPs
        self.loadBalancerIngressIPs = loadBalancerIngressIPs
        self.loadBalancerSourceRanges = loadBalancerSourceRanges
        self.healthCheckNodePort = healthCheckNodePort
        self.clientIPAffinityTimeout = clientIPAffinityTimeout
    }

    /// The default `sessionAffinityConfig.clientIP.timeoutSeconds` (3 hours).
    public static let defaultAffinityTimeout = 10800

    /// Headless and ExternalName Services get no rules from kube-proxy.
    public var isProxied: Bool {
        type != .externalName && clusterIPs.contains { !$0.isEmpty && $0 != "None" }
    }
}
