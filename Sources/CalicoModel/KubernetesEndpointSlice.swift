/// An EndpointSlice (discovery.k8s.io/v1): the endpoints of one Service that kube-proxy
/// programs, with the conditions that decide which of them receive traffic.
public struct KubernetesEndpointSlice: Hashable, Sendable {
    public enum AddressType: String, Hashable, Sendable, CaseIterable {
        case ipv4 = "IPv4", ipv6 = "IPv6", fqdn = "FQDN"
    }

    public struct Endpoint: Hashable, Sendable {
        public var addresses: [String]
        /// nil when the condition is absent; kube-proxy reads absent `ready` and `serving` as
        /// true and absent `terminating` as false.
        public var ready: Bool?
        public var serving: Bool?
        public var terminating: Bool?
        public var nodeName: String?
        public var source: SourceLocation?

        public init(addresses: [String], ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil, nodeName: String? = nil, source: SourceLocation? = nil) {
            self.addresses = addresses
            self.ready = ready
            self.serving = serving
            self.terminating = terminating
            self.nodeName = nodeName
            self.source = source
        }

        public var isReady: Bool { ready ?? true }
        public var isServing: Bool { serving ?? true }
        public var isTerminating: Bool { terminating ?? false }
    }

    public struct Port: Hashable, Sendable {
        /// Matches the Service port's name; empty for an unnamed port.
        public var name: String
        public var port: Int
        /// Upper-case: TCP, UDP, SCTP.
        public var proto: String

        public init(name: String = "", port: Int, proto: String = "TCP") {
            self.name = name
            self.port = port
            self.proto = proto
        }
    }

    public var meta: ObjectMeta
    public var addressType: AddressType
    public var endpoints: [Endpoint]
    public var ports: [Port]

    public init(meta: ObjectMeta, addressType: AddressType = .ipv4, endpoints: [Endpoint] = [], ports: [Port] = []) {
        self.meta = meta
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }

    /// The label that ties a slice to its Service.
    public static let serviceNameLabel = "kubernetes.io/service-name"

    /// The Service this slice belongs to (in the slice's namespace); nil without the label.
    public var serviceName: String? {
        meta.labels[Self.serviceNameLabel].flatMap { $0.isEmpty ? nil : $0 }
    }
}
