import Foundation
import Netfilter
import NodeSnapshot
import PcapIO
import Replay
import Testing

/// Every capture fixture through the seed's node: the three SYNs and the ping end at the
/// web pod's "Drop if no policies passed packet", whatever the link type, as `pathsim
/// trace` shows.
@Suite struct FixtureReplayTests {
    func replayFixture(_ name: String, interface: String?) throws -> CaptureReplayer {
        let snapshot = try NodeSnapshot.load(directory: seedSnapshot)
        let simulator = Simulator(ruleset: snapshot.ruleset, ipsets: snapshot.ipsets, network: snapshot.network, sysctls: snapshot.sysctls)
        let reader = try PcapReader(path: pcapFixtures.appendingPathComponent(name).path)
        var replayer = try CaptureReplayer(simulator: simulator, linkType: reader.linkType, interface: interface)
        while let frame = try reader.next() { _ = replayer.replay(frame) }
        _ = replayer.finish()
        return replayer
    }

    @Test(arguments: [
        ("ethernet.pcap", "cali1f79f9e08f2"), ("ethernet-vlan.pcap", "cali1f79f9e08f2"), ("sll.pcap", "cali1f79f9e08f2"),
        ("sll2.pcap", nil), ("sll2-nanosecond.pcap", nil), ("raw.pcap", "cali1f79f9e08f2"), ("null.pcap", "cali1f79f9e08f2"),
        ("loop.pcap", "cali1f79f9e08f2"), ("ethernet.pcapng", "cali1f79f9e08f2"), ("snaplen.pcap", "cali1f79f9e08f2"),
    ] as [(String, String?)])
    func everyLinkTypeReplaysTheSeedsPackets(file: String, interface: String?) throws {
        let replayer = try replayFixture(file, interface: interface)
        #expect(replayer.summary.packets == 4)
        #expect(replayer.simulator.counter(table: .filter, chain: "cali-tw-cali96bc57f337a", rule: 6) == Counter(packets: 4, bytes: 3 * 60 + 84))
        #expect(replayer.summary.truncated == (file == "snaplen.pcap" ? 4 : 0))
        #expect(replayer.summary.skipped.isEmpty)
        // Single-interface captures are not checked for egress copies; SLL2 ones are, and
        // the seed's drops leave nothing to expect.
        #expect(replayer.summary.disagreements == 0)
        let drop = TraceStep(table: .filter, chain: "cali-tw-cali96bc57f337a", rule: 7, verdict: .drop)
        #expect(replayer.summary.topDrops().first?.step == drop)
        #expect(replayer.summary.topDrops().first?.packets == 4)
    }

    @Test func fragmentsReplayAsOneDatagram() throws {
        let replayer = try replayFixture("fragments.pcap", interface: "cali1f79f9e08f2")
        #expect(replayer.summary.packets == 1)
        #expect(replayer.summary.reassembled == 1)
    }
}
