import Netfilter
import PacketWire
import Testing

@Suite("PacketWire")
struct PacketWireTests {
    static let a = IPv4Address(10, 65, 0, 2), b = IPv4Address(10, 65, 0, 3)

    static var samples: [Packet] {
        var tcp = Packet(source: a, destination: b, proto: IPProtocolNumber.tcp, totalLength: 60)
        tcp.sourcePort = 1234; tcp.destinationPort = 80; tcp.tcpFlags = [.syn, .ack, .ece]
        tcp.sequence = 0xdead_beef; tcp.acknowledgement = 42; tcp.window = 64240
        tcp.ipID = 7; tcp.ttl = 63; tcp.tos = 0x10; tcp.dontFragment = true
        var udp = Packet(source: a, destination: b, proto: IPProtocolNumber.udp, totalLength: 29)
        udp.sourcePort = 5353; udp.destinationPort = 53; udp.ipID = 9
        var echo = Packet(source: a, destination: b, proto: IPProtocolNumber.icmp, totalLength: 84)
        echo.icmpType = 8; echo.icmpID = 0x1234; echo.icmpSequence = 3; echo.ipID = 11
        var error = Packet(source: b, destination: a, proto: IPProtocolNumber.icmp, totalLength: 56)
        error.icmpType = 3; error.icmpCode = 3; error.ipID = 12
        error.quoted = QuotedPacket(source: a, destination: b, proto: IPProtocolNumber.udp, sourcePort: 5353, destinationPort: 53, totalLength: 29, ipID: 9, ttl: 63)
        var gre = Packet(source: a, destination: b, proto: IPProtocolNumber.gre, totalLength: 30)
        gre.ipID = 13
        var fragment = Packet(source: a, destination: b, proto: IPProtocolNumber.udp, totalLength: 100)
        fragment.fragmentOffset = 185; fragment.ipID = 14
        var first = Packet(source: a, destination: b, proto: IPProtocolNumber.tcp, totalLength: 40)
        first.moreFragments = true; first.ipID = 15
        return [tcp, udp, echo, error, gre, fragment, first]
    }

    @Test(arguments: samples)
    func roundTripAndChecksums(_ packet: Packet) throws {
        let bytes = PacketEncoder.ipv4Bytes(packet)
        #expect(bytes.count == Int(packet.totalLength))
        #expect(PacketDecoder.checksumsValid(bytes))
        let decoded = try #require(PacketDecoder.decodeIPv4(bytes))
        #expect(decoded == packet)
    }

    @Test func knownHeaderChecksum() {
        // RFC 1071 style example: a well-known IPv4 header (from Wikipedia's checksum example).
        let header: [UInt8] = [0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7]
        #expect(PacketEncoder.checksum(header) == 0xb861)
    }

    @Test func corruptedChecksumIsDetected() {
        var bytes = PacketEncoder.ipv4Bytes(Self.samples[0])
        bytes[30] ^= 0xff
        #expect(!PacketDecoder.checksumsValid(bytes))
    }

    @Test func udpLengthAndPayload() {
        let bytes = PacketEncoder.ipv4Bytes(Self.samples[1], payloadByte: 0x41)
        #expect(bytes[24] == 0 && bytes[25] == 9)
        #expect(bytes[28] == 0x41)
    }

    @Test func ethernetFrame() throws {
        let ip = PacketEncoder.ipv4Bytes(Self.samples[2])
        let src = try #require(PacketEncoder.macAddress("02:00:00:00:00:01"))
        let dst = try #require(PacketEncoder.macAddress("02:00:00:00:00:02"))
        let frame = PacketEncoder.ethernetFrame(ipv4: ip, source: src, destination: dst)
        #expect(frame.count == ip.count + 14)
        #expect(Array(frame[0..<6]) == dst && Array(frame[6..<12]) == src)
        #expect(PacketDecoder.ipv4FromEthernet(frame) == ip)
    }
}
