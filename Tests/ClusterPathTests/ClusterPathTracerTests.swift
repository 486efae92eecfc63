import CalicoModel
import ClusterPath
import FelixRenderer
import Netfilter
import Testing

@Suite("cluster path: a packet across nodes")
struct ClusterPathTracerTests {
    static let webVeth = "cali96bc57f337a"
    static let clientVeth = "calia7a3e029a7b"

    static func synFromClient(_ tracer: inout ClusterPathTracer) throws -> ClusterPathResult {
        let start = try tracer.input(from: "default/client", packet: try packet("tcp 10.244.1.10:41000 > 10.244.2.20:80 flags=S"))
        return tracer.trace(start.input, fromNode: start.node)
    }

    /// IPIP, web-deny-all: forwarded into tunl0 on node-1, the outer packet allowed out and in by
    /// felix's IPIP rules, the inner packet dropped in web's to-workload chain on node-2.
    @Test func ipipSynIsDroppedByWebDenyAllOnTheDestinationNode() throws {
        var tracer = try ClusterPathTracer(cluster: try loadCluster("two-nodes"))
        let result = try Self.synFromClient(&tracer)
        let summary = describe(result)
        try #require(result.hops.count == 4, Comment(rawValue: summary))
        #expect(result.hops.map(\.node) == ["node-1", "node-1", "node-2", "node-2"])
        #expect(result.hops.map(\.role) == [.sourceNode, .encapsulation, .decapsulation, .destinationNode])

        let source = result.hops[0]
        #expect(source.trace.input.ingress == .interface(Self.clientVeth))
        #expect(source.trace.fate == .sent(interface: "tunl0"))

        let outer = result.hops[1]
        #expect(outer.trace.input.ingress == .local)
        let outerPacket = outer.trace.input.packet
        #expect(outerPacket.proto == IPProtocolNumber.ipencap)
        #expect(outerPacket.source == IPv4Address(192, 168, 50, 11) && outerPacket.destination == IPv4Address(192, 168, 50, 12))
        #expect(outerPacket.totalLength == 40 + 20)
        // tunl0's "ttl inherit": the forwarded inner packet's TTL.
        #expect(outerPacket.ttl == 63)
        #expect(outer.trace.fate == .sent(interface: "eth0"))
        let allowOut = try #require(outer.trace.steps.first { $0.table == .filter && $0.chain == "cali-OUTPUT" && $0.verdict == .accept })
        #expect(comments(of: allowOut, in: outer).contains("Allow IPIP packets to other Calico hosts"))

        let arriving = result.hops[2]
        #expect(arriving.trace.input.ingress == .interface("eth0"))
        #expect(arriving.trace.fate == .delivered)
        let allowIn = try #require(arriving.trace.steps.first { $0.table == .filter && $0.chain == "cali-INPUT" && $0.verdict == .accept })
        #expect(comments(of: allowIn, in: arriving).contains("Allow IPIP packets from Calico hosts"))
        #expect(arriving.snapshot.ipsets.first { $0.name == "cali40all-hosts-net" }?.entries.map(\.text) == ["192.168.50.11", "192.168.50.12"])

        let inner = result.hops[3]
        #expect(inner.trace.input.ingress == .interface("tunl0"))
        #expect(inner.trace.input.packet.ttl == 63 && inner.trace.input.packet.mark == arriving.trace.finalPacket.mark)
        #expect(inner.trace.steps.map(\.description) == [
            "raw:PREROUTING #1 jump cali-PREROUTING",
            "raw:cali-PREROUTING #1 continue",
            "raw:cali-PREROUTING #5 jump cali-from-host-endpoint",
            "raw:PREROUTING policy accept",
            "mangle:PREROUTING #1 jump cali-PREROUTING",
            "mangle:cali-PREROUTING #3 jump cali-from-host-endpoint",
            "mangle:PREROUTING policy accept",
            "nat:PREROUTING #1 jump cali-PREROUTING",
            "nat:cali-PREROUTING #1 jump cali-fip-dnat",
            "nat:PREROUTING policy accept",
            "mangle:FORWARD policy accept",
            "filter:FORWARD #1 jump cali-FORWARD",
            "filter:cali-FORWARD #1 continue",
            "filter:cali-FORWARD #2 jump cali-from-hep-forward",
            "filter:cali-FORWARD #4 jump cali-to-wl-dispatch",
            "filter:cali-to-wl-dispatch #1 goto cali-tw-\(Self.webVeth)",
            "filter:cali-tw-\(Self.webVeth) #3 continue",
            "filter:cali-tw-\(Self.webVeth) #4 continue",
            "filter:cali-tw-\(Self.webVeth) #5 jump cali-pi-_gFMMQkM8R5TQh-Mz37B",
            "filter:cali-pi-_gFMMQkM8R5TQh-Mz37B #1 continue",
            "filter:cali-tw-\(Self.webVeth) #7 drop",
        ], Comment(rawValue: summary))
        let drop = TraceStep(table: .filter, chain: "cali-tw-\(Self.webVeth)", rule: 7, verdict: .drop)
        #expect(inner.trace.fate == .droppedByRule(drop))
        #expect(comments(of: drop, in: inner).contains("End of tier default. Drop if no policies passed packet"))
        #expect(result.outcome == .dropped(node: "node-2", fate: .droppedByRule(drop)))
    }

    /// VXLAN with a policy allowing client → web on TCP 80: out the web pod's veth; the outer
    /// packet is UDP to 4789 between the node addresses, NOTRACKed by felix's raw rules.
    @Test func vxlanSynReachesWeb() throws {
        var tracer = try ClusterPathTracer(cluster: try loadCluster("two-nodes-vxlan"))
        let result = try Self.synFromClient(&tracer)
        try #require(result.hops.count == 4, Comment(rawValue: describe(result)))
        #expect(result.hops.map(\.role) == [.sourceNode, .encapsulation, .decapsulation, .destinationNode])
        #expect(result.hops[0].trace.fate == .sent(interface: ClusterRouting.vxlanDevice))
        let outer = result.hops[1].trace.input.packet
        #expect(outer.proto == IPProtocolNumber.udp && outer.destinationPort == 4789)
        #expect(outer.source == IPv4Address(192, 168, 50, 11) && outer.destination == IPv4Address(192, 168, 50, 12))
        #expect(outer.totalLength == 40 + 50 && outer.ttl == 64)
        #expect(result.hops[1].trace.conntrackEntry == nil, "felix's raw cali-OUTPUT NOTRACKs VXLAN")
        #expect(result.hops[3].trace.input.ingress == .interface(ClusterRouting.vxlanDevice))
        #expect(result.hops[3].trace.fate == .sent(interface: Self.webVeth))
        #expect(result.outcome == .reachedWorkload(node: "node-2", interface: Self.webVeth, workload: "default/web-667bdcb4d8-cpvbb"))
        #expect(result.outcome.isDelivered)
    }

    /// The SYN-ACK from web goes back through both nodes as ESTABLISHED: each node's simulator
    /// kept the connection the SYN opened.
    @Test func replyIsTracedBackAsEstablished() throws {
        var tracer = try ClusterPathTracer(cluster: try loadCluster("two-nodes-vxlan"))
        _ = try Self.synFromClient(&tracer)
        let start = try tracer.input(from: "default/web-667bdcb4d8-cpvbb", packet: try packet("tcp 10.244.2.20:80 > 10.244.1.10:41000 flags=S."), timestamp: 0.001)
        #expect(start.node == "node-2" && start.input.ingress == .interface(Self.webVeth))
        let reply = tracer.trace(start.input, fromNode: start.node)
        try #require(reply.hops.count == 4, Comment(rawValue: describe(reply)))
        #expect(reply.hops.map(\.node) == ["node-2", "node-2", "node-1", "node-1"])
        for hop in [reply.hops[0], reply.hops[3]] {
            #expect(hop.trace.conntrackState?.contains(.established) == true, "\(hop.node) \(hop.role.rawValue)")
            #expect(hop.trace.conntrackDirection == .reply)
        }
        #expect(reply.outcome == .reachedWorkload(node: "node-1", interface: Self.clientVeth, workload: "default/client"))
    }

    /// Two pods on one node: the packet never leaves the node.
    @Test func sameNodePacketIsOneHop() throws {
        var tracer = try ClusterPathTracer(cluster: try loadCluster("seed-web-deny-all"))
        let start = try tracer.input(from: "default/client", packet: try packet("tcp 10.139.54.20:41000 > 10.139.54.158:80 flags=S"))
        let result = tracer.trace(start.input, fromNode: start.node)
        #expect(result.hops.count == 1)
        #expect(result.hops.first?.role == .sourceNode)
        guard case .dropped(let node, .droppedByRule(let step)) = result.outcome else {
            Issue.record("expected a drop on host30, got \(result.outcome)")
            return
        }
        #expect(node == "host30" && step.chain.hasPrefix("cali-tw-"))
    }

    /// A pool without encapsulation: the packet itself crosses on eth0 to the node the route names.
    @Test func unencapsulatedPacketCrossesTheUnderlay() throws {
        var cluster = try loadCluster("two-nodes")
        cluster.ipPools[0].ipipMode = .never
        var tracer = try ClusterPathTracer(cluster: cluster)
        let result = try Self.synFromClient(&tracer)
        #expect(result.hops.map(\.role) == [.sourceNode, .destinationNode], Comment(rawValue: describe(result)))
        #expect(result.hops.first?.trace.fate == .sent(interface: "eth0"))
        #expect(result.hops.last?.trace.input.ingress == .interface("eth0"))
        #expect(result.hops.last?.trace.input.packet.mark == 0)
        #expect(result.outcome.node == "node-2" && !result.outcome.isDelivered)
    }

    @Test func unknownSourcePodIsAClearError() throws {
        let tracer = try ClusterPathTracer(cluster: try loadCluster("two-nodes"))
        let error = #expect(throws: ClusterPathError.self) {
            _ = try tracer.input(from: "default/nope", packet: try packet("tcp 10.244.1.10:41000 > 10.244.2.20:80 flags=S"))
        }
        #expect(error?.message == "no workload default/nope in the cluster: expected one of default/client, default/web-667bdcb4d8-cpvbb")
    }

    @Test func workloadsAreFoundByNameAndAddress() throws {
        let locator = WorkloadLocator(cluster: try loadCluster("two-nodes"))
        let web = try locator.workload(address: IPv4Address(10, 244, 2, 20))
        #expect(web == WorkloadLocation(name: "default/web-667bdcb4d8-cpvbb", node: "node-2", interfaceName: Self.webVeth, addresses: ["10.244.2.20"]))
        #expect(try locator.workload(named: "client").interfaceName == Self.clientVeth)
        #expect(throws: ClusterPathError.self) { try locator.workload(address: IPv4Address(10, 9, 9, 9)) }
    }
}
