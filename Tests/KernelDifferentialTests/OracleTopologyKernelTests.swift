import KernelOracle
import Netfilter
import Testing

// How a snapshot's network becomes the oracle's namespaces (no root needed: nothing is built).
@Suite("Oracle topology from a snapshot (Kernel)")
struct OracleTopologyKernelTests {
    static func network() -> NodeNetwork {
        let eth0 = NetworkInterface(name: "eth0", index: 2, addresses: [InterfaceAddress(address: IPv4Address(10, 0, 0, 5), prefixLength: 24)])
        let pod = NetworkInterface(name: "cali1f79f9e08f2", index: 3)
        let tunnel = NetworkInterface(name: "tunl0", index: 4, addresses: [InterfaceAddress(address: IPv4Address(10, 65, 0, 1), prefixLength: 32)])
        let lo = NetworkInterface(name: "lo", index: 1, addresses: [InterfaceAddress(address: IPv4Address(127, 0, 0, 1), prefixLength: 8)])
        return NodeNetwork(interfaces: [lo, eth0, pod, tunnel], routes: [
            Route(destination: IPv4Network.all, device: "eth0", gateway: IPv4Address(10, 0, 0, 1)),
            Route(destination: IPv4Network(address: IPv4Address(10, 65, 0, 2), prefixLength: 32), device: "cali1f79f9e08f2"),
            Route(destination: IPv4Network(address: IPv4Address(10, 65, 1, 0), prefixLength: 26), device: "tunl0", gateway: IPv4Address(10, 0, 0, 6)),
            Route(destination: IPv4Network(address: IPv4Address(10, 65, 0, 0), prefixLength: 26), type: .blackhole),
        ])
    }

    @Test("Interfaces but lo and tunnels, routes through them, neighbours for gateways and /32s, sysctls")
    func fromSnapshotKernel() {
        var sysctls = Sysctls()
        sysctls.rpFilterAll = 1
        sysctls.ipForward = false
        let topology = OracleTopology(network: Self.network(), sysctls: sysctls)
        #expect(topology.interfaceNames == ["eth0", "cali1f79f9e08f2"])
        #expect(topology.leftOut == ["tunl0"])
        #expect(topology.routes.map(\.destination) == ["default", "10.65.0.2/32", "10.65.0.0/26"])
        #expect(topology.routes.last?.type == "blackhole")
        #expect(topology.neighbours.map(\.address) == [IPv4Address(10, 0, 0, 1), IPv4Address(10, 65, 0, 2)])
        #expect(topology.probe?.destination == IPv4Address(10, 0, 0, 1))
        #expect(topology.ipForward == false && topology.rpFilterAll == 1)
    }

    @Test("The fixed topology is the oracle's classic node")
    func fixedKernel() {
        let fixed = OracleTopology.fixed
        #expect(fixed.interfaceNames == [KernelOracle.uplink] + KernelOracle.workloads.map(\.interface))
        #expect(fixed.routes.last?.gateway == KernelOracle.gatewayAddress)
        #expect(fixed.neighbours.count == 4)
    }
}
