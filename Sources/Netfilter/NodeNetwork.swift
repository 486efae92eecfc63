public struct InterfaceAddress: Hashable, Sendable {
    public var address: IPv4Address
    public var prefixLength: Int
    public var broadcast: IPv4Address?
    public init(address: IPv4Address, prefixLength: Int, broadcast: IPv4Address? = nil) {
        self.address = address
        self.prefixLength = prefixLength
        self.broadcast = broadcast
    }
    public var network: IPv4Network { IPv4Network(address: address, prefixLength: prefixLength) }
}

public struct NetworkInterface: Hashable, Sendable {
    public var name: String
    public var index: Int
    public var macAddress: String?
    public var isUp: Bool
    public var addresses: [InterfaceAddress]
    public init(name: String, index: Int, macAddress: String? = nil, isUp: Bool = true, addresses: [InterfaceAddress] = []) {
        self.name = name
        self.index = index
        self.macAddress = macAddress
        self.isUp = isUp
        self.addresses = addresses
    }
}

public enum RouteType: String, Hashable, Sendable {
    case unicast, local, broadcast, multicast, blackhole, unreachable, prohibit, `throw`, nat, anycast
}

/// One route of `ip -j route show table all`.
public struct Route: Hashable, Sendable {
    public var destination: IPv4Network
    public var type: RouteType
    /// `main`, `local`, or a number.
    public var table: String
    public var device: String?
    public var gateway: IPv4Address?
    public var preferredSource: IPv4Address?
    public var metric: Int
    public init(destination: IPv4Network, type: RouteType = .unicast, table: String = "main", device: String? = nil, gateway: IPv4Address? = nil, preferredSource: IPv4Address? = nil, metric: Int = 0) {
        self.destination = destination
        self.type = type
        self.table = table
        self.device = device
        self.gateway = gateway
        self.preferredSource = preferredSource
        self.metric = metric
    }
}

/// The node's interfaces and routes: what the routing decision, addrtype, rpfilter and
/// MASQUERADE consult. Only the `local` and `main` tables are used for lookups: a
/// snapshot carries no `ip rule` list, so policy routing by mark is not modelled.
public struct NodeNetwork: Hashable, Sendable {
    public var interfaces: [NetworkInterface]
    public var routes: [Route]

    public init(interfaces: [NetworkInterface] = [], routes: [Route] = []) {
        self.interfaces = interfaces
        self.routes = routes
        if !routes.contains(where: { $0.table == "local" }) {
            self.routes += NodeNetwork.impliedLocalRoutes(interfaces)
        }
    }

    /// What the kernel adds to the local table for each address, used when a snapshot
    /// has no `table local` routes (for example `ip -j route show` without `table all`).
    static func impliedLocalRoutes(_ interfaces: [NetworkInterface]) -> [Route] {
        var routes: [Route] = [
            Route(destination: IPv4Network(address: IPv4Address(127, 0, 0, 0), prefixLength: 8), type: .local, table: "local", device: "lo"),
        ]
        for interface in interfaces {
            for address in interface.addresses {
                routes.append(Route(destination: IPv4Network(address: address.address, prefixLength: 32), type: .local, table: "local", device: interface.name, preferredSource: address.address))
                if let broadcast = address.broadcast {
                    routes.append(Route(destination: IPv4Network(address: broadcast, prefixLength: 32), type: .broadcast, table: "local", device: interface.name, preferredSource: address.address))
                }
            }
        }
        return routes
    }

    public func interface(named name: String) -> NetworkInterface? { interfaces.first { $0.name == name } }

    /// Longest-prefix match in one table; lower metric breaks ties.
    public func lookup(_ destination: IPv4Address, table: String) -> Route? {
        var best: Route?
        for route in routes where route.table == table && route.destination.contains(destination) {
            guard let current = best else { best = route; continue }
            let length = route.destination.mask.nonzeroBitCount
            let currentLength = current.destination.mask.nonzeroBitCount
            if length > currentLength || (length == currentLength && route.metric < current.metric) {
                best = route
            }
        }
        return best
    }

    /// The kernel's lookup order without policy rules: local, then main.
    public func lookup(_ destination: IPv4Address) -> Route? {
        lookup(destination, table: "local") ?? lookup(destination, table: "main")
    }

    /// The type `-m addrtype` reports: the local table decides LOCAL and BROADCAST; the
    /// rest is UNICAST even without a route (observed on the kernel).
    public func addressType(_ address: IPv4Address, limitedTo interface: String? = nil) -> AddressType {
        if address.value == 0xffff_ffff || address.value >> 24 == 0 { return .broadcast }
        if address.isMulticast { return .multicast }
        if let route = lookup(address, table: "local") {
            if let interface, route.device != interface, !address.isLoopback || interface != "lo" {
                return .unicast
            }
            switch route.type {
            case .local: return .local
            case .broadcast: return .broadcast
            case .multicast: return .multicast
            default: return .unicast
            }
        }
        if address.isLoopback { return .local }
        return .unicast
    }

    public func isLocal(_ address: IPv4Address) -> Bool {
        if address.isLoopback { return true }
        return lookup(address, table: "local")?.type == .local
    }

    /// The address the kernel picks as source for traffic leaving `device` towards
    /// `destination` (what MASQUERADE uses): the route's preferred source, else the
    /// first address on the device in the destination's subnet, else its primary one.
    /// `inet_select_addr(dev, nexthop, RT_SCOPE_UNIVERSE)`, which MASQUERADE uses: an address
    /// of the device (one on the next hop's subnet first), else the first global address of
    /// any other interface in index order (a Calico `cali*` device has none of its own).
    public func masqueradeAddress(device: String, nextHop: IPv4Address) -> IPv4Address? {
        // Scope universe: 127/8 is host-scoped (lo's own address never qualifies).
        if let interface = interface(named: device) {
            let usable = interface.addresses.filter { !$0.address.isLoopback }
            if let address = usable.first(where: { $0.network.contains(nextHop) }) ?? usable.first { return address.address }
        }
        for interface in interfaces.sorted(by: { $0.index < $1.index }) {
            if let address = interface.addresses.first(where: { !$0.address.isLoopback }) { return address.address }
        }
        return nil
    }

    public func sourceAddress(device: String, toward destination: IPv4Address, route: Route?) -> IPv4Address? {
        if let source = route?.preferredSource { return source }
        guard let interface = interface(named: device) else { return nil }
        let gatewayOrDestination = route?.gateway ?? destination
        if let onLink = interface.addresses.first(where: { $0.network.contains(gatewayOrDestination) }) {
            return onLink.address
        }
        return interface.addresses.first?.address ?? masqueradeAddress(device: device, nextHop: gatewayOrDestination)
    }
}
