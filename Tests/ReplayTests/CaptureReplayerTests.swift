import Foundation
import Netfilter
import PacketWire
import PcapIO
import Replay
import Testing

@Suite struct CaptureReplayerTests {
    static let forwardAll = """
    *filter
    :INPUT ACCEPT [0:0]
    :FORWARD ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    -A FORWARD -p tcp --dport 22 -j DROP
    COMMIT
    """

    func replay(_ frames: [CapturedFrame], rules: String = forwardAll) throws -> (events: [ReplayEvent], replayer: CaptureReplayer) {
        var replayer = try CaptureReplayer(simulator: try testNode(rules: rules), linkType: .linuxSLL2, interface: nil)
        var events: [ReplayEvent] = []
        for frame in frames { events += replayer.replay(frame) }
        events += replayer.finish()
        return (events, replayer)
    }

    @Test func forwardedPacketsOutgoingCopyIsCheckedNotReplayed() throws {
        let syn = tcp(podA, 41000, podB, 80, flags: .syn, id: 7)
        var out = syn
        out.ttl -= 1
        let (events, replayer) = try replay([
            sll2Frame(syn, ifindex: 3, outgoing: false, number: 1, time: 10),
            sll2Frame(out, ifindex: 4, outgoing: true, number: 2, time: 10.0001),
        ])
        #expect(events.replayed.map(\.frame) == [1])
        #expect(events.replayed.first?.origin == .incoming)
        #expect(events.copies.map(\.original) == [1])
        #expect(events.disagreements.isEmpty)
        #expect(replayer.summary.forwarded == 1)
        #expect(replayer.summary.egressCopies == 1)
    }

    @Test func aPacketPathsimDropsButTheCaptureShowsLeavingIsADisagreement() throws {
        let ssh = tcp(podA, 41000, podB, 22, flags: .syn, id: 8)
        let (events, _) = try replay([
            sll2Frame(ssh, ifindex: 3, outgoing: false, number: 1, time: 10),
            sll2Frame(ssh, ifindex: 4, outgoing: true, number: 2, time: 10.0001),
        ])
        let disagreement = try #require(events.disagreements.first)
        #expect(disagreement.kind == .leftButDropped)
        #expect(disagreement.originalFrame == 1)
        #expect(disagreement.blamed == TraceStep(table: .filter, chain: "FORWARD", rule: 1, verdict: .drop))
        #expect(events.replayed.count == 1)
    }

    @Test func aForwardedPacketThatNeverLeavesIsADisagreement() throws {
        let syn = tcp(podA, 41000, podB, 80, flags: .syn, id: 9)
        let later = tcp(podA, 41001, podB, 80, flags: .syn, id: 10)
        let (events, _) = try replay([
            sll2Frame(syn, ifindex: 3, outgoing: false, number: 1, time: 10),
            sll2Frame(later, ifindex: 3, outgoing: false, number: 2, time: 12),
        ])
        // Frame 1's copy is overdue once frame 2 is read; frame 2's at the end of the file.
        #expect(events.disagreements.map(\.kind) == [.neverLeft, .neverLeft])
        #expect(events.disagreements.map(\.originalFrame) == [1, 2])
    }

    @Test func anOutgoingFrameWithNoOriginalIsLocallyGenerated() throws {
        let reply = tcp(node, 22, remote, 50000, flags: [.syn, .ack], id: 0)
        let (events, replayer) = try replay([sll2Frame(reply, ifindex: 2, outgoing: true, number: 1, time: 1)])
        #expect(events.replayed.first?.origin == .locallyGenerated)
        #expect(events.replayed.first?.trace.input.ingress == .local)
        #expect(events.disagreements.isEmpty)
        #expect(replayer.summary.sentByNode == 1)
    }

    @Test func rejectAnswersInTheCaptureAreCopiesOfTheGeneratedPacket() throws {
        let rules = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -p tcp --dport 23 -j REJECT --reject-with tcp-reset
        COMMIT
        """
        var simulator = try testNode(rules: rules)
        let syn = tcp(podA, 41000, podB, 23, flags: .syn, id: 11)
        let reset = simulator.process(PacketInput(packet: syn, ingress: .interface("caliaaa"))).generated[0].finalPacket
        let (events, _) = try replay([
            sll2Frame(syn, ifindex: 3, outgoing: false, number: 1, time: 1),
            sll2Frame(reset, ifindex: 3, outgoing: true, number: 2, time: 1.0001),
        ], rules: rules)
        #expect(events.replayed.map(\.frame) == [1])
        #expect(events.copies.map(\.original) == [1])
        #expect(events.disagreements.isEmpty)
    }

    @Test func fragmentsAreReassembledBeforeTheRules() throws {
        var datagram = Packet(source: podA, destination: podB, proto: IPProtocolNumber.udp, totalLength: 1028)
        datagram.sourcePort = 5000
        datagram.destinationPort = 53
        datagram.ipID = 99
        let whole = PacketEncoder.ipv4Bytes(datagram)
        let payload = Array(whole[20...])
        func fragment(_ range: Range<Int>, more: Bool) -> [UInt8] {
            var header = Array(whole[0..<20])
            let total = 20 + range.count
            header[2] = UInt8(total >> 8); header[3] = UInt8(total & 0xff)
            let flags = UInt16(range.lowerBound / 8) | (more ? 0x2000 : 0)
            header[6] = UInt8(flags >> 8); header[7] = UInt8(flags & 0xff)
            header[10] = 0; header[11] = 0
            let sum = PacketEncoder.checksum(header)
            header[10] = UInt8(sum >> 8); header[11] = UInt8(sum & 0xff)
            return header + Array(payload[range])
        }
        func frame(_ ip: [UInt8], _ number: Int) -> CapturedFrame {
            let header: [UInt8] = [0x08, 0x00, 0, 0, 0, 0, 0, 3, 0x00, 0x01, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]
            return CapturedFrame(number: number, timestamp: 1, data: header + ip, originalLength: header.count + ip.count, linkType: .linuxSLL2)
        }
        var replayer = try CaptureReplayer(simulator: try testNode(rules: Self.forwardAll), linkType: .linuxSLL2, interface: nil)
        var events = replayer.replay(frame(fragment(512..<1008, more: false), 1))
        events += replayer.replay(frame(fragment(0..<512, more: true), 2))
        let packet = try #require(events.replayed.first)
        #expect(packet.frames == [1, 2])
        #expect(packet.trace.input.packet.totalLength == 1028)
        #expect(packet.trace.input.packet.destinationPort == 53)
        #expect(replayer.simulator.policyCounter(table: .filter, chain: "FORWARD") == Counter(packets: 1, bytes: 1028))
    }

    @Test func aFrameCutByTheSnaplenIsReplayedFromItsHeaders() throws {
        let syn = tcp(podA, 41000, podB, 80, flags: .syn, id: 12)
        var frame = sll2Frame(syn, ifindex: 3, outgoing: false, number: 1, time: 1)
        frame.data = Array(frame.data.prefix(20 + 20 + 16))
        var replayer = try CaptureReplayer(simulator: try testNode(rules: Self.forwardAll), linkType: .linuxSLL2, interface: nil)
        let events = replayer.replay(frame)
        #expect(events.replayed.first?.truncated == true)
        #expect(replayer.simulator.policyCounter(table: .filter, chain: "FORWARD") == Counter(packets: 1, bytes: 60))

        frame.data = Array(frame.data.prefix(20 + 20 + 6))
        let cut = replayer.replay(frame)
        #expect(cut.skipped.first?.reason.contains("cut by the snaplen") == true)
    }

    @Test func anUnknownInterfaceIndexIsReportedNotGuessed() throws {
        let syn = tcp(podA, 41000, podB, 80, flags: .syn, id: 13)
        let (events, _) = try replay([sll2Frame(syn, ifindex: 42, outgoing: false, number: 1, time: 1)])
        #expect(events.skipped.first?.reason.contains("interface index 42") == true)
    }

    @Test func captureWithoutInterfacesNeedsIface() throws {
        #expect(throws: ReplayError.self) {
            _ = try CaptureReplayer(simulator: try testNode(rules: Self.forwardAll), linkType: .ethernet, interface: nil)
        }
        #expect(throws: ReplayError.self) {
            _ = try CaptureReplayer(simulator: try testNode(rules: Self.forwardAll), linkType: .ethernet, interface: "nosuch0")
        }
    }

    @Test func pkttypeSeesTheCapturedLinkLayerCast() throws {
        let rules = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -m pkttype --pkt-type broadcast -j DROP
        COMMIT
        """
        var udp = Packet(source: remote, destination: node, proto: IPProtocolNumber.udp, totalLength: 40)
        udp.sourcePort = 68
        udp.destinationPort = 67
        var broadcast = sll2Frame(udp, ifindex: 2, outgoing: false, number: 1, time: 1)
        broadcast.data[10] = 1
        let unicast = sll2Frame(udp, ifindex: 2, outgoing: false, number: 2, time: 2)
        let (events, _) = try replay([broadcast, unicast], rules: rules)
        #expect(events.replayed.map(\.trace.fate.isAccepted) == [false, true])
    }
}
