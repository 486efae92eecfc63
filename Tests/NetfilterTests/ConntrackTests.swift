import Netfilter
import Testing

/// Conntrack outcomes observed on the kernel (semantics notes §4.4–4.6).
@Suite struct ConntrackTests {
    static let tracking = """
    *filter
    :INPUT ACCEPT [0:0]
    :FORWARD ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    -A FORWARD -m conntrack --ctstate INVALID -m comment --comment invalid
    COMMIT

    """

    func states(_ specs: [String]) throws -> [String] {
        var sim = try simulator(Self.tracking)
        return try run(&sim, specs).map { $0.conntrackState.map(describe) ?? "-" }
    }

    func describe(_ states: ConntrackStates) -> String {
        ConntrackStates.names.filter { states.contains($0.1) }.map(\.0).joined(separator: ",")
    }

    let c = "in=cali1 tcp 10.65.0.2:1000 > 10.65.0.3:80"
    let s = "in=cali2 tcp 10.65.0.3:80 > 10.65.0.2:1000"

    @Test func handshake() throws {
        var sim = try simulator(Self.tracking)
        let traces = try run(&sim, ["\(c) flags=S", "\(s) flags=S.", "\(c) flags=."])
        #expect(traces.map { $0.conntrackState.map(describe) } == ["NEW", "ESTABLISHED", "ESTABLISHED"])
        let entry = try #require(traces[2].conntrackEntry)
        #expect(entry.tcpState == .established)
        #expect(entry.status.contains(.assured))
    }

    @Test func retransmittedSynIsStillNew() throws {
        #expect(try states(["\(c) flags=S", "\(c) flags=S"]) == ["NEW", "NEW"])
    }

    @Test func ackBeforeAnyReplyIsInvalid() throws {
        #expect(try states(["\(c) flags=S", "\(c) flags=."]) == ["NEW", "INVALID"])
    }

    @Test func resetBeforeReplyRemovesTheEntry() throws {
        #expect(try states(["\(c) flags=S", "\(s) flags=R.", "\(c) flags=S"]) == ["NEW", "ESTABLISHED", "NEW"])
    }

    @Test func simultaneousOpen() throws {
        #expect(try states(["\(c) flags=S", "\(s) flags=S"]) == ["NEW", "ESTABLISHED"])
    }

    @Test func loneAckIsPickedUpWithTcpLoose() throws {
        #expect(try states(["\(c) flags=.", "\(s) flags=.", "\(c) flags=."]) == ["NEW", "ESTABLISHED", "ESTABLISHED"])
        var strict = Sysctls()
        strict.tcpLoose = false
        var sim = try simulator(Self.tracking, sysctls: strict)
        #expect(try run(&sim, ["\(c) flags=."]).map { $0.conntrackState.map(describe) } == ["INVALID"])
    }

    @Test func synAfterCloseReopens() throws {
        #expect(try states(["\(c) flags=S", "\(s) flags=S.", "\(c) flags=.", "\(c) flags=R", "\(c) flags=S"])
            == ["NEW", "ESTABLISHED", "ESTABLISHED", "ESTABLISHED", "NEW"])
    }

    @Test func invalidFlagCombinations() throws {
        #expect(try states(["\(c) flags=SF", "\(c) flags=F", "\(c) flags=SR"]) == ["INVALID", "INVALID", "INVALID"])
    }

    @Test func udpAndIcmpPairing() throws {
        #expect(try states([
            "in=cali1 udp 10.65.0.2:3333 > 10.65.0.3:53", "in=cali2 udp 10.65.0.3:53 > 10.65.0.2:3333",
            "in=cali1 icmp 10.65.0.2 > 10.65.0.3 type=8 id=7 seq=1", "in=cali1 icmp 10.65.0.2 > 10.65.0.3 type=8 id=7 seq=2",
            "in=cali2 icmp 10.65.0.3 > 10.65.0.2 type=0 id=7 seq=1", "in=cali2 icmp 10.65.0.3 > 10.65.0.2 type=0 id=9 seq=1",
        ]) == ["NEW", "ESTABLISHED", "NEW", "NEW", "ESTABLISHED", "INVALID"])
    }

    @Test func icmpErrorQuotingAKnownConnectionIsRelated() throws {
        #expect(try states([
            "in=cali1 udp 10.65.0.2:3333 > 10.65.0.3:53",
            "in=cali2 icmp 10.65.0.3 > 10.65.0.2 type=3 code=3 quote=udp,10.65.0.2:3333,10.65.0.3:53",
            "in=cali2 icmp 10.65.0.3 > 10.65.0.2 type=3 code=3 quote=udp,10.65.0.2:4444,10.65.0.3:53",
        ]) == ["NEW", "RELATED", "INVALID"])
    }

    @Test func firstPacketDroppedLeavesNoEntry() throws {
        var sim = try simulator("""
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -m conntrack --ctstate NEW -m statistic --mode nth --every 2 --packet 0 -j DROP
        COMMIT

        """)
        let traces = try run(&sim, ["\(c) flags=S", "\(c) flags=S", "\(c) flags=S"])
        #expect(traces.map(\.verdict) == [.drop, .accept, .drop])
        #expect(sim.conntrack.count == 1)
    }

    @Test func rawTableSeesInvalidAndNotrackMakesUntracked() throws {
        var sim = try simulator("""
        *raw
        :PREROUTING ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A PREROUTING -m conntrack --ctstate INVALID -m comment --comment "no ct yet"
        -A PREROUTING -p udp -j CT --notrack
        COMMIT
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -m conntrack --ctstate UNTRACKED -j ACCEPT
        COMMIT

        """)
        let traces = try run(&sim, ["in=cali1 udp 10.65.0.2:3333 > 10.65.0.3:53"])
        #expect(steps(traces[0]) == ["raw:PREROUTING #1 continue", "raw:PREROUTING #2 continue", "raw:PREROUTING policy accept", "filter:FORWARD #1 accept"])
        #expect(sim.conntrack.count == 0)
    }

    /// Timeouts follow the packets' timestamps: an entry refreshed by traffic outlives its
    /// first timeout, one whose state shortened it (a FIN exchange) goes sooner.
    @Test func entriesExpireOnTheirCurrentTimeout() throws {
        let u = "in=cali1 udp 10.65.0.2:5000 > 10.65.0.3:53"
        let r = "in=cali2 udp 10.65.0.3:53 > 10.65.0.2:5000"
        // UDP: 30 s unreplied, 180 s once a reply was seen (seenReplyBefore on the third packet).
        #expect(try states(["\(u) t=0", "\(r) t=1", "\(u) t=20", "\(u) t=100"]) == ["NEW", "ESTABLISHED", "ESTABLISHED", "ESTABLISHED"])
        #expect(try states(["\(u) t=0", "\(u) t=31"]) == ["NEW", "NEW"])
        var sim = try simulator(Self.tracking)
        _ = try run(&sim, ["\(c) flags=S t=0", "\(s) flags=S. t=0.1", "\(c) flags=. t=0.2", "\(c) flags=F. t=1", "\(s) flags=F. t=1.1", "\(c) flags=. t=1.2"])
        #expect(sim.conntrack.count == 1)
        // TIME_WAIT is 120 s from the last ACK (t=1.2): still there at t=121, gone at t=122,
        // although the handshake had set 5 days.
        _ = try run(&sim, ["in=cali1 udp 10.65.0.2:7000 > 10.65.0.3:53 t=121"])
        #expect(sim.conntrack.count == 2)
        _ = try run(&sim, ["in=cali1 udp 10.65.0.2:7000 > 10.65.0.3:53 t=122"])
        #expect(sim.conntrack.count == 1)
    }
}
