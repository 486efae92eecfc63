/// projectcalico.org/v3 WorkloadEndpoint, as `calicoctl get wep -o yaml` prints it.
public struct WorkloadEndpoint: Hashable, Sendable {
    public var meta: ObjectMeta
    public var node: String
    public var orchestrator: String
    public var workload: String
    public var pod: String
    public var endpoint: String
    public var interfaceName: String
    public var ipNetworks: [String]
    public var profiles: [String]
    public var serviceAccountName: String?
    public var ports: [NamedPort]
    public init(meta: ObjectMeta, node: String, orchestrator: String = "k8s", workload: String = "", pod: String = "", endpoint: String = "eth0", interfaceName: String, ipNetworks: [String] = [], profiles: [String] = [], serviceAccountName: String? = nil, ports: [NamedPort] = []) {
        self.meta = meta
        self.node = node
        self.orchestrator = orchestrator
        self.workload = workload
        self.pod = pod
        self.endpoint = endpoint
        self.interfaceName = interfaceName
        self.ipNetworks = ipNetworks
        self.profiles = profiles
        self.serviceAccountName = serviceAccountName
        self.ports = ports
    }
}

/// projectcalico.org/v3 HostEndpoint. `interfaceName: "*"` means every interface of the host.
public struct HostEndpoint: Hashable, Sendable {
    public var meta: ObjectMeta
    public var node: String
    public var interfaceName: String?
    public var expectedIPs: [String]
    public var profiles: [String]
    public var ports: [NamedPort]
    public init(meta: ObjectMeta, node: String, interfaceName: String? = nil, expectedIPs: [String] = [], profiles: [String] = [], ports: [NamedPort] = []) {
        self.meta = meta
        self.node = node
        self.interfaceName = interfaceName
        self.expectedIPs = expectedIPs
        self.profiles = profiles
        self.ports = ports
    }
}

public struct IPPool: Hashable, Sendable {
    public enum EncapsulationMode: String, Hashable, Sendable {
        case never = "Never", always = "Always", crossSubnet = "CrossSubnet"
    }
    public var meta: ObjectMeta
    public var cidr: String
    public var natOutgoing: Bool
    public var disabled: Bool
    public var ipipMode: EncapsulationMode
    public var vxlanMode: EncapsulationMode
    public init(meta: ObjectMeta, cidr: String, natOutgoing: Bool = false, disabled: Bool = false, ipipMode: EncapsulationMode = .never, vxlanMode: EncapsulationMode = .never) {
        self.meta = meta
        self.cidr = cidr
        self.natOutgoing = natOutgoing
        self.disabled = disabled
        self.ipipMode = ipipMode
        self.vxlanMode = vxlanMode
    }
}
