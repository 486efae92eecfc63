import Foundation
import KernelOracle
import Netfilter
import Testing

/// A node whose rules live partly in iptables-legacy and partly in iptables-nft: both sets
/// of base chains sit at the same hooks and priorities, the kernel runs the one registered
/// last first, and nf_nat stops at the first nat chain that sets up a mapping.
@Suite("Both iptables back ends on the kernel", .serialized) struct BackendMixKernelTests {
    static let nft = """
    *mangle
    :PREROUTING ACCEPT [0:0]
    :INPUT ACCEPT [0:0]
    :FORWARD ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    :POSTROUTING ACCEPT [0:0]
    -A PREROUTING -m mark --mark 0x1/0x1 -m comment --comment "nft sees the legacy mark"
    -A PREROUTING -j MARK --set-xmark 0x2/0x2
    COMMIT
    *nat
    :PREROUTING ACCEPT [0:0]
    :INPUT ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    :POSTROUTING ACCEPT [0:0]
    -A PREROUTING -d 10.96.0.30/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.65.0.3:8080
    -A PREROUTING -d 10.96.0.32/32 -p tcp -m tcp --dport 80 -m comment --comment "nft: no mapping"
    COMMIT
    *filter
    :INPUT ACCEPT [0:0]
    :FORWARD ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    -A FORWARD -m conntrack --ctstate ESTABLISHED -m comment --comment "nft established"
    -A FORWARD -m mark --mark 0x10/0x10 -m comment --comment "marked by legacy filter"
    -A FORWARD -p udp -m udp --dport 53 -j DROP
    -A FORWARD -p tcp -m tcp --dport 23 -j ACCEPT
    COMMIT

    """

    static let legacy = """
    *mangle
    :PREROUTING ACCEPT [0:0]
    :INPUT ACCEPT [0:0]
    :FORWARD ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    :POSTROUTING ACCEPT [0:0]
    -A PREROUTING -m mark --mark 0x2/0x2 -m comment --comment "legacy sees the nft mark"
    -A PREROUTING -j MARK --set-xmark 0x1/0x1
    COMMIT
    *nat
    :PREROUTING ACCEPT [0:0]
    :INPUT ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    :POSTROUTING ACCEPT [0:0]
    -A PREROUTING -d 10.96.0.30/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.65.0.4:8080
    -A PREROUTING -d 10.96.0.31/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.65.0.2:80
    -A PREROUTING -d 10.96.0.32/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.65.0.4:80
    COMMIT
    *filter
    :INPUT ACCEPT [0:0]
    :FORWARD ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    -A FORWARD -p tcp -m tcp --dport 22 -j DROP
    -A FORWARD -p tcp -j MARK --set-xmark 0x10/0x10
    -A FORWARD -p udp -m comment --comment "legacy sees udp"
    -A FORWARD -p tcp -m tcp --dport 23 -j DROP
    COMMIT

    """

    static let packets = [
        // Both nat tables map 10.96.0.30: the first to run wins, the other is not consulted.
        "in=cali1f79f9e08f2 tcp 10.65.0.2:41000 > 10.96.0.30:80 flags=S",
        // Only one maps: the nft chain runs without a mapping, the legacy one maps.
        "in=cali1f79f9e08f2 tcp 10.65.0.2:41001 > 10.96.0.31:80 flags=S",
        "in=cali0a1b2c3d4e5 tcp 10.65.0.4:41002 > 10.96.0.32:80 flags=S",
        // A drop in either back end's filter chain ends the packet; an ACCEPT ends only its own chain.
        "in=cali1f79f9e08f2 tcp 10.65.0.2:41003 > 10.65.0.3:22 flags=S",
        "in=cali1f79f9e08f2 udp 10.65.0.2:41004 > 10.65.0.3:53",
        "in=cali1f79f9e08f2 tcp 10.65.0.2:41005 > 10.65.0.3:23 flags=S",
        "in=cali1f79f9e08f2 tcp 10.65.0.2:41006 > 10.65.0.3:443 flags=S",
        "in=cali96bc57f337a tcp 10.65.0.3:443 > 10.65.0.2:41006 flags=S.",
    ]

    @Test(OracleSupport.requiresKernel, arguments: [false, true])
    func bothBackEndsAgreeWithKernel(legacyLoadedFirst: Bool) throws {
        try OracleSupport.exclusive {
            // A fresh namespace: which back end registered its chains first decides the order.
            let oracle = try KernelOracle(localTracing: .allLocal)
            defer { oracle.shutdown() }
            let network = try DifferentialRunner.network(oracle)
            let testCase = DifferentialCase(name: legacyLoadedFirst ? "legacy loaded first" : "nft loaded first", iptablesSave: Self.nft, ipsetSave: "",
                                            packets: try DifferentialRunner.packets(Self.packets),
                                            legacySave: Self.legacy, legacyLoadedFirst: legacyLoadedFirst)
            var result = try DifferentialRunner.run(testCase, oracle: oracle, network: network)
            if !result.disagreements.isEmpty {
                // A trace line later than the quiet window looks like a disagreement; run again slowly.
                oracle.quietSeconds = 0.3
                result = try DifferentialRunner.run(testCase, oracle: oracle, network: network)
            }
            print("both back ends (\(testCase.name)): \(result.packets) packets, \(result.steps) nf_tables steps, \(result.counters) counters (both back ends) and \(result.conntrackEntries) conntrack entries compared, \(result.disagreements.count) disagreements")
            for disagreement in result.disagreements { Issue.record("\(disagreement)") }
            #expect(result.packets == Self.packets.count)
        }
    }
}
