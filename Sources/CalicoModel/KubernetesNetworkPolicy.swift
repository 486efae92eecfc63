/// networking.k8s.io/v1 NetworkPolicy (extensions/v1beta1 has the same shape).
public struct KubernetesNetworkPolicy: Hashable, Sendable {
    public struct IPBlock: Hashable, Sendable {
        public var cidr: String
        public var except: [String]
        public init(cidr: String, except: [String] = []) {
            self.cidr = cidr
            self.except = except
        }
    }
    public struct Peer: Hashable, Sendable {
        public var podSelector: LabelSelector?
        public var namespaceSelector: LabelSelector?
        public var ipBlock: IPBlock?
        public init(podSelector: LabelSelector? = nil, namespaceSelector: LabelSelector? = nil, ipBlock: IPBlock? = nil) {
            self.podSelector = podSelector
            self.namespaceSelector = namespaceSelector
            self.ipBlock = ipBlock
        }
    }
    public enum PortValue: Hashable, Sendable {
        case number(Int)
        case name(String)
    }
    public struct Port: Hashable, Sendable {
        /// TCP when absent, as the API server defaults it.
        public var proto: String?
        public var port: PortValue?
        public var endPort: Int?
        public init(proto: String? = nil, port: PortValue? = nil, endPort: Int? = nil) {
            self.proto = proto
            self.port = port
            self.endPort = endPort
        }
    }
    /// One entry of `ingress` (peers from `from`) or `egress` (peers from `to`).
    public struct Rule: Hashable, Sendable {
        public var peers: [Peer]
        public var ports: [Port]
        public init(peers: [Peer] = [], ports: [Port] = []) {
            self.peers = peers
            self.ports = ports
        }
    }

    public var meta: ObjectMeta
    public var apiVersion: String
    public var podSelector: LabelSelector
    public var ingress: [Rule]
    public var egress: [Rule]
    /// As written; nil when the object has no `policyTypes` (old API servers did not default it).
    public var policyTypes: [PolicyType]?

    public init(meta: ObjectMeta, apiVersion: String = "networking.k8s.io/v1", podSelector: LabelSelector = LabelSelector(), ingress: [Rule] = [], egress: [Rule] = [], policyTypes: [PolicyType]? = nil) {
        self.meta = meta
        self.apiVersion = apiVersion
        self.podSelector = podSelector
        self.ingress = ingress
        self.egress = egress
        self.policyTypes = policyTypes
    }

    /// The API server's default: Ingress, plus Egress when there are egress rules.
    public var effectivePolicyTypes: [PolicyType] {
        if let policyTypes { return policyTypes }
        return egress.isEmpty ? [.ingress] : [.ingress, .egress]
    }
}

public enum PolicyType: String, Hashable, Sendable, CaseIterable {
    case ingress = "Ingress", egress = "Egress"
}
