import CalicoModel
import Netfilter

/// The node's interfaces and routes, as `ip -j addr/link/route` would print them: `lo`, `eth0`
/// with the Node's InternalIP (a /24, gateway .1), a `tunl0` when IPIP is on, and one veth per
/// local workload with a /32 route to each of its addresses (Calico's veths carry no IPv4 address).
/// With `remote` routes (`RenderOptions.routesToOtherNodes`), the routes to other nodes'
/// workloads follow the local ones, and a VXLAN tunnel adds `vxlan.calico` with its VTEP address.
struct NodeNetworkRenderer {
    struct Link {
        var name: String
        var mac: String
        var addresses: [(String, Int)]
        var kind: String
    }

    var links: [Link] = []
    var routes: [[String: String]] = []
    /// What pathsim assumed because the cluster did not say.
    var assumptions: [String] = []

    init(node: String, nodeIP: String?, workloads: [ResolvedEndpoint], ipip: Bool,
         remote: [ClusterRouting.RemoteRoute] = [], vxlanTunnel: ClusterRouting.Peer? = nil) {
        let address = nodeIP ?? "10.0.0.10"
        if nodeIP == nil { assumptions.append("node \(node) has no Node object with an InternalIP: eth0 gets \(address)/24") }
        let parts = address.split(separator: ".")
        let subnet = parts.prefix(3).joined(separator: ".")
        links.append(Link(name: "lo", mac: "00:00:00:00:00:00", addresses: [("127.0.0.1", 8)], kind: "loopback"))
        links.append(Link(name: "eth0", mac: "02:00:00:00:00:01", addresses: [(address, 24)], kind: "ether"))
        if ipip { links.append(Link(name: "tunl0", mac: "00:00:00:00", addresses: [], kind: "ipip")) }
        // felix gives the VTEP a /32 and reaches the other VTEPs through onlink routes, with
        // static ARP and FDB entries (VTEP address → MAC → node IP) that pathsim's tracer reads
        // from `ClusterRouting` instead: the engine does not model neighbours.
        let tunnelAddress = vxlanTunnel?.vxlanTunnelAddress.map { "\($0)" }
        if let tunnelAddress {
            links.append(Link(name: ClusterRouting.vxlanDevice, mac: vxlanTunnel?.vxlanTunnelMAC ?? "", addresses: [(tunnelAddress, 32)], kind: "ether"))
        }
        routes.append(["dst": "default", "gateway": "\(subnet).1", "dev": "eth0"])
        routes.append(["dst": "\(subnet).0/24", "dev": "eth0", "prefsrc": address, "scope": "link"])
        var seen = Set<String>()
        for workload in workloads {
            guard let name = workload.interfaceName, seen.insert(name).inserted else { continue }
            // Calico gives every workload veth the same well-known MAC on the host side.
            links.append(Link(name: name, mac: "ee:ee:ee:ee:ee:ee", addresses: [], kind: "ether"))
            for ip in workload.addresses where !ip.contains(":") {
                routes.append(["dst": ip, "dev": name, "scope": "link"])
            }
        }
        for route in remote {
            // BIRD marks its routes `proto bird`; felix's VXLAN routes carry its protocol number 80.
            routes.append(["dst": "\(route.destination)", "gateway": "\(route.gateway)", "dev": route.device,
                           "protocol": route.encapsulation == .vxlan ? "80" : "bird", "flags": route.onlink ? "onlink" : ""])
        }
        if let tunnelAddress {
            routes.append(["type": "local", "dst": tunnelAddress, "dev": ClusterRouting.vxlanDevice, "table": "local", "prefsrc": tunnelAddress, "scope": "host"])
        }
        routes.append(["type": "local", "dst": address, "dev": "eth0", "table": "local", "prefsrc": address, "scope": "host"])
        routes.append(["type": "broadcast", "dst": "\(subnet).255", "dev": "eth0", "table": "local", "prefsrc": address, "scope": "link"])
        routes.append(["type": "local", "dst": "127.0.0.0/8", "dev": "lo", "table": "local", "prefsrc": "127.0.0.1", "scope": "host"])
        routes.append(["type": "local", "dst": "127.0.0.1", "dev": "lo", "table": "local", "prefsrc": "127.0.0.1", "scope": "host"])
    }

    var nodeAddress: String { links[1].addresses[0].0 }

    private static func quote(_ text: String) -> String { "\"" + text + "\"" }

    private func linkJSON(_ link: Link, index: Int, withAddresses: Bool) -> String {
        var fields = ["\"ifindex\":\(index)", "\"ifname\":\(Self.quote(link.name))",
                      "\"flags\":[\(link.name == "lo" ? "\"LOOPBACK\"," : "\"BROADCAST\",\"MULTICAST\",")\"UP\",\"LOWER_UP\"]",
                      "\"operstate\":\(Self.quote(link.name == "lo" ? "UNKNOWN" : "UP"))", "\"link_type\":\(Self.quote(link.kind))",
                      "\"address\":\(Self.quote(link.mac))"]
        if withAddresses {
            let infos = link.addresses.map { "{\"family\":\"inet\",\"local\":\(Self.quote($0.0)),\"prefixlen\":\($0.1),\"scope\":\($0.0.hasPrefix("127.") ? "\"host\"" : "\"global\""),\"label\":\(Self.quote(link.name))}" }
            fields.append("\"addr_info\":[\(infos.joined(separator: ","))]")
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    var addrJSON: String { "[" + links.enumerated().map { linkJSON($0.element, index: $0.offset + 1, withAddresses: true) }.joined(separator: ",") + "]\n" }
    var linkJSON: String { "[" + links.enumerated().map { linkJSON($0.element, index: $0.offset + 1, withAddresses: false) }.joined(separator: ",") + "]\n" }
    var routeJSON: String {
        "[" + routes.map { route in
            "{" + ["type", "dst", "gateway", "dev", "protocol", "table", "prefsrc", "scope"].compactMap { key in route[key].map { "\(Self.quote(key)):\(Self.quote($0))" } }.joined(separator: ",")
                + ",\"flags\":[\(route["flags"].flatMap { $0.isEmpty ? nil : Self.quote($0) } ?? "")]}"
        }.joined(separator: ",") + "]\n"
    }
}
