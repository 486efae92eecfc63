import PcapIO
import Testing

@Suite struct PcapWriterTests {
    static func writeAll(_ frames: [CapturedFrame], to path: String, linkType: LinkType, snapshotLength: Int = 262144) throws {
        let writer = try PcapWriter(path: path, linkType: linkType, snapshotLength: snapshotLength)
        for frame in frames { writer.write(frame) }
        writer.close()
    }

    static func expectSame(_ read: [CapturedFrame], _ written: [CapturedFrame], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(read.count == written.count, sourceLocation: sourceLocation)
        for (back, original) in zip(read, written) {
            #expect(back.number == original.number, sourceLocation: sourceLocation)
            #expect(back.timestampNanoseconds == original.timestampNanoseconds, sourceLocation: sourceLocation)
            #expect(back.data == original.data, sourceLocation: sourceLocation)
            #expect(back.originalLength == original.originalLength, sourceLocation: sourceLocation)
            #expect(back.linkType == original.linkType, sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: ["ethernet.pcapng", "sll2-nanosecond.pcap", "snaplen.pcap", "loop.pcap", "raw.pcap"])
    func roundTripsAFixture(_ file: String) throws {
        let original = try PcapReader(path: Fixtures.path(file))
        var frames: [CapturedFrame] = []
        while let frame = try original.next() { frames.append(frame) }
        let path = temporaryCapturePath(file)
        defer { removeFile(path) }
        try Self.writeAll(frames, to: path, linkType: original.linkType, snapshotLength: original.snapshotLength)

        let reader = try PcapReader(path: path)
        #expect(reader.linkType == original.linkType)
        #expect(reader.snapshotLength == original.snapshotLength)
        Self.expectSame(try Fixtures.readAll(path), frames)
        // Classic pcap, nanosecond magic, little-endian on this machine.
        #expect(try readBytes(path).prefix(4) == [0x4d, 0x3c, 0xb2, 0xa1])
    }

    @Test func writesDoubleTimestampsToTheNanosecond() throws {
        let path = temporaryCapturePath("double.pcap")
        defer { removeFile(path) }
        let frame = CapturedFrame(number: 1, timestamp: 12.345678901, data: [0x45], originalLength: 1, linkType: .raw)
        try Self.writeAll([frame], to: path, linkType: .raw)
        let back = try Fixtures.readAll(path)
        #expect(back.first?.timestampNanoseconds == 12_345_678_901)
        #expect(back.first?.timestamp == 12.345678901)
    }

    @Test func cutsFramesToTheSnapshotLength() throws {
        let path = temporaryCapturePath("cut.pcap")
        defer { removeFile(path) }
        let frame = CapturedFrame(number: 1, timestampNanoseconds: 5, data: TestPackets.pattern(100), originalLength: 100, linkType: .ethernet)
        try Self.writeAll([frame], to: path, linkType: .ethernet, snapshotLength: 60)
        let back = try Fixtures.readAll(path)
        #expect(back.first?.data == Array(frame.data.prefix(60)))
        #expect(back.first?.originalLength == 100)
    }

    @Test func flushMakesRecordsReadableBeforeClose() throws {
        let path = temporaryCapturePath("flush.pcap")
        defer { removeFile(path) }
        let writer = try PcapWriter(path: path, linkType: .linuxSLL2, snapshotLength: 1000)
        writer.write(CapturedFrame(number: 1, timestampNanoseconds: 1, data: [1, 2, 3], originalLength: 3, linkType: .linuxSLL2))
        try writer.flush()
        #expect(try Fixtures.readAll(path).map(\.data) == [[1, 2, 3]])
        writer.close()
        writer.close()
        try writer.flush()  // closed: nothing to flush
    }

    @Test func writingAnUnsupportedLinkTypeGivesAFileTheReaderRefuses() throws {
        let path = temporaryCapturePath("80211.pcap")
        defer { removeFile(path) }
        try Self.writeAll([], to: path, linkType: .other(105))
        let error = #expect(throws: PcapError.self) { try PcapReader(path: path) }
        #expect(error?.message.contains("IEEE802_11") == true)
    }

    @Test func unwritablePathIsAnError() {
        let path = "/nonexistent-directory/out.pcap"
        let error = #expect(throws: PcapError.self) { try PcapWriter(path: path, linkType: .ethernet, snapshotLength: 65535) }
        #expect(error?.description == "\(path): No such file or directory")
    }

    /// Random frames of every supported link type survive a write and a read, bit for bit.
    @Test(arguments: 1...8)
    func randomFramesRoundTrip(seed: Int) throws {
        var random = SplitMix64(seed: UInt64(seed))
        let linkType = LinkType.supported[Int(random.next() % UInt64(LinkType.supported.count))]
        let snapshotLength = 2048
        // libpcap reads ts_sec as a signed 32-bit number: stay before 2038.
        var timestamp = Int64(random.next() % 2_000_000_000) * 1_000_000_000
        let frames: [CapturedFrame] = (1...300).map { number in
            timestamp += Int64(random.next() % 3_000_000_000)  // not always increasing would be fine too
            let length = Int(random.next() % UInt64(snapshotLength + 1))
            let data = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let extra = random.next() % 4 == 0 ? Int(random.next() % 60000) : 0
            return CapturedFrame(number: number, timestampNanoseconds: timestamp, data: data, originalLength: length + extra, linkType: linkType)
        }
        let path = temporaryCapturePath("random-\(seed).pcap")
        defer { removeFile(path) }
        try Self.writeAll(frames, to: path, linkType: linkType, snapshotLength: snapshotLength)
        Self.expectSame(try Fixtures.readAll(path), frames)
        // A filter that keeps every other frame by length still numbers them as written.
        let odd = try Fixtures.readAll(path, filter: "len % 2 = 1")
        #expect(odd.map(\.number) == frames.filter { $0.originalLength % 2 == 1 }.map(\.number))
    }
}

/// A small seeded generator so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
