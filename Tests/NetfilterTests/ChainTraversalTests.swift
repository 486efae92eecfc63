import Netfilter
import Testing

@Suite struct ChainTraversalTests {
    /// The goto/return example observed on the kernel (semantics notes §2.3).
    @Test func gotoReturnsPastTheChainLeftByGoto() throws {
        var sim = try simulator(fixture("rules/goto-return.rules"))
        let traces = try run(&sim, [
            "in=cali1 icmp 10.65.0.2 > 10.65.0.3 type=8 id=1 seq=1",
            "in=cali1 udp 10.65.0.2:1000 > 10.65.0.3:53 payload=10",
        ])
        #expect(steps(traces[0]) == [
            "filter:FORWARD #1 jump c1", "filter:c1 #1 goto c2", "filter:c2 #1 jump c3", "filter:c3 #1 continue",
            "filter:c2 #2 return", "filter:FORWARD #2 continue", "filter:FORWARD #3 return", "filter:FORWARD policy accept",
        ])
        #expect(traces[0].fate == .sent(interface: "cali2"))
        #expect(steps(traces[1]) == ["filter:FORWARD #4 drop"])
        #expect(sim.counter(table: .filter, chain: "FORWARD", rule: 0) == Counter(packets: 1, bytes: 84))
        #expect(sim.counter(table: .filter, chain: "c1", rule: 1) == Counter(packets: 0, bytes: 0))
        #expect(sim.counter(table: .filter, chain: "FORWARD", rule: 3) == Counter(packets: 1, bytes: 38))
        #expect(sim.policyCounter(table: .filter, chain: "FORWARD") == Counter(packets: 1, bytes: 84))
    }

    @Test func markSetInRawIsSeenInFilterAndPolicyCountsOnlyPolicyDecisions() throws {
        var sim = try simulator("""
        *raw
        :PREROUTING ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A PREROUTING -i cali+ -j MARK --set-xmark 0x4000/0x4000
        COMMIT
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -m mark --mark 0x4000/0x4000 -j ACCEPT
        COMMIT

        """)
        let traces = try run(&sim, [
            "in=cali1 tcp 10.65.0.2:1000 > 10.65.0.3:80 flags=S",
            "in=eth0 tcp 192.168.0.50:1000 > 10.65.0.3:80 flags=S",
        ])
        #expect(steps(traces[0]) == ["raw:PREROUTING #1 continue", "raw:PREROUTING policy accept", "filter:FORWARD #1 accept"])
        #expect(steps(traces[1]) == ["raw:PREROUTING policy accept", "filter:FORWARD policy drop"])
        #expect(sim.policyCounter(table: .filter, chain: "FORWARD") == Counter(packets: 1, bytes: 40))
        #expect(sim.policyCounter(table: .raw, chain: "PREROUTING") == Counter(packets: 2, bytes: 80))
    }

    @Test func outputInterfaceOfUserChainReachedFromInputIsEmpty() throws {
        var sim = try simulator("""
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :u - [0:0]
        -A INPUT -j u
        -A u -o eth0 -j DROP
        -A u ! -o eth0 -m comment --comment "no out device here"
        COMMIT

        """)
        let traces = try run(&sim, ["in=eth0 icmp 192.168.0.50 > 192.168.0.10 type=8 id=1 seq=1"])
        #expect(steps(traces[0]) == ["filter:INPUT #1 jump u", "filter:u #2 continue", "filter:INPUT policy accept"])
        #expect(traces[0].fate == .delivered)
    }

    @Test func nthStatisticMatchesFirstAndFourth() throws {
        var sim = try simulator("""
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -m statistic --mode nth --every 3 --packet 0 -j DROP
        COMMIT

        """)
        let traces = try run(&sim, (1...6).map { "in=cali1 udp 10.65.0.2:\(1000 + $0) > 10.65.0.3:53" })
        #expect(traces.map { $0.verdict } == [.drop, .accept, .accept, .drop, .accept, .accept])
    }

    @Test func noRouteIsReported() throws {
        var sim = Simulator(ruleset: Ruleset(), network: NodeNetwork(interfaces: testNetwork.interfaces, routes: []))
        let trace = sim.process(PacketInput(packet: Packet(source: IPv4Address(10, 65, 0, 2), destination: IPv4Address(8, 8, 8, 8), proto: 17, totalLength: 28), ingress: .interface("cali1")))
        #expect(trace.fate == .droppedInRouting(.noRoute))
    }
}
