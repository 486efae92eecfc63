import CalicoModel

/// Which felix pathsim renders as.
public enum FelixLayout: Hashable, Sendable, CustomStringConvertible {
    /// felix 3.32: tiers, drop mark, appended FORWARD/POSTROUTING rules, `knp/<ns>/<name>` ids.
    case modern
    /// felix 2.x (2.6.8): "Start of policies", marks 0x1000000…, `<ns>.<name>` Kubernetes policies.
    case legacy

    public var description: String { self == .modern ? "3.32" : "2.6" }

    /// `--felix-version`: 2.x is the legacy layout, 3.x the modern one.
    public init?(felixVersion: String) {
        if felixVersion == "2" || felixVersion.hasPrefix("2.") { self = .legacy }
        else if felixVersion == "3" || felixVersion.hasPrefix("3.") || felixVersion == "modern" { self = .modern }
        else { return nil }
    }
}

public struct RenderOptions: Hashable, Sendable {
    public var layout: FelixLayout
    /// felix probes the host: `--random-fully` on MASQUERADE/SNAT needs iptables ≥1.6.2 and kernel ≥3.14.
    public var randomFully: Bool
    /// Routes to other nodes' workloads (and `vxlan.calico` with a VXLAN pool), as BIRD and
    /// felix's VXLAN route manager install them; see `ClusterRouting`. Off by default: a
    /// node rendered on its own (the kernel suites' oracle node) has only its default route
    /// towards the other nodes.
    public var routesToOtherNodes: Bool
    public init(layout: FelixLayout = .modern, randomFully: Bool = true, routesToOtherNodes: Bool = false) {
        self.layout = layout
        self.randomFully = randomFully
        self.routesToOtherNodes = routesToOtherNodes
    }
}

/// FelixConfiguration with felix's defaults filled in for the layout.
struct FelixSettings: Sendable {
    var layout: FelixLayout
    var marks: MarkBits
    var interfacePrefix: String
    var insertHooks: Bool
    var filterAllowAction: FelixAction
    var mangleAllowAction: FelixAction
    var denyAction: FelixAction
    var endpointToHostAction: FelixAction
    var failsafeInbound: [FelixConfiguration.ProtoPort]
    var failsafeOutbound: [FelixConfiguration.ProtoPort]
    var logPrefix: String
    var dropInvalid: Bool
    var ipip: Bool
    var vxlan: Bool
    var vxlanPort: Int
    var natOutgoingAddress: String?
    var natPortRange: ClosedRange<Int>?
    var natOutgoingInterfaceFilter: String?
    var randomFully: Bool
    var routesToOtherNodes: Bool

    var isModern: Bool { layout == .modern }
    var workloadWildcard: String { interfacePrefix + "+" }
    var ipsetPrefix: String { isModern ? "cali40" : "cali4-" }

    /// `pools`: the cluster's IP pools; IPIP and VXLAN are on when FelixConfiguration does not
    /// say, as felix decides from the pools (its `ipipEnabled`/`vxlanEnabled` are overrides).
    init(configuration: FelixConfiguration, options: RenderOptions, pools: [IPPool] = []) throws(RenderError) {
        layout = options.layout
        let modern = options.layout == .modern
        let mask = configuration.iptablesMarkMask ?? (modern ? 0xffff_0000 : 0xff00_0000)
        marks = try MarkBits(mask: mask, allocateDrop: modern)
        interfacePrefix = configuration.interfacePrefix?.split(separator: ",").first.map(String.init) ?? "cali"
        insertHooks = configuration.chainInsertMode != .append
        filterAllowAction = try Self.allowAction(configuration.iptablesFilterAllowAction, field: "iptablesFilterAllowAction", location: configuration.meta.source)
        mangleAllowAction = try Self.allowAction(configuration.iptablesMangleAllowAction, field: "iptablesMangleAllowAction", location: configuration.meta.source)
        switch configuration.iptablesFilterDenyAction?.uppercased() {
        case nil, "DROP": denyAction = .drop
        case "REJECT": denyAction = .reject
        case let other?: throw RenderError(location: configuration.meta.source, message: "iptablesFilterDenyAction \(other): expected Drop or Reject")
        }
        // The calico-node manifests set ACCEPT; felix's own default is DROP. pathsim follows the manifests.
        switch configuration.defaultEndpointToHostAction?.uppercased() {
        case nil, "ACCEPT": endpointToHostAction = .accept
        case "DROP": endpointToHostAction = .drop
        case "RETURN": endpointToHostAction = .returnFromChain
        case "REJECT": endpointToHostAction = .reject
        case let other?: throw RenderError(location: configuration.meta.source, message: "defaultEndpointToHostAction \(other): expected Accept, Drop, Reject or Return")
        }
        let tcp = { (port: Int) in FelixConfiguration.ProtoPort(proto: "tcp", port: port) }
        let udp = { (port: Int) in FelixConfiguration.ProtoPort(proto: "udp", port: port) }
        failsafeInbound = configuration.failsafeInboundHostPorts ?? (modern
            ? [tcp(22), udp(68), tcp(179), tcp(2379), tcp(2380), tcp(5473), tcp(6443), tcp(6666), tcp(6667)]
            : [tcp(22), udp(68)])
        failsafeOutbound = configuration.failsafeOutboundHostPorts ?? (modern
            ? [udp(53), udp(67), tcp(179), tcp(2379), tcp(2380), tcp(5473), tcp(6443), tcp(6666), tcp(6667)]
            : [tcp(2379), tcp(2380), tcp(4001), tcp(7001), udp(53), udp(67)])
        logPrefix = configuration.logPrefix ?? "calico-packet"
        dropInvalid = !(configuration.disableConntrackInvalidCheck ?? false)
        let active = pools.filter { !$0.disabled && !$0.cidr.contains(":") }
        ipip = configuration.ipipEnabled ?? active.contains { $0.ipipMode != .never }
        vxlan = configuration.vxlanEnabled ?? active.contains { $0.vxlanMode != .never }
        vxlanPort = configuration.vxlanPort ?? 4789
        natOutgoingAddress = configuration.natOutgoingAddress
        natPortRange = configuration.natPortRange
        natOutgoingInterfaceFilter = configuration.natOutgoingInterfaceFilter
        randomFully = modern && options.randomFully
        routesToOtherNodes = options.routesToOtherNodes
    }

    private static func allowAction(_ text: String?, field: String, location: SourceLocation?) throws(RenderError) -> FelixAction {
        switch text?.uppercased() {
        case nil, "ACCEPT": return .accept
        case "RETURN": return .returnFromChain
        case let other?: throw RenderError(location: location, message: "\(field) \(other): expected Accept or Return")
        }
    }
}
