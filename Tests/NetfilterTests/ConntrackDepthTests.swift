import Netfilter
import PacketSpec
import Testing

/// Conntrack and NAT beyond the first packet: endpoint branches, a full table, timeouts
/// from sysctls, SNAT address choice and its reuse for the same source.
@Suite struct ConntrackDepthTests {
    static let threeEndpoints = """
    *nat
    :PREROUTING ACCEPT [0:0]
    :INPUT ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    :POSTROUTING ACCEPT [0:0]
    :SVC - [0:0]
    -A PREROUTING -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j SVC
    -A SVC -p tcp -m statistic --mode random --probability 0.33333333349 -j DNAT --to-destination 10.65.0.2:8080
    -A SVC -p tcp -m statistic --mode random --probability 0.50000000000 -j DNAT --to-destination 10.65.0.3:8080
    -A SVC -p tcp -j DNAT --to-destination 10.65.0.4:8080
    COMMIT

    """

    @Test func everyEndpointIsABranchWithItsProbability() throws {
        var sim = try simulator(Self.threeEndpoints)
        let spec = "in=eth0 tcp 192.168.0.50:1000 > 10.96.0.10:80 flags=S"
        var sequencer = TCPSequencer()
        let parsed = try PacketSpec.parse(spec)
        let branches = sim.allBranches(parsed.input(sequencer.complete(parsed), timestamp: 0))
        #expect(branches.count == 3)
        let destinations = branches.map { $0.trace.finalPacket.destination.description }
        #expect(Set(destinations) == ["10.65.0.2", "10.65.0.3", "10.65.0.4"])
        for branch in branches { #expect(abs(branch.probability - 1.0 / 3.0) < 1e-6) }
        #expect(abs(branches.map(\.probability).reduce(0, +) - 1) < 1e-9)
        // Exploring leaves the state alone: the table is still empty, the counters zero.
        #expect(sim.conntrack.count == 0)
        #expect(sim.counter(table: .nat, chain: "SVC", rule: 0)?.packets == 0)
        _ = try run(&sim, [spec])
        #expect(sim.conntrack.count == 1)
    }

    static let tracked = """
    *filter
    :INPUT ACCEPT [0:0]
    :FORWARD ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    -A FORWARD -m conntrack --ctstate NEW -m comment --comment new
    COMMIT

    """

    @Test func aFullTableDropsNewConnectionsUnlessEarlyDropFindsAnUnassuredEntry() throws {
        var sysctls = Sysctls()
        sysctls.conntrackMax = 2
        var sim = try simulator(Self.tracked, sysctls: sysctls)
        // With a single bucket every entry is near the new one: the oldest unassured goes.
        sysctls.conntrackBuckets = 1
        var evicting = try simulator(Self.tracked, sysctls: sysctls)
        let specs = ["in=cali1 udp 10.65.0.2:1000 > 10.65.0.3:53", "in=cali1 udp 10.65.0.2:1001 > 10.65.0.3:53", "in=cali1 udp 10.65.0.2:1002 > 10.65.0.3:53"]
        let traces = try run(&sim, specs)
        // 262,144 buckets: the eight next to the new tuple's almost never hold one of two entries.
        #expect(traces[2].fate == .droppedInRouting(.conntrackTableFull))
        #expect(sim.conntrack.count == 2)
        let evicted = try run(&evicting, specs)
        #expect(evicted[2].fate != .droppedInRouting(.conntrackTableFull))
        #expect(evicted[2].notes.contains { $0.contains("early drop freed") && $0.contains("sport=1000") })
        #expect(evicting.conntrack.sortedEntries.map(\.original.sourcePort) == [1001, 1002])
    }

    @Test func timeoutsComeFromTheSysctls() throws {
        var sysctls = Sysctls()
        sysctls.timeouts.udp = 5
        sysctls.timeouts.tcp[TCPConntrackState.synSent.rawValue] = 7
        var sim = try simulator(Self.tracked, sysctls: sysctls)
        _ = try run(&sim, ["in=cali1 udp 10.65.0.2:1000 > 10.65.0.3:53 t=0", "in=cali1 tcp 10.65.0.2:1000 > 10.65.0.3:80 flags=S t=0"])
        #expect(sim.conntrackListing().map { $0.split(separator: " ", omittingEmptySubsequences: true)[2] } == ["5", "7"])
        sim.advanceClock(by: 6)
        #expect(sim.conntrack.sortedEntries.map(\.proto) == [6])
        sim.advanceClock(by: 2)
        #expect(sim.conntrack.count == 0)
    }

    @Test func aResetSentByRejectClosesTheConnection() throws {
        var sim = try simulator("""
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -m conntrack --ctstate ESTABLISHED -p tcp -m tcp --dport 80 -m length --length 100:65535 -j REJECT --reject-with tcp-reset
        COMMIT

        """)
        _ = try run(&sim, ["in=cali1 tcp 10.65.0.2:1000 > 10.65.0.3:80 flags=S", "in=cali2 tcp 10.65.0.3:80 > 10.65.0.2:1000 flags=S.",
                           "in=cali1 tcp 10.65.0.2:1000 > 10.65.0.3:80 flags=."])
        #expect(sim.conntrack.sortedEntries.first?.tcpState == .established)
        _ = try run(&sim, ["in=cali1 tcp 10.65.0.2:1000 > 10.65.0.3:80 flags=P. payload=100"])
        // nf_ct_set_closing: CLOSE, with CLOSE's ten seconds (checked on the kernel).
        let entry = try #require(sim.conntrack.sortedEntries.first)
        #expect(entry.tcpState == .close)
        #expect(abs(entry.expires - sim.clock - 10) < 0.01)
    }

    static let snatRange = """
    *nat
    :PREROUTING ACCEPT [0:0]
    :INPUT ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    :POSTROUTING ACCEPT [0:0]
    -A POSTROUTING -s 10.65.0.2/32 -o eth0 -p tcp -j SNAT --to-source 192.168.0.20-192.168.0.29
    -A OUTPUT -j REDIRECT
    -A POSTROUTING -o lo -j MASQUERADE
    COMMIT

    """

    @Test func snatSpreadsByTheKernelsHashAndKeepsTheMappingOfASource() throws {
        var sim = try simulator(Self.snatRange)
        let traces = try run(&sim, [
            "in=cali1 tcp 10.65.0.2:1300 > 8.8.8.8:443 flags=S", "in=cali1 tcp 10.65.0.2:1300 > 1.1.1.1:443 flags=S",
            "in=cali1 tcp 10.65.0.2:1301 > 1.1.1.1:443 flags=S",
        ])
        let sources = traces.map { $0.finalPacket.source.description }
        // jhash2 of 10.65.0.2 keyed by the destination, scaled to ten addresses (checked on the kernel).
        #expect(sources[0] == sources[1], "the second connection from 10.65.0.2:1300 keeps the first one's mapping")
        #expect(sources.allSatisfy { $0.hasPrefix("192.168.0.2") })
    }

    @Test func masqueradeOnLoopbackTakesAGlobalAddress() throws {
        var sim = try simulator(Self.snatRange)
        let trace = try run(&sim, ["local udp 192.168.0.10:5000 > 203.0.113.7:22"])[0]
        #expect(trace.conntrackEntry?.reply.destination == IPv4Address(192, 168, 0, 10))
        #expect(trace.conntrackEntry?.reply.source == IPv4Address(127, 0, 0, 1))
    }
}
