import IptablesSave
import Netfilter
import NodeSnapshot
import PacketSpec
import Testing

/// `conntrack.txt`: the node's live connections as `conntrack -L` prints them.
@Suite struct ConntrackListFileTests {
    // Lines as conntrack-tools 1.4.7 printed them on this kernel (the NAT'd one from the
    // kube-proxy kernel test, the ICMP one from a ping through the node).
    static let listing = """
    tcp      6 431999 ESTABLISHED src=10.65.0.2 dst=10.96.0.10 sport=41000 dport=80 src=10.65.0.3 dst=10.65.0.2 sport=8080 dport=41000 [ASSURED] mark=0 use=1
    udp      17 29 src=10.65.0.2 dst=8.8.8.8 sport=5000 dport=53 [UNREPLIED] src=8.8.8.8 dst=192.168.0.10 sport=53 dport=5000 mark=4 use=1
    icmp     1 29 src=10.65.0.2 dst=10.65.0.3 type=8 code=0 id=7 src=10.65.0.3 dst=10.65.0.2 type=0 code=0 id=7 mark=0 use=1
    ipv4     2 unknown  47 599 src=10.65.0.2 dst=10.65.0.3 src=10.65.0.3 dst=10.65.0.2 mark=0 zone=0 use=1
    conntrack v1.4.7 (conntrack-tools): 4 flow entries have been shown.

    """

    @Test func everyFieldIsRead() throws {
        let entries = try ConntrackListFile.parse(Self.listing, file: "conntrack.txt")
        #expect(entries.count == 4)
        #expect(entries[0].tcpState == .established && entries[0].status.contains(.assured) && entries[0].nat.contains(.destinationNAT))
        #expect(!entries[0].nat.contains(.sourceNAT))
        #expect(entries[1].nat.contains(.sourceNAT) && !entries[1].status.contains(.seenReply) && entries[1].mark == 4)
        #expect(entries[2].original.icmpType == 8 && entries[2].reply.icmpType == 0 && entries[2].original.sourcePort == 7)
        #expect(entries[3].proto == 47 && entries[3].expires == 599)
        // Printed back as conntrack -L prints them (seconds left counted from time 0).
        #expect(entries.prefix(3).map { $0.conntrackLine(now: 0) } == Self.listing.split(separator: "\n").prefix(3).map(String.init))
    }

    @Test func errorsNameTheLineAndWhatWasExpected() {
        let cases: [(String, String)] = [
            ("tcp      6 100 WHATEVER src=1.1.1.1 dst=2.2.2.2 sport=1 dport=2 src=2.2.2.2 dst=1.1.1.1 sport=2 dport=1", "expected a TCP state"),
            ("udp      17 29 src=1.1.1.1 dst=2.2.2.2 sport=1 dport=2", "expected an original and a reply tuple"),
            ("udp      17 29 src=1.1.1.1 dst=2.2.2.2 sport=x dport=2 src=2.2.2.2 dst=1.1.1.1 sport=2 dport=1", "expected a number for sport="),
            ("udp      17 29 src=1.1.1.1 dst=2.2.2.2 sport=1 dport=2 src=2.2.2.2 dst=1.1.1.1 sport=2 dport=1 zone=3", "zones are not modelled"),
            ("udp      17 29 src=1.1.1 dst=2.2.2.2 sport=1 dport=2 src=2.2.2.2 dst=1.1.1.1 sport=2 dport=1", "expected an IPv4 address for src="),
            ("ipv6     10 udp      17 29 src=::1 dst=::1 sport=1 dport=2 src=::1 dst=::1 sport=2 dport=1", "IPv6 connections are not modelled"),
            ("udp      17 29 src=1.1.1.1 dst=2.2.2.2 sport=1 dport=2 src=2.2.2.2 dst=1.1.1.1 sport=2 dport=1 [DYING]", "unknown flag [DYING]"),
        ]
        for (line, expected) in cases {
            do {
                _ = try ConntrackListFile.parse("\n" + line, file: "snap/conntrack.txt")
                Issue.record("no error for \(line)")
            } catch {
                #expect("\(error)".hasPrefix("snap/conntrack.txt:2: "), "\(error)")
                #expect("\(error)".contains(expected), "\(error)")
            }
        }
    }

    /// A connection the node had before the snapshot: its next packets are ESTABLISHED and
    /// the reply of a DNAT'd one is translated back, although pathsim never saw it start.
    @Test func loadedConnectionsCarryOn() throws {
        let rules = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT
        -A FORWARD -j DROP
        COMMIT

        """
        let ruleset = try IptablesSaveParser.parse(rules, file: "test.rules")
        let network = NodeNetwork(interfaces: [NetworkInterface(name: "cali1", index: 3), NetworkInterface(name: "cali2", index: 4)],
                                  routes: [Route(destination: IPv4Network("10.65.0.2/32")!, device: "cali1"), Route(destination: IPv4Network("10.65.0.3/32")!, device: "cali2")])
        var sim = Simulator(ruleset: ruleset, network: network, conntrack: try ConntrackListFile.parse(Self.listing, file: "conntrack.txt"))
        var sequencer = TCPSequencer()
        let specs = ["in=cali1 tcp 10.65.0.2:41000 > 10.96.0.10:80 flags=P. payload=10 t=1700000000", "in=cali2 tcp 10.65.0.3:8080 > 10.65.0.2:41000 flags=. t=1700000001",
                     "in=cali1 tcp 10.65.0.2:41001 > 10.65.0.3:80 flags=S t=1700000002"]
        let traces = try specs.map { text in
            let spec = try PacketSpec.parse(text)
            return sim.process(spec.input(sequencer.complete(spec), timestamp: spec.timestamp ?? 0))
        }
        #expect(traces[0].fate.isAccepted)
        #expect(traces[1].finalPacket.source == IPv4Address(10, 96, 0, 10))
        #expect(!traces[2].fate.isAccepted)
        // The loaded timeouts count from the first packet, not from the epoch.
        #expect(sim.conntrackListing().first?.hasPrefix("tcp      6 431999 ESTABLISHED") == true)
    }
}
