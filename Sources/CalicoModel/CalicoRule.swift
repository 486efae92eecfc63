/// One rule of a Calico policy or profile (projectcalico.org/v3 `Rule`).
public struct CalicoRule: Hashable, Sendable {
    public enum Action: String, Hashable, Sendable {
        case allow = "Allow", deny = "Deny", pass = "Pass", log = "Log"
    }
    /// `protocol: TCP` or `protocol: 6`.
    public enum ProtocolValue: Hashable, Sendable, CustomStringConvertible {
        case name(String)
        case number(Int)
        public var description: String {
            switch self {
            case .name(let name): name
            case .number(let number): String(number)
            }
        }
    }
    public struct ICMPMatch: Hashable, Sendable {
        public var type: Int?
        public var code: Int?
        public init(type: Int? = nil, code: Int? = nil) {
            self.type = type
            self.code = code
        }
    }

    public var action: Action
    public var ipVersion: Int?
    public var proto: ProtocolValue?
    public var notProtocol: ProtocolValue?
    public var icmp: ICMPMatch?
    public var notICMP: ICMPMatch?
    public var source: EntityRule
    public var destination: EntityRule
    /// `metadata.annotations` of the rule: felix adds each as a comment.
    public var annotations: [String: String]
    public var location: SourceLocation?
    /// For a rule converted from a Kubernetes NetworkPolicy: the index of the `ingress`/`egress`
    /// entry it came from (one Kubernetes rule becomes one Calico rule per protocol and peer).
    public var kubernetesRuleIndex: Int?

    public init(action: Action, ipVersion: Int? = nil, proto: ProtocolValue? = nil, notProtocol: ProtocolValue? = nil, icmp: ICMPMatch? = nil, notICMP: ICMPMatch? = nil, source: EntityRule = EntityRule(), destination: EntityRule = EntityRule(), annotations: [String: String] = [:], location: SourceLocation? = nil) {
        self.action = action
        self.ipVersion = ipVersion
        self.proto = proto
        self.notProtocol = notProtocol
        self.icmp = icmp
        self.notICMP = notICMP
        self.source = source
        self.destination = destination
        self.annotations = annotations
        self.location = location
    }

}

/// `source` / `destination` of a rule.
public struct EntityRule: Hashable, Sendable {
    public struct ServiceAccounts: Hashable, Sendable {
        public var names: [String]
        public var selector: String?
        public init(names: [String] = [], selector: String? = nil) {
            self.names = names
            self.selector = selector
        }
    }
    public var nets: [String]
    public var notNets: [String]
    public var selector: String?
    public var notSelector: String?
    public var namespaceSelector: String?
    public var serviceAccounts: ServiceAccounts?
    public var ports: [PortSpec]
    public var notPorts: [PortSpec]

    public init(nets: [String] = [], notNets: [String] = [], selector: String? = nil, notSelector: String? = nil, namespaceSelector: String? = nil, serviceAccounts: ServiceAccounts? = nil, ports: [PortSpec] = [], notPorts: [PortSpec] = []) {
        self.nets = nets
        self.notNets = notNets
        self.selector = selector
        self.notSelector = notSelector
        self.namespaceSelector = namespaceSelector
        self.serviceAccounts = serviceAccounts
        self.ports = ports
        self.notPorts = notPorts
    }
}

/// A port in a rule: `80`, `"8000:8080"` or a named port `"http"`.
public enum PortSpec: Hashable, Sendable, CustomStringConvertible {
    case range(Int, Int)
    case named(String)

    public static func single(_ port: Int) -> PortSpec { .range(port, port) }

    public var description: String {
        switch self {
        case .range(let first, let last): first == last ? String(first) : "\(first):\(last)"
        case .named(let name): name
        }
    }
}
