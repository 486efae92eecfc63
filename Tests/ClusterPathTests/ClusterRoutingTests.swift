import CalicoModel
import FelixRenderer
import Netfilter
import Testing

@Suite("cluster path: routes to other nodes' workloads")
struct ClusterRoutingTests {
    static func routeJSON(_ cluster: Cluster, node: String, routes: Bool) throws -> String {
        try FelixRenderer.render(cluster, node: node, options: RenderOptions(routesToOtherNodes: routes)).files["ip-route.json"] ?? ""
    }

    @Test func ipipRouteIsOnlinkThroughTunl0() throws {
        let cluster = try loadCluster("two-nodes")
        let json = try Self.routeJSON(cluster, node: "node-1", routes: true)
        #expect(json.contains(#"{"dst":"10.244.2.20","gateway":"192.168.50.12","dev":"tunl0","protocol":"bird","flags":["onlink"]}"#))
        #expect(try Self.routeJSON(cluster, node: "node-2", routes: true).contains(#"{"dst":"10.244.1.10","gateway":"192.168.50.11","dev":"tunl0","protocol":"bird","flags":["onlink"]}"#))
        // Off unless asked for: a node rendered on its own keeps only its default route.
        #expect(!(try Self.routeJSON(cluster, node: "node-1", routes: false)).contains("10.244.2.20"))
    }

    @Test func vxlanRouteGoesToTheOtherVTEP() throws {
        let cluster = try loadCluster("two-nodes-vxlan")
        let routing = ClusterRouting(cluster: cluster)
        let two = try #require(routing.peer(node: "node-2"))
        let tunnel = try #require(two.vxlanTunnelAddress)
        // From the top of the pool down, one per node in name order.
        #expect(routing.peer(node: "node-1")?.vxlanTunnelAddress == IPv4Address(10, 244, 255, 254))
        #expect(tunnel == IPv4Address(10, 244, 255, 253))
        let rendered = try FelixRenderer.render(cluster, node: "node-1", options: RenderOptions(routesToOtherNodes: true))
        #expect(rendered.files["ip-route.json"]?.contains(#"{"dst":"10.244.2.20","gateway":"10.244.255.253","dev":"vxlan.calico","protocol":"80","flags":["onlink"]}"#) == true)
        let snapshot = try rendered.snapshot()
        #expect(snapshot.network.interface(named: "vxlan.calico")?.addresses.map(\.address) == [IPv4Address(10, 244, 255, 254)])
        #expect(snapshot.network.isLocal(IPv4Address(10, 244, 255, 254)))
        #expect(routing.peer(vxlanTunnelAddress: tunnel)?.address == IPv4Address(192, 168, 50, 12))
    }

    @Test func crossSubnetEncapsulatesOnlyBetweenSubnets() throws {
        var cluster = try loadCluster("two-nodes")
        cluster.ipPools[0].ipipMode = .crossSubnet
        #expect(ClusterRouting(cluster: cluster).routes(from: "node-1").map(\.encapsulation) == [.none])
        #expect(ClusterRouting(cluster: cluster).routes(from: "node-1").first?.device == "eth0")
        cluster.nodes[1].internalIPs = ["192.168.51.12"]
        #expect(ClusterRouting(cluster: cluster).routes(from: "node-1").map(\.encapsulation) == [.ipip])
    }

    /// One node with workloads: nothing added even when asked for, so single-node renders stay as they were.
    @Test func singleNodeRenderIsUnchanged() throws {
        let cluster = try loadCluster("seed-web-deny-all")
        let plain = try FelixRenderer.render(cluster, node: "host30")
        let routed = try FelixRenderer.render(cluster, node: "host30", options: RenderOptions(routesToOtherNodes: true))
        #expect(plain.files == routed.files)
    }
}
