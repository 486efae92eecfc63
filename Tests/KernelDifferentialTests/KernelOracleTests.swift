import KernelOracle
import Netfilter
import PacketWire
import Testing

/// Tests of the oracle itself against the real kernel.
@Suite("Kernel oracle", .serialized, OracleSupport.requiresKernel)
struct KernelOracleTests {
    static let pod2 = IPv4Address(10, 65, 0, 2)
    static let pod3 = IPv4Address(10, 65, 0, 3)
    static let remote = IPv4Address(8, 8, 8, 8)

    static let basicRules = """
        *raw
        :PREROUTING ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A PREROUTING -i cali+ -j MARK --set-xmark 0x4/0x4
        COMMIT
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        :c1 - [0:0]
        :c2 - [0:0]
        -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A FORWARD -p icmp -j c1
        -A FORWARD -p tcp -m tcp --dport 81 -j REJECT --reject-with tcp-reset
        -A FORWARD -p udp -j REJECT --reject-with icmp-port-unreachable
        -A FORWARD -p tcp -m tcp --dport 80 -j ACCEPT
        -A c1 -g c2
        -A c1 -m comment --comment never
        -A c2 -m mark --mark 0x4/0x4
        -A c2 -j RETURN
        -A OUTPUT -p tcp -m tcp --dport 99 -j DROP
        COMMIT

        """

    @Test func topologySnapshotHasTheNodeInterfaces() throws {
        try OracleSupport.exclusive {
            let oracle = try KernelOracle()
            defer { oracle.shutdown() }
            for name in KernelOracle.nodeInterfaces {
                #expect(oracle.snapshot.links.contains("\"ifname\":\"\(name)\""))
            }
            #expect(oracle.snapshot.addresses.contains("192.168.0.10"))
            #expect(oracle.snapshot.routes.contains("\"dst\":\"10.65.0.3\""))
            #expect(oracle.snapshot.routes.contains("\"table\":\"local\""))
            #expect(!oracle.snapshot.addresses.contains("inet6"))
        }
    }

    @Test func forwardedPacketsGotoReturnRejectAndConntrack() throws {
        try OracleSupport.exclusive {
            let oracle = try KernelOracle()
            defer { oracle.shutdown() }
            try oracle.load(iptablesSave: Self.basicRules, ipsetSave: nil)

            // ICMP echo: FORWARD#2 jump c1 → c1#1 goto c2 → c2#1 continue → c2#2 return → FORWARD policy drop.
            let echo = try oracle.send(.icmpEcho(Self.pod2, Self.pod3, echoID: 7, id: 11), from: .interface("cali1f79f9e08f2"))
            #expect(echo.steps == [
                TraceStep(table: .raw, chain: "PREROUTING", rule: 1, verdict: .continue),
                TraceStep(table: .raw, chain: "PREROUTING", rule: nil, verdict: .accept),
                TraceStep(table: .filter, chain: "FORWARD", rule: 2, verdict: .jump, target: "c1"),
                TraceStep(table: .filter, chain: "c1", rule: 1, verdict: .goto, target: "c2"),
                TraceStep(table: .filter, chain: "c2", rule: 1, verdict: .continue),
                TraceStep(table: .filter, chain: "c2", rule: 2, verdict: .return),
                TraceStep(table: .filter, chain: "FORWARD", rule: nil, verdict: .drop),
            ], "\(echo.rawLines.joined(separator: "\n"))")
            #expect(echo.others.isEmpty)

            // TCP to port 81: REJECT with RST; the RST is a separate pass on the OUTPUT path.
            let syn = try oracle.send(.tcp(Self.pod2, 1000, Self.pod3, 81, flags: .syn, id: 12), from: .interface("cali1f79f9e08f2"))
            #expect(syn.steps.last == TraceStep(table: .filter, chain: "FORWARD", rule: 3, verdict: .drop))
            #expect(syn.others.count == 1, "\(syn.rawLines.joined(separator: "\n"))")
            if let rst = syn.others.first {
                #expect(rst.entry == "out")
                #expect(rst.headers.contains("ip saddr 10.65.0.3 ip daddr 10.65.0.2"))
                #expect(rst.steps == [
                    TraceStep(table: .raw, chain: "OUTPUT", rule: nil, verdict: .accept),
                    TraceStep(table: .filter, chain: "OUTPUT", rule: nil, verdict: .accept),
                ])
            }

            // TCP to 80 accepted; the SYN-ACK reply is ESTABLISHED.
            let syn80 = try oracle.send(.tcp(Self.pod2, 1001, Self.pod3, 80, flags: .syn, sequence: 5000, id: 13), from: .interface("cali1f79f9e08f2"))
            #expect(syn80.steps.last == TraceStep(table: .filter, chain: "FORWARD", rule: 5, verdict: .accept))
            let synAck = try oracle.send(.tcp(Self.pod3, 80, Self.pod2, 1001, flags: [.syn, .ack], sequence: 9000, acknowledgement: 5001, id: 14), from: .interface("cali96bc57f337a"))
            #expect(synAck.steps.last == TraceStep(table: .filter, chain: "FORWARD", rule: 1, verdict: .accept))
            let entries = try oracle.conntrackList()
            #expect(entries.contains("SYN_RECV src=10.65.0.2 dst=10.65.0.3 sport=1001 dport=80"), "\(entries)")

            // Counters are readable and reflect the packets.
            let counters = try oracle.counters()
            #expect(counters.contains("-A FORWARD -p tcp -m tcp --dport 81 -j REJECT --reject-with tcp-reset"))
            #expect(counters.contains("[1:40] -A FORWARD -p tcp -m tcp --dport 81"), "\(counters)")
        }
    }

    @Test func localPacketsLoopbackAndOutputDrop() throws {
        try OracleSupport.exclusive {
            let oracle = try KernelOracle()
            defer { oracle.shutdown() }
            try oracle.load(iptablesSave: Self.basicRules, ipsetSave: nil)
            // An ICMP echo to the node itself: OUTPUT side, then re-entry on lo (another pass).
            var echo = Packet.icmpEcho(KernelOracle.nodeAddress, KernelOracle.nodeAddress, echoID: 3, id: 21)
            echo.mark = 0x10
            let result = try oracle.send(echo, from: .local)
            #expect(result.original?.entry == "out")
            #expect(result.steps == [
                TraceStep(table: .raw, chain: "OUTPUT", rule: nil, verdict: .accept),
                TraceStep(table: .filter, chain: "OUTPUT", rule: nil, verdict: .accept),
            ], "\(result.rawLines.joined(separator: "\n"))")
            #expect(result.others.count == 1)
            #expect(result.others.first?.inputInterface == "lo")
            #expect(result.rawLines.contains { $0.contains("meta mark 0x00000010") })

            // Dropped in OUTPUT: sendto fails with EPERM, the trace still shows the drop.
            let dropped = try oracle.send(.tcp(KernelOracle.nodeAddress, 2000, Self.pod3, 99, flags: .syn, id: 22), from: .local)
            #expect(dropped.steps.last == TraceStep(table: .filter, chain: "OUTPUT", rule: 1, verdict: .drop))
            #expect(dropped.sendError != nil)
        }
    }

    @Test func loadErrorsCarryStderr() throws {
        try OracleSupport.exclusive {
            let oracle = try KernelOracle()
            defer { oracle.shutdown() }
            #expect(throws: KernelOracleError.self) {
                try oracle.load(iptablesSave: "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j NOSUCHCHAIN\nCOMMIT\n", ipsetSave: nil)
            }
        }
    }
}
