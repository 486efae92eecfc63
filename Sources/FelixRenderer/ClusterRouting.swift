import CalicoModel
import Digests
import Netfilter

/// How the nodes of a cluster reach each other's workloads: the routes BIRD (IPIP, no
/// encapsulation) or felix's VXLAN route manager would install on a node for every workload of
/// another node, and the tunnel facts the routes depend on.
///
/// Real Calico routes whole IPAM blocks (a /26 per node by default). pathsim has no IPAM
/// blocks, so it routes each remote workload address as a /32: the forwarding decision for a
/// pod's address is the same, only the route table is longer.
public struct ClusterRouting: Sendable {
    public enum Encapsulation: String, Hashable, Sendable {
        case ipip = "IPIP", vxlan = "VXLAN", none = "none"
    }

    /// A node other nodes route to: its InternalIP and, with VXLAN, its VTEP.
    public struct Peer: Hashable, Sendable {
        public var node: String
        public var address: IPv4Address
        /// The address on `vxlan.calico`, when a pool uses VXLAN. felix allocates it from an IPAM
        /// block of the VXLAN pool; pathsim takes addresses from the top of the pool down, one per
        /// node in name order, skipping pod addresses (the pool's broadcast address excluded).
        public var vxlanTunnelAddress: IPv4Address?
        /// felix generates a random MAC and stores it on the Node (`vxlanTunnelMACAddr`); pathsim
        /// derives a locally administered one from SHA-1 of the node name so renders are stable.
        public var vxlanTunnelMAC: String?
    }

    /// One route to another node's workload.
    public struct RemoteRoute: Hashable, Sendable {
        public var destination: IPv4Address
        public var node: String
        public var encapsulation: Encapsulation
        public var device: String
        /// The other node's IP (IPIP, none) or its VTEP address (VXLAN).
        public var gateway: IPv4Address
        /// BIRD and felix both install tunnel routes `onlink`: the gateway is not on the device's subnet.
        public var onlink: Bool { encapsulation != .none }
    }

    public static let ipipDevice = "tunl0"
    public static let vxlanDevice = "vxlan.calico"

    public private(set) var peers: [Peer] = []
    /// Workload addresses by node, IPv4 only.
    let workloads: [(node: String, address: IPv4Address)]
    let pools: [IPPool]
    /// Nodes pathsim cannot route to (no Node object with an InternalIP).
    public private(set) var assumptions: [String] = []

    public init(cluster: Cluster) {
        pools = cluster.ipPools.filter { !$0.disabled && !$0.cidr.contains(":") }
        // Addresses and nodes do not depend on the dialect or the veth prefix.
        let catalog = EndpointCatalog(cluster: cluster, dialect: .modern)
        workloads = catalog.endpoints.filter { $0.kind == .workload }.flatMap { endpoint in
            endpoint.addresses.compactMap { IPv4Address($0) }.map { (endpoint.node, $0) }
        }
        let used = Set(workloads.map(\.address))
        let vxlanPool = pools.first { $0.vxlanMode != .never }.flatMap { IPv4Network($0.cidr) }
        var nextTunnel = vxlanPool.map { IPv4Address($0.address.value | ~$0.mask) }
        for node in cluster.nodeNames {
            guard let text = cluster.nodes.first(where: { $0.meta.name == node })?.internalIPs.first(where: { !$0.contains(":") }),
                  let address = IPv4Address(text) else {
                if workloads.contains(where: { $0.node == node }) {
                    assumptions.append("node \(node) has no Node object with an InternalIP: other nodes get no route to its workloads")
                }
                continue
            }
            var peer = Peer(node: node, address: address)
            if let pool = vxlanPool, var candidate = nextTunnel {
                repeat { candidate = IPv4Address(candidate.value &- 1) } while used.contains(candidate) && pool.contains(candidate)
                if pool.contains(candidate) {
                    peer.vxlanTunnelAddress = candidate
                    peer.vxlanTunnelMAC = Self.mac(node: node)
                }
                nextTunnel = candidate
            }
            peers.append(peer)
        }
    }

    /// Routes exist only between nodes that both have workloads to reach; a single-node
    /// cluster renders no remote route and no VXLAN device.
    public var hasRemoteWorkloads: Bool { Set(workloads.map(\.node)).count > 1 }

    public func peer(node: String) -> Peer? { peers.first { $0.node == node } }
    public func peer(address: IPv4Address) -> Peer? { peers.first { $0.address == address } }
    public func peer(vxlanTunnelAddress address: IPv4Address) -> Peer? { peers.first { $0.vxlanTunnelAddress == address } }

    /// The workload's node, if any node has a workload with this address.
    public func node(ofWorkload address: IPv4Address) -> String? { workloads.first { $0.address == address }?.node }

    /// What the pool containing `address` asks for between the two nodes: `CrossSubnet`
    /// encapsulates only when the nodes' /24s differ (pathsim gives every node a /24 on eth0).
    public func encapsulation(from source: Peer, to destination: Peer, workloadAddress address: IPv4Address) -> Encapsulation {
        let pool = pools.compactMap { pool in IPv4Network(pool.cidr).map { (pool, $0) } }
            .filter { $0.1.contains(address) }
            .max { $0.1.mask.nonzeroBitCount < $1.1.mask.nonzeroBitCount }?.0
        guard let pool else { return .none }
        let crossSubnet = source.address.value >> 8 != destination.address.value >> 8
        func applies(_ mode: IPPool.EncapsulationMode) -> Bool { mode == .always || (mode == .crossSubnet && crossSubnet) }
        if applies(pool.ipipMode) { return .ipip }
        if applies(pool.vxlanMode), destination.vxlanTunnelAddress != nil { return .vxlan }
        return .none
    }

    /// The routes `node` has to every other node's workloads, in address order.
    public func routes(from node: String) -> [RemoteRoute] {
        guard hasRemoteWorkloads, let local = peer(node: node) else { return [] }
        var routes: [RemoteRoute] = []
        var seen = Set<IPv4Address>()
        for workload in workloads.sorted(by: { $0.address < $1.address }) where workload.node != node && seen.insert(workload.address).inserted {
            guard let remote = peer(node: workload.node) else { continue }
            switch encapsulation(from: local, to: remote, workloadAddress: workload.address) {
            case .ipip:
                routes.append(RemoteRoute(destination: workload.address, node: remote.node, encapsulation: .ipip, device: Self.ipipDevice, gateway: remote.address))
            case .vxlan:
                guard let tunnel = remote.vxlanTunnelAddress else { continue }
                routes.append(RemoteRoute(destination: workload.address, node: remote.node, encapsulation: .vxlan, device: Self.vxlanDevice, gateway: tunnel))
            case .none:
                routes.append(RemoteRoute(destination: workload.address, node: remote.node, encapsulation: .none, device: "eth0", gateway: remote.address))
            }
        }
        return routes
    }

    static func mac(node: String) -> String {
        let digest = SHA1.hash(node)
        // 0x66: locally administered, unicast, as felix's generated VTEP MACs are.
        return (["66"] + digest.prefix(5).map { byte in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }).joined(separator: ":")
    }
}
