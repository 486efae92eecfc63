/// A container port; named ones are what `ports: [http]` in a policy refers to.
public struct NamedPort: Hashable, Sendable {
    public var name: String
    /// Upper-case as Kubernetes writes it: TCP, UDP, SCTP.
    public var proto: String
    public var port: Int
    public init(name: String, proto: String, port: Int) {
        self.name = name
        self.proto = proto
        self.port = port
    }
}

public struct KubernetesPod: Hashable, Sendable {
    public var meta: ObjectMeta
    public var nodeName: String?
    public var ips: [String]
    public var serviceAccountName: String
    public var ports: [NamedPort]
    /// Host-network pods get no Calico endpoint.
    public var hostNetwork: Bool
    /// Pods that finished (Succeeded/Failed) have no endpoint either.
    public var phase: String?

    public init(meta: ObjectMeta, nodeName: String? = nil, ips: [String] = [], serviceAccountName: String = "default", ports: [NamedPort] = [], hostNetwork: Bool = false, phase: String? = nil) {
        self.meta = meta
        self.nodeName = nodeName
        self.ips = ips
        self.serviceAccountName = serviceAccountName
        self.ports = ports
        self.hostNetwork = hostNetwork
        self.phase = phase
    }
}

public struct KubernetesNode: Hashable, Sendable {
    public var meta: ObjectMeta
    public var internalIPs: [String]
    public var podCIDRs: [String]
    public init(meta: ObjectMeta, internalIPs: [String] = [], podCIDRs: [String] = []) {
        self.meta = meta
        self.internalIPs = internalIPs
        self.podCIDRs = podCIDRs
    }
}
