import PcapIO
import Testing

/// A link-type fixture and what its frames must look like.
struct LinkFixture: Sendable, CustomTestStringConvertible {
    var file: String
    var linkType: LinkType
    var headerLength: Int
    var direction: CaptureDirection = .unknown
    var interfaceIndex: Int? = nil
    var vlanIDs: [UInt16] = []
    var extraNanoseconds: Int64 = 0

    var testDescription: String { file }

    static let all: [LinkFixture] = [
        LinkFixture(file: "ethernet.pcap", linkType: .ethernet, headerLength: 14),
        LinkFixture(file: "ethernet-vlan.pcap", linkType: .ethernet, headerLength: 18, vlanIDs: [100]),
        LinkFixture(file: "sll.pcap", linkType: .linuxSLL, headerLength: 16, direction: .incoming),
        LinkFixture(file: "sll2.pcap", linkType: .linuxSLL2, headerLength: 20, direction: .incoming, interfaceIndex: 3),
        LinkFixture(file: "raw.pcap", linkType: .raw, headerLength: 0),
        LinkFixture(file: "null.pcap", linkType: .null, headerLength: 4),
        LinkFixture(file: "loop.pcap", linkType: .loop, headerLength: 4),
        LinkFixture(file: "ethernet.pcapng", linkType: .ethernet, headerLength: 14, extraNanoseconds: 123),
        LinkFixture(
            file: "sll2-nanosecond.pcap", linkType: .linuxSLL2, headerLength: 20, direction: .incoming,
            interfaceIndex: 3, extraNanoseconds: 123),
    ]
}

@Suite struct PcapReaderTests {
    typealias Conversation = Fixtures.Conversation

    @Test(arguments: LinkFixture.all)
    func readsEveryLinkTypeFixture(_ fixture: LinkFixture) throws {
        let reader = try PcapReader(path: Fixtures.path(fixture.file))
        #expect(reader.linkType == fixture.linkType)
        #expect(reader.snapshotLength == 262144)
        var frames: [CapturedFrame] = []
        while let frame = try reader.next() { frames.append(frame) }
        #expect(reader.framesRead == 4)
        #expect(try reader.next() == nil)
        #expect(frames.map(\.number) == [1, 2, 3, 4])
        #expect(frames.map(\.timestampNanoseconds) == Conversation.nanoseconds.map { $0 + fixture.extraNanoseconds })
        #expect(frames.map(\.originalLength) == Conversation.ipTotalLengths.map { $0 + fixture.headerLength })
        #expect(frames.allSatisfy { !$0.isTruncated && $0.linkType == fixture.linkType })

        for (index, frame) in frames.enumerated() {
            let link = LinkDecoder.decode(frame)
            #expect(link.direction == fixture.direction)
            #expect(link.interfaceIndex == fixture.interfaceIndex)
            #expect(link.vlanIDs == fixture.vlanIDs)
            guard case .ipv4(let packet) = link.payload else {
                Issue.record("frame \(frame.number): \(link.payload)")
                continue
            }
            let ip = Array(packet)
            #expect(packet.startIndex == fixture.headerLength)
            #expect(Int(ip[2]) << 8 | Int(ip[3]) == Conversation.ipTotalLengths[index])
            #expect(UInt16(ip[4]) << 8 | UInt16(ip[5]) == Conversation.ipIDs[index])
            #expect(ip[9] == Conversation.protocols[index])
            #expect(Array(ip[12..<16]) == Conversation.client)
            #expect(Array(ip[16..<20]) == Conversation.web)
            #expect(TestPackets.checksum(ip[0..<20]) == 0)
        }
    }

    @Test func timestampsAsSeconds() throws {
        let frames = try Fixtures.readAll(Fixtures.path("ethernet.pcap"))
        #expect(frames.map(\.timestamp) == [1_700_000_000.25, 1_700_000_000.75, 1_700_000_001.25, 1_700_000_002.25])
    }

    @Test func pcapngKeepsNanosecondsOfIfTsresol() throws {
        // The IDB says if_tsresol 9; libpcap scales to the NANO precision the reader asks for.
        let frames = try Fixtures.readAll(Fixtures.path("ethernet.pcapng"))
        #expect(frames.first?.timestampNanoseconds == 1_700_000_000_250_000_123)
        #expect(try frames.map(\.data) == Fixtures.readAll(Fixtures.path("ethernet.pcap")).map(\.data))
    }

    @Test func snaplenCutsFramesButKeepsTheirLength() throws {
        let reader = try PcapReader(path: Fixtures.path("snaplen.pcap"))
        #expect(reader.snapshotLength == 54)
        var frames: [CapturedFrame] = []
        while let frame = try reader.next() { frames.append(frame) }
        #expect(frames.map(\.data.count) == [54, 54, 54, 54])
        #expect(frames.map(\.originalLength) == [74, 98, 74, 74])
        #expect(frames.allSatisfy { $0.isTruncated })
        guard case .ipv4(let packet) = LinkDecoder.decode(frames[0]).payload else {
            Issue.record("no IPv4 in snaplen.pcap frame 1")
            return
        }
        // 20 bytes of IP header and the first 20 of the 40-byte TCP header; the total length says 60.
        #expect(packet.count == 40)
        #expect(Int(packet[packet.startIndex + 2]) << 8 | Int(packet[packet.startIndex + 3]) == 60)
    }

    @Test(arguments: [
        ("tcp", [1, 3, 4]),
        ("icmp", [2]),
        ("udp", []),
        ("tcp[tcpflags] & tcp-syn != 0 and dst port 80", [1, 3, 4]),
        ("src host 10.139.54.20 and dst host 10.139.54.158", [1, 2, 3, 4]),
    ])
    func filterKeepsFrameNumbers(_ expression: String, _ numbers: [Int]) throws {
        let reader = try PcapReader(path: Fixtures.path("ethernet.pcap"), filter: expression)
        #expect(reader.filter == expression)
        var kept: [Int] = []
        while let frame = try reader.next() { kept.append(frame.number) }
        #expect(kept == numbers)
        #expect(reader.framesRead == 4)
    }

    @Test(arguments: ["sll.pcap", "sll2.pcap", "raw.pcap", "null.pcap", "loop.pcap", "ethernet.pcapng"])
    func filterWorksOnEveryLinkType(_ file: String) throws {
        let frames = try Fixtures.readAll(Fixtures.path(file), filter: "tcp")
        #expect(frames.map(\.number) == [1, 3, 4])
    }

    @Test func filterSeesThroughVLANTagsOnlyWithVlanKeyword() throws {
        #expect(try Fixtures.readAll(Fixtures.path("ethernet-vlan.pcap"), filter: "vlan 100 and tcp").map(\.number) == [1, 3, 4])
        #expect(try Fixtures.readAll(Fixtures.path("ethernet-vlan.pcap"), filter: "tcp").isEmpty)
    }

    @Test func badFilterNamesTheExpression() {
        let path = Fixtures.path("ethernet.pcap")
        let error = #expect(throws: PcapError.self) { try PcapReader(path: path, filter: "tcp port") }
        #expect(error?.path == path)
        #expect(error?.frame == nil)
        #expect(error?.message.hasPrefix("bad filter expression \"tcp port\": ") == true)
        #expect(error?.message.contains("syntax error") == true)
    }

    @Test func truncatedFileFailsAtTheCutRecord() throws {
        let path = Fixtures.path("truncated.pcap")
        let reader = try PcapReader(path: path)
        var numbers: [Int] = []
        let failure: PcapError
        do {
            while let frame = try reader.next() { numbers.append(frame.number) }
            Issue.record("truncated.pcap read to the end")
            return
        } catch {
            failure = error
        }
        #expect(numbers == [1, 2, 3])
        #expect(failure.frame == 4)
        #expect(failure.message == "truncated dump file; tried to read 74 captured bytes, only got 20")
        #expect(failure.description == "\(path): frame 4: truncated dump file; tried to read 74 captured bytes, only got 20")
        // Reading on repeats the failure instead of pretending the file ended.
        #expect(throws: PcapError.self) { _ = try reader.next() }
    }

    @Test func truncatedFileFailsAtTheCutRecordThroughAFilter() throws {
        let reader = try PcapReader(path: Fixtures.path("truncated.pcap"), filter: "icmp")
        #expect(try reader.next()?.number == 2)
        let error = #expect(throws: PcapError.self) { try reader.next() }
        #expect(error?.frame == 4)
    }

    @Test func corruptFileIsAFileLevelError() {
        let path = Fixtures.path("corrupt.pcap")
        let error = #expect(throws: PcapError.self) { try PcapReader(path: path) }
        #expect(error?.frame == nil)
        #expect(error?.description == "\(path): unknown file format")
    }

    @Test func unsupportedLinkTypeSaysWhichAndWhatIsSupported() {
        let error = #expect(throws: PcapError.self) { try PcapReader(path: Fixtures.path("unsupported-linktype.pcap")) }
        #expect(error?.frame == nil)
        #expect(error?.message.contains("DLT 105 (IEEE802_11)") == true)
        #expect(error?.message.contains("EN10MB, LINUX_SLL, LINUX_SLL2, RAW, NULL, LOOP") == true)
    }

    @Test func missingFileSaysSoWithoutRepeatingThePath() {
        let path = Fixtures.path("no-such-file.pcap")
        let error = #expect(throws: PcapError.self) { try PcapReader(path: path) }
        #expect(error?.description == "\(path): No such file or directory")
    }

    @Test func fileShorterThanItsHeader() throws {
        let path = temporaryCapturePath("short.pcap")
        defer { removeFile(path) }
        let header = try readBytes(Fixtures.path("ethernet.pcap")).prefix(16)
        try writeBytes(Array(header), to: path)
        let error = #expect(throws: PcapError.self) { try PcapReader(path: path) }
        // libpcap reads the magic first and counts only the bytes after it.
        #expect(error?.message == "truncated dump file; tried to read 24 file header bytes, only got 12")
    }

    @Test func emptyCaptureEndsAtOnce() throws {
        let path = temporaryCapturePath("empty.pcap")
        defer { removeFile(path) }
        try writeBytes(Array(try readBytes(Fixtures.path("ethernet.pcap")).prefix(24)), to: path)
        let reader = try PcapReader(path: path)
        #expect(try reader.next() == nil)
        #expect(reader.framesRead == 0)
    }
}
