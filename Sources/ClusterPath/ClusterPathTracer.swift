import CalicoModel
import FelixRenderer
import Netfilter
import NodeSnapshot

/// Follows a packet from node to node: one Simulator per node, so each keeps its own conntrack
/// table and a reply traced later meets the connection its request opened.
///
/// Per node the packet meets netfilter as the kernel runs it: the pod's packet enters on its
/// veth and is forwarded; sent into `tunl0` or `vxlan.calico`, the tunnel driver wraps it and
/// hands the outer packet to `ip_local_out` (OUTPUT → POSTROUTING → eth0). The next node gets the
/// outer packet on eth0 (PREROUTING → INPUT, delivered to the ipip or VXLAN handler), and the
/// inner packet re-enters on the tunnel device (PREROUTING → routing → FORWARD → POSTROUTING →
/// the destination pod's veth). Without encapsulation the packet itself crosses on eth0.
public struct ClusterPathTracer: Sendable {
    public let cluster: Cluster
    public let routing: ClusterRouting
    public let locator: WorkloadLocator
    public let snapshots: [String: NodeSnapshot]
    var simulators: [String: Simulator]
    let vxlanPorts: [String: UInt16]
    /// More hops than any path through a tunnel needs: a routing loop between nodes stops here.
    static let hopLimit = 16

    /// Renders every node of the cluster as felix would program it, with the routes to the other
    /// nodes' workloads (`routesToOtherNodes` is turned on whatever `options` says).
    public init(cluster: Cluster, options: RenderOptions = RenderOptions(), simulatorOptions: SimulatorOptions = SimulatorOptions()) throws(ClusterPathError) {
        var options = options
        options.routesToOtherNodes = true
        var snapshots: [String: NodeSnapshot] = [:]
        for node in cluster.nodeNames {
            do {
                snapshots[node] = try FelixRenderer.render(cluster, node: node, options: options).snapshot()
            } catch {
                throw ClusterPathError("rendering node \(node): \(error)")
            }
        }
        self.init(cluster: cluster, snapshots: snapshots, options: options, simulatorOptions: simulatorOptions)
    }

    /// Uses snapshots the caller rendered (for example with kube-proxy's rules merged in); they
    /// should carry the routes `RenderOptions.routesToOtherNodes` adds.
    public init(cluster: Cluster, snapshots: [String: NodeSnapshot], options: RenderOptions = RenderOptions(), simulatorOptions: SimulatorOptions = SimulatorOptions()) {
        self.cluster = cluster
        self.snapshots = snapshots
        routing = ClusterRouting(cluster: cluster)
        locator = WorkloadLocator(cluster: cluster, options: options)
        simulators = snapshots.mapValues { snapshot in
            Simulator(ruleset: snapshot.ruleset, legacyRuleset: snapshot.legacyRuleset, ipsets: snapshot.ipsets, network: snapshot.network,
                      sysctls: snapshot.sysctls, options: simulatorOptions, conntrack: snapshot.conntrack)
        }
        vxlanPorts = Dictionary(uniqueKeysWithValues: cluster.nodeNames.map { ($0, UInt16(clamping: cluster.felixConfiguration(forNode: $0).vxlanPort ?? 4789)) })
    }

    /// The input for a packet a pod sends: it enters its node on the pod's veth.
    public func input(from workload: String, packet: Packet, timestamp: Double = 0) throws(ClusterPathError) -> (node: String, input: PacketInput) {
        let location = try locator.workload(named: workload)
        return (location.node, PacketInput(packet: packet, ingress: .interface(location.interfaceName), timestamp: timestamp))
    }

    /// Traces `input` on `fromNode`, then on every node the packet (or its tunnel's outer packet) reaches.
    public mutating func trace(_ input: PacketInput, fromNode: String) -> ClusterPathResult {
        var hops: [ClusterHop] = []
        var node = fromNode
        var current = input
        var role = HopRole.sourceNode
        var note: String? = nil
        // The inner packet waiting for its outer packet to reach the decapsulating node.
        var pendingInner: (packet: Packet, device: String)?
        func stop(_ outcome: ClusterPathOutcome) -> ClusterPathResult { ClusterPathResult(hops: hops, outcome: outcome) }
        while hops.count < Self.hopLimit {
            guard var simulator = simulators[node], let snapshot = snapshots[node] else {
                return stop(.stopped(node: node, reason: "no rendered node \(node): expected one of \(snapshots.keys.sorted().joined(separator: ", "))"))
            }
            let trace = simulator.process(current)
            simulators[node] = simulator
            hops.append(ClusterHop(node: node, snapshot: snapshot, trace: trace, role: role, note: note))
            let packet = trace.finalPacket
            switch trace.fate {
            case .droppedByRule, .droppedInRouting:
                return stop(.dropped(node: node, fate: trace.fate))
            case .undetermined(let reason):
                return stop(.stopped(node: node, reason: reason))
            case .delivered:
                guard role == .decapsulation, var inner = pendingInner else { return stop(.deliveredToHost(node: node)) }
                // Decapsulation scrubs conntrack but, within one namespace, keeps the skb's mark:
                // the inner packet carries what this node's rules left on the outer one.
                inner.packet.mark = packet.mark
                current = PacketInput(packet: inner.packet, ingress: .interface(inner.device), timestamp: input.timestamp)
                role = .destinationNode
                note = "decapsulated, arrives on \(inner.device)"
                pendingInner = nil
            case .sent(let interface):
                if role != .encapsulation {
                    if let workload = locator.workload(node: node, interface: interface) {
                        return stop(.reachedWorkload(node: node, interface: interface, workload: workload.name))
                    }
                    if interface == ClusterRouting.ipipDevice || interface == ClusterRouting.vxlanDevice {
                        switch encapsulate(packet, on: node, device: interface) {
                        case .success(let (outer, description)):
                            pendingInner = (packet, interface)
                            current = PacketInput(packet: outer, ingress: .local, timestamp: input.timestamp)
                            role = .encapsulation
                            note = description
                            continue
                        case .failure(let error):
                            return stop(.stopped(node: node, reason: error.message))
                        }
                    }
                }
                // On the underlay: every rendered node's uplink is eth0.
                guard let next = nextNode(from: node, packet: packet), next != node else {
                    return stop(.leftCluster(node: node, interface: interface))
                }
                note = role == .encapsulation ? "outer packet from \(node) on the underlay" : "from \(node) on the underlay, not encapsulated"
                role = role == .encapsulation ? .decapsulation : .destinationNode
                // A mark never leaves the machine.
                var crossing = packet
                crossing.mark = 0
                current = PacketInput(packet: crossing, ingress: .interface("eth0"), timestamp: input.timestamp)
                node = next
            }
        }
        return stop(.stopped(node: node, reason: "more than \(Self.hopLimit) hops: a routing loop between nodes?"))
    }

    /// The outer packet for `inner`, which `node` routed into its tunnel device. IPIP's outer
    /// destination is the route's gateway; VXLAN's comes from felix's FDB entry for the VTEP the
    /// route points at. The source is what the underlay route to the peer picks.
    func encapsulate(_ inner: Packet, on node: String, device: String) -> Result<(Packet, String), ClusterPathError> {
        guard let network = snapshots[node]?.network else { return .failure(ClusterPathError("no rendered node \(node)")) }
        let nextHop = network.lookup(inner.destination, table: "main")?.gateway ?? inner.destination
        let ipip = device == ClusterRouting.ipipDevice
        guard let peer = ipip ? routing.peer(address: nextHop) : routing.peer(vxlanTunnelAddress: nextHop) else {
            return .failure(ClusterPathError("\(device) has no tunnel peer for next hop \(nextHop): expected a node's \(ipip ? "InternalIP" : "VXLAN tunnel address")"))
        }
        let underlay = network.lookup(peer.address)
        guard let source = network.sourceAddress(device: underlay?.device ?? "eth0", toward: peer.address, route: underlay) else {
            return .failure(ClusterPathError("no source address on \(node) for the outer packet to \(peer.address)"))
        }
        if ipip {
            return .success((TunnelPacket.ipip(inner, source: source, destination: peer.address), "IPIP to \(peer.node) (\(peer.address)) through tunl0"))
        }
        let outer = TunnelPacket.vxlan(inner, source: source, destination: peer.address, port: vxlanPorts[node] ?? 4789)
        return .success((outer, "VXLAN to \(peer.node)'s VTEP \(nextHop) at \(peer.address)"))
    }

    /// The node the underlay route for `packet` reaches.
    func nextNode(from node: String, packet: Packet) -> String? {
        guard let network = snapshots[node]?.network else { return nil }
        let route = network.lookup(packet.destination, table: "main")
        return routing.peer(address: route?.gateway ?? packet.destination).map(\.node)
    }

    /// The node's conntrack table as `conntrack -L` lists it, after the packets traced so far.
    public mutating func conntrackListing(node: String) -> [String] {
        simulators[node]?.conntrackListing() ?? []
    }
}
