import PcapIO
import Testing

@Suite struct IPv4ReassemblerTests {
    static let payload = TestPackets.pattern(3000, seed: 3)
    /// The datagram the fragments come from: reassembly must give it back byte for byte.
    static let datagram = TestPackets.ipv4(payload: payload)
    static let pieces = TestPackets.fragments(of: payload, size: 1480)  // offsets 0, 1480, 2960

    @Test func fragmentsFixtureReassembles() throws {
        var reassembler = IPv4Reassembler()
        var results: [IPv4Reassembler.Result] = []
        for frame in try Fixtures.readAll(Fixtures.path("fragments.pcap")) {
            guard case .ipv4(let packet) = LinkDecoder.decode(frame).payload else {
                Issue.record("frame \(frame.number) is not IPv4")
                return
            }
            results.append(reassembler.add(packet, frame: frame.number, timestamp: frame.timestamp))
        }
        #expect(results.count == 3)
        #expect(results.prefix(2).allSatisfy { $0 == .pending })
        guard case .reassembled(let packet, let frames) = results.last else {
            Issue.record("not reassembled: \(String(describing: results.last))")
            return
        }
        #expect(frames == [1, 2, 3])
        #expect(packet.count == 3000)
        #expect(Int(packet[2]) << 8 | Int(packet[3]) == 3000)
        #expect(packet[4] == 0x12 && packet[5] == 0x34)
        #expect(packet[6] == 0 && packet[7] == 0)
        #expect(TestPackets.checksum(packet[0..<20]) == 0)
        // The UDP checksum (computed by the generator over the whole datagram) now verifies.
        let pseudo = Array(packet[12..<20]) + [0, 17, UInt8((packet.count - 20) >> 8), UInt8((packet.count - 20) & 0xff)]
        #expect(TestPackets.checksum((pseudo + packet[20...])[...]) == 0)
        #expect(Array(packet[20..<24]) == [0x13, 0x88, 0x00, 0x35])  // 5000 > 53
        #expect(reassembler.pendingDatagrams == 0)
    }

    @Test(arguments: [[0, 1, 2], [2, 1, 0], [1, 0, 2], [2, 0, 1]])
    func reassemblesInAnyOrder(_ order: [Int]) {
        var reassembler = IPv4Reassembler()
        var results: [IPv4Reassembler.Result] = []
        for (number, index) in order.enumerated() {
            results.append(reassembler.add(Self.pieces[index][...], frame: number + 1, timestamp: Double(number)))
        }
        #expect(results == [.pending, .pending, .reassembled(Self.datagram, frames: [1, 2, 3])])
    }

    @Test func identicalDuplicateIsIgnored() {
        var reassembler = IPv4Reassembler()
        #expect(reassembler.add(Self.pieces[0][...], frame: 1, timestamp: 0) == .pending)
        #expect(reassembler.add(Self.pieces[0][...], frame: 2, timestamp: 0) == .pending)
        #expect(reassembler.add(Self.pieces[2][...], frame: 3, timestamp: 0) == .pending)
        #expect(reassembler.add(Self.pieces[1][...], frame: 4, timestamp: 0) == .reassembled(Self.datagram, frames: [1, 2, 3, 4]))
    }

    @Test func fragmentInsideAContiguousRunIsADuplicate() {
        // 0-1480 then 1480-2960 arrive in order and form one run; 1000-2000 lies inside it.
        var reassembler = IPv4Reassembler()
        _ = reassembler.add(Self.pieces[0][...], frame: 1, timestamp: 0)
        _ = reassembler.add(Self.pieces[1][...], frame: 2, timestamp: 0)
        let inside = TestPackets.ipv4(moreFragments: true, offsetBytes: 1000, payload: Array(Self.payload[1000..<2000]))
        #expect(reassembler.add(inside[...], frame: 3, timestamp: 0) == .pending)
        #expect(reassembler.add(Self.pieces[2][...], frame: 4, timestamp: 0) == .reassembled(Self.datagram, frames: [1, 2, 3, 4]))
    }

    @Test func overlapDropsTheWholeDatagram() {
        var reassembler = IPv4Reassembler()
        #expect(reassembler.add(Self.pieces[0][...], frame: 1, timestamp: 0) == .pending)
        let overlapping = TestPackets.ipv4(moreFragments: true, offsetBytes: 1000, payload: Array(Self.payload[1000..<2480]))
        #expect(reassembler.add(overlapping[...], frame: 2, timestamp: 0) == .failed(
            "fragments of datagram id 4660 from 10.139.54.20 to 10.139.54.158 dropped: fragment bytes 1000-2480 overlap the held bytes 0-1480",
            frames: [1, 2]))
        #expect(reassembler.pendingDatagrams == 0)
        // The rest starts a new queue that never completes.
        #expect(reassembler.add(Self.pieces[1][...], frame: 3, timestamp: 0) == .pending)
        #expect(reassembler.add(Self.pieces[2][...], frame: 4, timestamp: 0) == .pending)
        #expect(reassembler.pendingDatagrams == 1)
    }

    @Test func fragmentSpanningTwoSeparateRunsOverlaps() {
        // Out of order, 1480-2960 and then 0-1480 are separate runs; 1000-2000 crosses both.
        var reassembler = IPv4Reassembler()
        _ = reassembler.add(Self.pieces[1][...], frame: 1, timestamp: 0)
        _ = reassembler.add(Self.pieces[0][...], frame: 2, timestamp: 0)
        let spanning = TestPackets.ipv4(moreFragments: true, offsetBytes: 1000, payload: Array(Self.payload[1000..<2000]))
        guard case .failed(let reason, let frames) = reassembler.add(spanning[...], frame: 3, timestamp: 0) else {
            Issue.record("not failed")
            return
        }
        #expect(frames == [1, 2, 3])
        #expect(reason.contains("overlap the held bytes 0-1480"))
    }

    @Test func secondLastFragmentWithAnotherEndFails() {
        var reassembler = IPv4Reassembler()
        _ = reassembler.add(Self.pieces[2][...], frame: 1, timestamp: 0)
        let otherEnd = TestPackets.ipv4(offsetBytes: 2960, payload: Array(Self.payload[2960...]) + [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(reassembler.add(otherEnd[...], frame: 2, timestamp: 0) == .failed(
            "fragments of datagram id 4660 from 10.139.54.20 to 10.139.54.158 dropped: last fragment ends at byte 3008 but the datagram already reaches byte 3000",
            frames: [1, 2]))
    }

    @Test func fragmentBeyondTheEndFails() {
        var reassembler = IPv4Reassembler()
        let shortLast = TestPackets.ipv4(offsetBytes: 1480, payload: [1, 2, 3])
        _ = reassembler.add(shortLast[...], frame: 1, timestamp: 0)
        guard case .failed(let reason, [1, 2]) = reassembler.add(Self.pieces[1][...], frame: 2, timestamp: 0) else {
            Issue.record("not failed")
            return
        }
        #expect(reason.hasSuffix("fragment reaches byte 2960, beyond the end 1483 its last fragment gave"))
    }

    @Test func nonLastFragmentShorterThanEightBytesCarriesNothing() {
        var reassembler = IPv4Reassembler()
        let tiny = TestPackets.ipv4(moreFragments: true, offsetBytes: 8, payload: [1, 2, 3, 4])
        guard case .failed(let reason, [7]) = reassembler.add(tiny[...], frame: 7, timestamp: 0) else {
            Issue.record("not failed")
            return
        }
        #expect(reason.hasSuffix("fragment at offset 8 carries no data"))
    }

    @Test func datagramOver65535BytesFailsWhenComplete() {
        var reassembler = IPv4Reassembler()
        let first = TestPackets.ipv4(moreFragments: true, payload: TestPackets.pattern(65000))
        let last = TestPackets.ipv4(offsetBytes: 65000, payload: TestPackets.pattern(600))
        #expect(reassembler.add(first[...], frame: 1, timestamp: 0) == .pending)
        #expect(reassembler.add(last[...], frame: 2, timestamp: 0) == .failed(
            "fragments of datagram id 4660 from 10.139.54.20 to 10.139.54.158: reassembled datagram would be 65620 bytes, more than 65535",
            frames: [1, 2]))
    }

    @Test func incompleteDatagramExpires() {
        var reassembler = IPv4Reassembler()
        #expect(reassembler.add(Self.pieces[0][...], frame: 1, timestamp: 100) == .pending)
        #expect(reassembler.add(Self.pieces[1][...], frame: 2, timestamp: 110) == .pending)
        #expect(reassembler.expire(now: 129.9).isEmpty)
        #expect(reassembler.pendingDatagrams == 1)
        let expired = reassembler.expire(now: 130)  // the timer runs from the first fragment
        #expect(expired.count == 1)
        #expect(expired.first?.frames == [1, 2])
        #expect(expired.first?.reason == "fragments of datagram id 4660 from 10.139.54.20 to 10.139.54.158 incomplete after 30 s")
        #expect(reassembler.pendingDatagrams == 0)
        #expect(reassembler.expire(now: 1000).isEmpty)
    }

    @Test func lateFragmentStartsANewQueue() {
        var reassembler = IPv4Reassembler(timeout: 5)
        _ = reassembler.add(Self.pieces[0][...], frame: 1, timestamp: 0)
        _ = reassembler.add(Self.pieces[1][...], frame: 2, timestamp: 1)
        #expect(reassembler.add(Self.pieces[2][...], frame: 3, timestamp: 6) == .pending)
        let expired = reassembler.expire(now: 6)
        #expect(expired.map(\.frames) == [[1, 2]])
        #expect(expired.first?.reason.hasSuffix("incomplete after 5 s") == true)
        #expect(reassembler.pendingDatagrams == 1)
        #expect(reassembler.expire(now: 11).map(\.frames) == [[3]])
    }

    @Test func nonFragmentPassesThroughTrimmed() {
        var reassembler = IPv4Reassembler()
        let packet = TestPackets.ipv4(protocolNumber: 6, dontFragment: true, payload: TestPackets.pattern(26))
        #expect(reassembler.add((packet + [0, 0, 0, 0])[...], frame: 1, timestamp: 0) == .whole(packet))
        // Cut by the snaplen: given back as is.
        #expect(reassembler.add(packet[0..<30], frame: 2, timestamp: 0) == .whole(Array(packet[0..<30])))
        #expect(reassembler.add([0x60, 0, 0][...], frame: 3, timestamp: 0) == .whole([0x60, 0, 0]))
        #expect(!IPv4Reassembler.isFragment(packet[...]))
        #expect(IPv4Reassembler.isFragment(Self.pieces[2][...]))  // offset set, MF clear
        #expect(IPv4Reassembler.isFragment(Self.pieces[0][...]))  // MF set, offset 0
        #expect(reassembler.pendingDatagrams == 0)
    }

    @Test func keyIncludesProtocolAndAddresses() {
        var reassembler = IPv4Reassembler()
        let tcpFirst = TestPackets.ipv4(protocolNumber: 6, moreFragments: true, payload: Array(Self.payload[0..<1480]))
        let otherSource = TestPackets.ipv4(source: [10, 0, 0, 1], moreFragments: true, offsetBytes: 1480, payload: Array(Self.payload[1480..<2960]))
        #expect(reassembler.add(tcpFirst[...], frame: 1, timestamp: 0) == .pending)
        #expect(reassembler.add(otherSource[...], frame: 2, timestamp: 0) == .pending)
        #expect(reassembler.add(Self.pieces[2][...], frame: 3, timestamp: 0) == .pending)
        #expect(reassembler.pendingDatagrams == 3)
    }

    @Test func dontFragmentSurvivesWhenTheLargestFragmentHadIt() {
        var reassembler = IPv4Reassembler()
        let pieces = TestPackets.fragments(of: Self.payload, size: 1480, dontFragment: true)
        _ = reassembler.add(pieces[0][...], frame: 1, timestamp: 0)
        _ = reassembler.add(pieces[1][...], frame: 2, timestamp: 0)
        guard case .reassembled(let packet, _) = reassembler.add(pieces[2][...], frame: 3, timestamp: 0) else {
            Issue.record("not reassembled")
            return
        }
        #expect(packet == TestPackets.ipv4(dontFragment: true, payload: Self.payload))
    }

    @Test func ecnMixes() {
        // CE on one fragment, ECT(0) on the others: the datagram is CE.
        var reassembler = IPv4Reassembler()
        let ect0 = TestPackets.fragments(of: Self.payload, size: 1480, tos: 0x02)
        let ce = TestPackets.fragments(of: Self.payload, size: 1480, tos: 0x03)
        _ = reassembler.add(ect0[0][...], frame: 1, timestamp: 0)
        _ = reassembler.add(ce[1][...], frame: 2, timestamp: 0)
        #expect(reassembler.add(ect0[2][...], frame: 3, timestamp: 0) == .reassembled(TestPackets.ipv4(tos: 0x03, payload: Self.payload), frames: [1, 2, 3]))
        // Not-ECT with ECT(0): invalid, dropped.
        _ = reassembler.add(Self.pieces[0][...], frame: 4, timestamp: 0)
        _ = reassembler.add(ect0[1][...], frame: 5, timestamp: 0)
        guard case .failed(let reason, [4, 5, 6]) = reassembler.add(Self.pieces[2][...], frame: 6, timestamp: 0) else {
            Issue.record("not failed")
            return
        }
        #expect(reason.hasSuffix("fragments mix Not-ECT with ECN-capable TOS codepoints"))
    }

    @Test func fragmentWithABadHeaderFailsAlone() {
        var reassembler = IPv4Reassembler()
        _ = reassembler.add(Self.pieces[0][...], frame: 1, timestamp: 0)
        var corrupted = Self.pieces[1]
        corrupted[8] = 1  // TTL changed, checksum not
        #expect(reassembler.add(corrupted[...], frame: 2, timestamp: 0) == .failed(
            "fragment of datagram id 4660 from 10.139.54.20 to 10.139.54.158 has a bad header checksum (ip_rcv drops it)", frames: [2]))
        guard case .failed(let reason, [3]) = reassembler.add(Self.pieces[1][0..<100], frame: 3, timestamp: 0) else {
            Issue.record("cut fragment not failed")
            return
        }
        #expect(reason.hasSuffix("holds 100 of its 1500 bytes in the capture (snaplen), so it cannot be reassembled"))
        // The queue is untouched.
        _ = reassembler.add(Self.pieces[1][...], frame: 4, timestamp: 0)
        #expect(reassembler.add(Self.pieces[2][...], frame: 5, timestamp: 0) == .reassembled(Self.datagram, frames: [1, 4, 5]))
    }

    @Test func headerOptionsOfTheFirstFragmentAreKept() {
        let options: [UInt8] = [0x94, 0x04, 0x00, 0x00]  // router alert
        let whole = TestPackets.ipv4(options: options, payload: Self.payload)
        let first = TestPackets.ipv4(moreFragments: true, options: options, payload: Array(Self.payload[0..<1480]))
        var reassembler = IPv4Reassembler()
        _ = reassembler.add(Self.pieces[2][...], frame: 1, timestamp: 0)
        _ = reassembler.add(Self.pieces[1][...], frame: 2, timestamp: 0)
        #expect(reassembler.add(first[...], frame: 3, timestamp: 0) == .reassembled(whole, frames: [1, 2, 3]))
    }

    /// net.ipv4.ipfrag_max_dist: a queue restarts when more than 64 other fragments from the
    /// same source arrived since its last fragment.
    @Test(arguments: [(63, true), (64, false)])
    func tooManyFragmentsInBetweenRestartTheQueue(_ others: Int, _ completes: Bool) {
        var reassembler = IPv4Reassembler()
        let halves = TestPackets.fragments(of: TestPackets.pattern(16), size: 8, id: 999)
        #expect(reassembler.add(halves[0][...], frame: 1, timestamp: 0) == .pending)
        for index in 0..<others {
            let other = TestPackets.ipv4(id: UInt16(index), moreFragments: true, payload: TestPackets.pattern(8))
            #expect(reassembler.add(other[...], frame: 2 + index, timestamp: 0) == .pending)
        }
        let last = reassembler.add(halves[1][...], frame: 100, timestamp: 0)
        if completes {
            #expect(last == .reassembled(TestPackets.ipv4(id: 999, payload: TestPackets.pattern(16)), frames: [1, 100]))
            #expect(reassembler.expire(now: 0).isEmpty)
        } else {
            #expect(last == .pending)
            let dropped = reassembler.expire(now: 0)
            #expect(dropped.map(\.frames) == [[1]])
            #expect(dropped.first?.reason == "fragments of datagram id 999 from 10.139.54.20 to 10.139.54.158 dropped: more than 64 other fragments from 10.139.54.20 arrived in between (net.ipv4.ipfrag_max_dist)")
        }
    }
}
