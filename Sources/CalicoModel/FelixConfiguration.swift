/// The FelixConfiguration fields that change rendered rules. nil = felix's default for the
/// layout being rendered. `default` applies to every node, `node.<name>` overrides it.
public struct FelixConfiguration: Hashable, Sendable {
    public struct ProtoPort: Hashable, Sendable, CustomStringConvertible {
        public var proto: String
        public var port: Int
        public var net: String?
        public init(proto: String, port: Int, net: String? = nil) {
            self.proto = proto
            self.port = port
            self.net = net
        }
        public var description: String { net.map { "\(proto):\($0):\(port)" } ?? "\(proto):\(port)" }
    }
    public enum ChainInsertMode: String, Hashable, Sendable { case insert = "Insert", append = "Append" }

    public var meta: ObjectMeta
    public var iptablesMarkMask: UInt32?
    public var defaultEndpointToHostAction: String?
    public var failsafeInboundHostPorts: [ProtoPort]?
    public var failsafeOutboundHostPorts: [ProtoPort]?
    public var chainInsertMode: ChainInsertMode?
    public var iptablesFilterAllowAction: String?
    public var iptablesMangleAllowAction: String?
    public var iptablesFilterDenyAction: String?
    public var logPrefix: String?
    public var ipipEnabled: Bool?
    public var vxlanEnabled: Bool?
    public var vxlanPort: Int?
    public var natOutgoingAddress: String?
    /// `natPortRange`: the source ports natOutgoing may pick for TCP and UDP (first, last).
    public var natPortRange: ClosedRange<Int>?
    /// `iptablesNATOutgoingInterfaceFilter`: natOutgoing only out of this interface (`+` wildcard allowed).
    public var natOutgoingInterfaceFilter: String?
    public var disableConntrackInvalidCheck: Bool?
    public var interfacePrefix: String?
    /// Spec fields pathsim read but does not render (WireGuard, BPF, flow logs, …), with their
    /// line, so a rendering can say what it left out instead of silently ignoring them.
    public var unrenderedFields: [UnrenderedField] = []

    public struct UnrenderedField: Hashable, Sendable {
        public var name: String
        public var line: Int
        public init(name: String, line: Int) {
            self.name = name
            self.line = line
        }
    }

    public init(meta: ObjectMeta) { self.meta = meta }

    /// Fields set in `other` win.
    public func overridden(by other: FelixConfiguration) -> FelixConfiguration {
        var result = self
        result.iptablesMarkMask = other.iptablesMarkMask ?? iptablesMarkMask
        result.defaultEndpointToHostAction = other.defaultEndpointToHostAction ?? defaultEndpointToHostAction
        result.failsafeInboundHostPorts = other.failsafeInboundHostPorts ?? failsafeInboundHostPorts
        result.failsafeOutboundHostPorts = other.failsafeOutboundHostPorts ?? failsafeOutboundHostPorts
        result.chainInsertMode = other.chainInsertMode ?? chainInsertMode
        result.iptablesFilterAllowAction = other.iptablesFilterAllowAction ?? iptablesFilterAllowAction
        result.iptablesMangleAllowAction = other.iptablesMangleAllowAction ?? iptablesMangleAllowAction
        result.iptablesFilterDenyAction = other.iptablesFilterDenyAction ?? iptablesFilterDenyAction
        result.logPrefix = other.logPrefix ?? logPrefix
        result.ipipEnabled = other.ipipEnabled ?? ipipEnabled
        result.vxlanEnabled = other.vxlanEnabled ?? vxlanEnabled
        result.vxlanPort = other.vxlanPort ?? vxlanPort
        result.natOutgoingAddress = other.natOutgoingAddress ?? natOutgoingAddress
        result.natPortRange = other.natPortRange ?? natPortRange
        result.natOutgoingInterfaceFilter = other.natOutgoingInterfaceFilter ?? natOutgoingInterfaceFilter
        result.disableConntrackInvalidCheck = other.disableConntrackInvalidCheck ?? disableConntrackInvalidCheck
        result.interfacePrefix = other.interfacePrefix ?? interfacePrefix
        result.unrenderedFields = unrenderedFields + other.unrenderedFields
        return result
    }
}
