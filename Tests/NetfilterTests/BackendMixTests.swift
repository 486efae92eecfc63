import IptablesSave
import Netfilter
import Testing

/// Both back ends at once, as the kernel runs them (checked in BackendMixKernelTests).
@Suite struct BackendMixTests {
    static let nft = """
    *nat
    :PREROUTING ACCEPT [0:0]
    :INPUT ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    :POSTROUTING ACCEPT [0:0]
    -A PREROUTING -d 10.96.0.30/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.65.0.3:8080
    COMMIT
    *filter
    :INPUT ACCEPT [0:0]
    :FORWARD ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    -A FORWARD -p tcp -m tcp --dport 23 -j ACCEPT
    -A FORWARD -p tcp -m tcp --dport 22 -m comment --comment "nft sees ssh"
    COMMIT

    """
    static let legacy = """
    *nat
    :PREROUTING ACCEPT [0:0]
    :INPUT ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    :POSTROUTING ACCEPT [0:0]
    -A PREROUTING -d 10.96.0.30/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.65.0.2:8080
    COMMIT
    *filter
    :INPUT ACCEPT [0:0]
    :FORWARD ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    -A FORWARD -p tcp -m tcp --dport 22 -j DROP
    -A FORWARD -p tcp -m tcp --dport 23 -j DROP
    COMMIT

    """

    func simulator(legacyFirst: Bool) throws -> Simulator {
        Simulator(ruleset: try IptablesSaveParser.parse(Self.nft, file: "iptables-save.txt"),
                  legacyRuleset: try IptablesSaveParser.parse(Self.legacy, file: "iptables-legacy-save.txt"),
                  network: testNetwork, options: SimulatorOptions(legacyRunsFirst: legacyFirst))
    }

    @Test func theFirstNatChainToMapWinsAndTheOtherIsNotConsulted() throws {
        for legacyFirst in [true, false] {
            var sim = try simulator(legacyFirst: legacyFirst)
            let trace = try run(&sim, ["in=eth0 tcp 192.168.0.50:1000 > 10.96.0.30:80 flags=S"])[0]
            #expect(trace.finalPacket.destination == (legacyFirst ? IPv4Address(10, 65, 0, 2) : IPv4Address(10, 65, 0, 3)))
            #expect(sim.counter(table: .nat, chain: "PREROUTING", rule: 0, backend: .legacy)?.packets == (legacyFirst ? 1 : 0))
            #expect(sim.counter(table: .nat, chain: "PREROUTING", rule: 0)?.packets == (legacyFirst ? 0 : 1))
            #expect(trace.steps.first?.backend == (legacyFirst ? .legacy : .nftables))
        }
    }

    @Test func aDropInEitherEndsThePacketAnAcceptOnlyItsOwnChain() throws {
        for legacyFirst in [true, false] {
            var sim = try simulator(legacyFirst: legacyFirst)
            let traces = try run(&sim, ["in=cali1 tcp 10.65.0.2:1000 > 10.65.0.3:22 flags=S", "in=cali1 tcp 10.65.0.2:1001 > 10.65.0.3:23 flags=S"])
            #expect(!traces[0].fate.isAccepted && !traces[1].fate.isAccepted)
            // The nft chain sees ssh only when it runs before the legacy DROP.
            #expect(sim.counter(table: .filter, chain: "FORWARD", rule: 1)?.packets == (legacyFirst ? 0 : 1))
            // Port 23: nft's ACCEPT does not spare it the legacy DROP that runs after.
            #expect(sim.counter(table: .filter, chain: "FORWARD", rule: 1, backend: .legacy)?.packets == 1)
            #expect(traces[1].steps.map(\.description).last == "legacy filter:FORWARD #2 drop")
        }
    }
}
