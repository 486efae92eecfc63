import Netfilter

/// The node network a `KernelOracle` builds: interfaces (each a veth to its own peer namespace
/// that drops everything), the node's addresses, its main-table routes, permanent neighbours
/// and the sysctls that change a packet's path. The oracle's classic fixed node is `.fixed`;
/// `init(network:sysctls:)` takes a snapshot's network instead.
public struct OracleTopology: Hashable, Sendable {
    public struct Interface: Hashable, Sendable {
        public var name: String
        /// Node-side addresses, `a.b.c.d/len`.
        public var addresses: [String]
        /// Addresses of the peer's eth0. Cosmetic (peers drop everything, frames are injected
        /// with a packet socket); the fixed topology keeps its historical ones.
        public var peerAddresses: [String]

        public init(name: String, addresses: [String] = [], peerAddresses: [String] = []) {
            self.name = name
            self.addresses = addresses
            self.peerAddresses = peerAddresses
        }
    }

    /// One route of the main table, as `ip route replace` arguments take it.
    public struct RouteEntry: Hashable, Sendable {
        /// `default`, or `a.b.c.d/len`.
        public var destination: String
        /// `unicast`, `blackhole`, `unreachable` or `prohibit`.
        public var type: String
        public var device: String?
        public var gateway: IPv4Address?
        public var preferredSource: IPv4Address?
        public var metric: Int

        public init(destination: String, type: String = "unicast", device: String? = nil, gateway: IPv4Address? = nil,
                    preferredSource: IPv4Address? = nil, metric: Int = 0) {
            self.destination = destination
            self.type = type
            self.device = device
            self.gateway = gateway
            self.preferredSource = preferredSource
            self.metric = metric
        }

        /// The arguments after `ip route replace`.
        var arguments: [String] {
            var args = type == "unicast" ? [destination] : [type, destination]
            if let gateway { args += ["via", gateway.description] }
            if let device { args += ["dev", device] }
            // A gateway outside the device's subnets (a /32 node address, as on some clouds)
            // is accepted only on-link; on-link changes nothing for a packet's path.
            if gateway != nil, device != nil { args.append("onlink") }
            if type == "unicast", gateway == nil, device != nil { args += ["scope", "link"] }
            if let preferredSource { args += ["src", preferredSource.description] }
            if metric != 0 { args += ["metric", String(metric)] }
            return args
        }
    }

    public var interfaces: [Interface]
    public var routes: [RouteEntry]
    /// Addresses answered by the peer of an interface without ARP (the peer's MAC, permanent).
    public var neighbours: [(address: IPv4Address, interface: String)] {
        get { neighbourList.map { ($0.address, $0.interface) } }
        set { neighbourList = newValue.map { Neighbour(address: $0.address, interface: $0.interface) } }
    }
    private var neighbourList: [Neighbour] = []
    public var ipForward = true
    public var rpFilterAll = 0
    /// Per interface (and `default`); interfaces without a value get `default`'s, or 0.
    public var rpFilter: [String: Int] = [:]
    public var tcpLoose = true
    public var tcpBeLiberal = false
    /// Where the monitor's start-up probe is sent (from the raw socket); it must route out of
    /// an interface whose peer drops it, so nothing answers. nil: the first neighbour.
    public var probe: (source: IPv4Address, destination: IPv4Address)? {
        guard let neighbour = neighbourList.first else { return nil }
        let source = interfaces.lazy.flatMap(\.addresses).compactMap { IPv4Address($0.split(separator: "/").first.map(String.init) ?? "") }.first
        return (source ?? IPv4Address(127, 0, 0, 1), neighbour.address)
    }
    /// Interfaces of the snapshot that were not built (tunnels), for callers to say why a packet
    /// needing them cannot be compared.
    public var leftOut: [String] = []

    private struct Neighbour: Hashable, Sendable {
        var address: IPv4Address
        var interface: String
    }

    public init(interfaces: [Interface], routes: [RouteEntry], neighbours: [(address: IPv4Address, interface: String)]) {
        self.interfaces = interfaces
        self.routes = routes
        self.neighbours = neighbours
    }

    public var interfaceNames: [String] { interfaces.map(\.name) }

    /// The oracle's classic node (see `KernelOracle`): eth0 192.168.0.10/24 to a remote at
    /// 192.168.0.1 (default route), three pods on cali veths with /32 scope-link routes,
    /// forwarding on, rp_filter off.
    public static let fixed: OracleTopology = {
        var interfaces = [Interface(name: KernelOracle.uplink, addresses: ["192.168.0.10/24"], peerAddresses: ["192.168.0.1/24"])]
        var routes: [RouteEntry] = []
        var neighbours: [(address: IPv4Address, interface: String)] = [(KernelOracle.gatewayAddress, KernelOracle.uplink)]
        for workload in KernelOracle.workloads {
            interfaces.append(Interface(name: workload.interface, peerAddresses: ["\(workload.address)/32"]))
            routes.append(RouteEntry(destination: "\(workload.address)/32", device: workload.interface))
            neighbours.append((workload.address, workload.interface))
        }
        routes.append(RouteEntry(destination: "default", device: KernelOracle.uplink, gateway: KernelOracle.gatewayAddress))
        return OracleTopology(interfaces: interfaces, routes: routes, neighbours: neighbours)
    }()

    /// Names of devices the oracle cannot create here: tunnels (the kernel of the test machines
    /// has no `ipip` module, and a VXLAN device would need a real underlay).
    public static func isTunnel(_ name: String) -> Bool {
        name == "tunl0" || name == "vxlan.calico" || name.hasPrefix("wireguard") || name.hasPrefix("vxlan") || name.hasPrefix("tunl")
    }

    /// The node of a snapshot: every interface but `lo` and tunnels, its addresses, the main
    /// table's routes through built interfaces (and blackhole/unreachable/prohibit routes),
    /// neighbours for every gateway and every /32 scope-link destination, and the sysctls.
    public init(network: NodeNetwork, sysctls: Sysctls) {
        var interfaces: [Interface] = []
        var leftOut: [String] = []
        for interface in network.interfaces where interface.name != "lo" {
            if OracleTopology.isTunnel(interface.name) { leftOut.append(interface.name); continue }
            interfaces.append(Interface(name: interface.name, addresses: interface.addresses.map { "\($0.address)/\($0.prefixLength)" }))
        }
        let built = Set(interfaces.map(\.name))
        var routes: [RouteEntry] = []
        var neighbours: [(address: IPv4Address, interface: String)] = []
        func addNeighbour(_ address: IPv4Address, _ device: String) {
            if !neighbours.contains(where: { $0.address == address && $0.interface == device }) { neighbours.append((address, device)) }
        }
        for route in network.routes where route.table == "main" {
            let destination = route.destination.mask == 0 ? "default" : route.destination.description
            switch route.type {
            case .unicast:
                guard let device = route.device, built.contains(device) else { continue }
                let source = route.preferredSource.flatMap { address in
                    network.interfaces.contains { $0.addresses.contains { $0.address == address } } ? address : nil
                }
                routes.append(RouteEntry(destination: destination, device: device, gateway: route.gateway, preferredSource: source, metric: route.metric))
                if let gateway = route.gateway {
                    addNeighbour(gateway, device)
                } else if route.destination.mask == 0xffff_ffff {
                    addNeighbour(route.destination.address, device)
                }
            case .blackhole, .unreachable, .prohibit:
                routes.append(RouteEntry(destination: destination, type: route.type.rawValue, metric: route.metric))
            default:
                continue
            }
        }
        self.init(interfaces: interfaces, routes: routes, neighbours: neighbours)
        self.leftOut = leftOut
        ipForward = sysctls.ipForward
        rpFilterAll = sysctls.rpFilterAll
        rpFilter = sysctls.rpFilter
        tcpLoose = sysctls.tcpLoose
        tcpBeLiberal = sysctls.tcpBeLiberal
    }

    /// The sysctl assignments for the node namespace (interface-level ones after the
    /// interfaces exist).
    var sysctlAssignments: [String] {
        var result = [
            "net.ipv4.ip_forward=\(ipForward ? 1 : 0)",
            "net.ipv4.icmp_echo_ignore_all=1",
            "net.ipv4.icmp_ratelimit=0",
            "net.ipv4.icmp_msgs_per_sec=100000000",
            "net.ipv4.icmp_msgs_burst=100000000",
        ]
        let fallback = rpFilter["default"] ?? 0
        result.append("net.ipv4.conf.all.rp_filter=\(rpFilterAll)")
        result.append("net.ipv4.conf.default.rp_filter=\(fallback)")
        result.append("net.ipv4.conf.lo.rp_filter=\(rpFilter["lo"] ?? fallback)")
        for interface in interfaceNames { result.append("net.ipv4.conf.\(sysctlName(interface)).rp_filter=\(rpFilter[interface] ?? fallback)") }
        for scope in ["all", "default", "lo"] + interfaceNames.map(sysctlName) { result.append("net.ipv4.conf.\(scope).send_redirects=0") }
        return result
    }

    /// `sysctl -w` separates keys with dots, so a dot in an interface name is written as `/`.
    private func sysctlName(_ interface: String) -> String { String(interface.map { $0 == "." ? "/" : $0 }) }
}
