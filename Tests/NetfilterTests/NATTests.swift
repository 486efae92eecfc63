import Netfilter
import Testing

@Suite struct NATTests {
    static let service = """
    *nat
    :PREROUTING ACCEPT [0:0]
    :INPUT ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    :POSTROUTING ACCEPT [0:0]
    :SVC - [0:0]
    -A PREROUTING -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j SVC
    -A SVC -p tcp -j DNAT --to-destination 10.65.0.3:8080
    -A POSTROUTING -o eth0 -j MASQUERADE
    COMMIT
    *filter
    :INPUT ACCEPT [0:0]
    :FORWARD ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    -A FORWARD -m conntrack --ctstate DNAT -m conntrack --ctorigdst 10.96.0.10/32 -m comment --comment "to the service"
    COMMIT

    """

    @Test func dnatOnlyOnFirstPacketAndRepliesTranslatedBack() throws {
        var sim = try simulator(Self.service)
        let traces = try run(&sim, [
            "in=cali1 tcp 10.65.0.2:1000 > 10.96.0.10:80 flags=S",
            "in=cali2 tcp 10.65.0.3:8080 > 10.65.0.2:1000 flags=S.",
            "in=cali1 tcp 10.65.0.2:1000 > 10.96.0.10:80 flags=.",
        ])
        #expect(steps(traces[0]) == ["nat:PREROUTING #1 jump SVC", "nat:SVC #1 accept", "filter:FORWARD #1 continue", "filter:FORWARD policy accept", "nat:POSTROUTING policy accept"])
        #expect(traces[0].finalPacket.destination == IPv4Address(10, 65, 0, 3))
        #expect(traces[0].finalPacket.destinationPort == 8080)
        // The reply's source is the backend in FORWARD and becomes the VIP only in nat POSTROUTING.
        #expect(steps(traces[1]) == ["filter:FORWARD #1 continue", "filter:FORWARD policy accept"])
        #expect(traces[1].finalPacket.source == IPv4Address(10, 96, 0, 10))
        #expect(traces[1].finalPacket.sourcePort == 80)
        #expect(steps(traces[2]) == ["filter:FORWARD #1 continue", "filter:FORWARD policy accept"])
        #expect(sim.counter(table: .nat, chain: "SVC", rule: 0) == Counter(packets: 1, bytes: 40))
    }

    @Test func masqueradeUsesTheOutputInterfaceAddress() throws {
        var sim = try simulator(Self.service)
        let traces = try run(&sim, [
            "in=cali1 udp 10.65.0.2:5000 > 8.8.8.8:53",
            "in=eth0 udp 8.8.8.8:53 > 192.168.0.10:5000",
        ])
        #expect(traces[0].finalPacket.source == IPv4Address(192, 168, 0, 10))
        #expect(traces[0].fate == .sent(interface: "eth0"))
        // The reply is de-masqueraded in PREROUTING, so it is forwarded, not delivered.
        #expect(traces[1].finalPacket.destination == IPv4Address(10, 65, 0, 2))
        #expect(traces[1].fate == .sent(interface: "cali1"))
        #expect(traces[1].conntrackState == .established.union(.snat))
    }

    @Test func rejectSendsARelatedPacketThroughOutput() throws {
        var sim = try simulator("""
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -p tcp -j REJECT --reject-with tcp-reset
        -A FORWARD -m conntrack --ctstate NEW -j REJECT --reject-with icmp-port-unreachable
        -A OUTPUT -m conntrack --ctstate RELATED -m comment --comment "generated"
        COMMIT

        """)
        let traces = try run(&sim, ["in=cali1 tcp 10.65.0.2:1000 > 10.65.0.3:80 flags=S", "in=cali1 udp 10.65.0.2:1000 > 10.65.0.3:53"])
        let rst = try #require(traces[0].generated.first)
        #expect(rst.input.packet.tcpFlags == [.rst, .ack])
        #expect(rst.input.packet.source == IPv4Address(10, 65, 0, 3))
        #expect(steps(rst) == ["filter:OUTPUT #1 continue", "filter:OUTPUT policy accept"])
        let icmp = try #require(traces[1].generated.first)
        #expect(icmp.input.packet.icmpType == 3 && icmp.input.packet.icmpCode == 3)
        #expect(icmp.input.packet.totalLength == 56)
        #expect(traces[1].steps.last == TraceStep(table: .filter, chain: "FORWARD", rule: 2, verdict: .drop))
        #expect(sim.conntrack.count == 0)
    }

    /// Seen on the kernel (random seed 1194): the node opens a connection that nat OUTPUT
    /// DNATs elsewhere; a packet from the original destination back to the node then has
    /// the first connection's original tuple as its reply tuple. The nat INPUT null binding
    /// moves its source port (get_unique_tuple) instead of letting confirm drop it, and the
    /// entry is SNAT from then on.
    @Test func nullBindingMovesTheSourcePortWhenTheReplyTupleIsTaken() throws {
        var sim = try simulator("""
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        -A OUTPUT -d 10.65.0.2/32 -j DNAT --to-destination 10.65.0.3
        COMMIT
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -m conntrack --ctstate SNAT -m comment --comment "remapped"
        COMMIT

        """)
        let traces = try run(&sim, [
            "local udp 192.168.0.10:21894 > 10.65.0.2:8080",
            "in=cali1 udp 10.65.0.2:8080 > 192.168.0.10:21894",
            "in=cali1 udp 10.65.0.2:8080 > 192.168.0.10:21894",
        ])
        #expect(traces[0].finalPacket.destination == IPv4Address(10, 65, 0, 3))
        #expect(traces[1].fate == .delivered)
        #expect(traces[1].finalPacket.sourcePort == 1024)
        #expect(sim.conntrack.count == 2)
        // The remap happens in nat INPUT, after filter INPUT; the next packet sees SNAT.
        #expect(steps(traces[1]) == ["nat:PREROUTING policy accept", "filter:INPUT policy accept", "nat:INPUT policy accept"])
        #expect(steps(traces[2]) == ["filter:INPUT #1 continue", "filter:INPUT policy accept"])
        #expect(traces[2].finalPacket.sourcePort == 1024)
    }

    /// Seen on the kernel (random seed 1133): REJECT in OUTPUT answers a packet the node
    /// itself generated (its stack's RST), and that answer is traced as well.
    @Test func rejectAnswersAPacketTheNodeGenerated() throws {
        var sim = try simulator("""
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT DROP [0:0]
        -A OUTPUT -p tcp -j REJECT --reject-with icmp-admin-prohibited
        COMMIT

        """, sysctls: Sysctls())
        sim.options.closedPorts = true
        let traces = try run(&sim, ["in=cali1 tcp 10.65.0.2:53 > 192.168.0.10:26113 flags=S."])
        let all = traces[0].withGenerated
        #expect(all.count == 3)
        #expect(all[1].input.packet.tcpFlags == .rst)
        #expect(all[2].input.packet.icmpType == 3 && all[2].input.packet.icmpCode == 13)
        #expect(all[2].input.packet.destination == IPv4Address(192, 168, 0, 10))
        #expect(steps(all[2]) == ["filter:OUTPUT policy drop"])
    }
}
