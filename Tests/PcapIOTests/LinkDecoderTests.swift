import PcapIO
import Testing

@Suite struct LinkDecoderTests {
    static let ip = TestPackets.ipv4(protocolNumber: 1, payload: TestPackets.pattern(8))
    static let macs: [UInt8] = [0xfe, 0x64, 0x0d, 0x81, 0xe1, 0x02, 0x0a, 0x58, 0x0a, 0x8b, 0x36, 0x14]

    static func ethernet(_ types: [UInt16], _ payload: [UInt8]) -> [UInt8] {
        macs + types.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] } + payload
    }

    @Test func ethernetIPv4() {
        let frame = LinkDecoder.decode(Self.ethernet([0x0800], Self.ip), linkType: .ethernet)
        #expect(frame == LinkFrame(payload: .ipv4(Self.ethernet([0x0800], Self.ip)[14...]), direction: .unknown))
    }

    @Test func ethernetPaddingStaysInThePayload() {
        // A 28-byte IP packet padded to the 60-byte Ethernet minimum: the consumer trims by total length.
        let data = Self.ethernet([0x0800], Self.ip) + [UInt8](repeating: 0, count: 18)
        guard case .ipv4(let packet) = LinkDecoder.decode(data, linkType: .ethernet).payload else {
            Issue.record("not IPv4")
            return
        }
        #expect(packet.count == 46)
        #expect(Array(packet.prefix(28)) == Self.ip)
    }

    @Test func stackedVLANTags() {
        // 802.1ad outer tag 10 (with PCP bits set), 802.1Q inner tag 20.
        let data = Self.ethernet([0x88a8, 0xa00a, 0x8100, 0x0014, 0x0800], Self.ip)
        let frame = LinkDecoder.decode(data, linkType: .ethernet)
        #expect(frame.vlanIDs == [10, 20])
        #expect(frame.payload == .ipv4(data[22...]))
    }

    @Test func vlanTagCutShort() {
        let data = Self.ethernet([0x8100, 0x0064], [])
        #expect(LinkDecoder.decode(data, linkType: .ethernet).payload == .malformed("VLAN tag at offset 14 needs 4 bytes, frame has 2 left"))
        let inner = Self.ethernet([0x8100, 0x0064, 0x8100], [0])
        let frame = LinkDecoder.decode(inner, linkType: .ethernet)
        #expect(frame.vlanIDs == [100])
        #expect(frame.payload == .malformed("VLAN tag at offset 18 needs 4 bytes, frame has 1 left"))
    }

    @Test func otherEtherTypes() {
        #expect(LinkDecoder.decode(Self.ethernet([0x0806], [1, 2]), linkType: .ethernet).payload == .arp)
        #expect(LinkDecoder.decode(Self.ethernet([0x86dd], [0x60]), linkType: .ethernet).payload == .ipv6)
        #expect(LinkDecoder.decode(Self.ethernet([0x88cc], []), linkType: .ethernet).payload == .other(etherType: 0x88cc))
        #expect(LinkDecoder.decode(Self.ethernet([0x8100, 0x0005, 0x86dd], []), linkType: .ethernet) == LinkFrame(payload: .ipv6, vlanIDs: [5]))
    }

    static func sll(packetType: UInt16, protocolType: UInt16, _ payload: [UInt8]) -> [UInt8] {
        [UInt8(packetType >> 8), UInt8(packetType & 0xff), 0, 1, 0, 6] + macs[6..<12] + [0, 0]
            + [UInt8(protocolType >> 8), UInt8(protocolType & 0xff)] + payload
    }

    static func sll2(packetType: UInt8, ifindex: UInt32, protocolType: UInt16, _ payload: [UInt8]) -> [UInt8] {
        [UInt8(protocolType >> 8), UInt8(protocolType & 0xff), 0, 0]
            + [UInt8(ifindex >> 24), UInt8(ifindex >> 16 & 0xff), UInt8(ifindex >> 8 & 0xff), UInt8(ifindex & 0xff)]
            + [0, 1, packetType, 6] + macs[6..<12] + [0, 0] + payload
    }

    @Test(arguments: [(UInt16(0), CaptureDirection.incoming), (1, .incoming), (2, .incoming), (3, .incoming), (4, .outgoing), (5, .unknown)])
    func sllDirection(_ packetType: UInt16, _ direction: CaptureDirection) {
        let data = Self.sll(packetType: packetType, protocolType: 0x0800, Self.ip)
        #expect(LinkDecoder.decode(data, linkType: .linuxSLL) == LinkFrame(payload: .ipv4(data[16...]), direction: direction))
    }

    @Test func sllWithReinsertedVLANTag() {
        // libpcap puts a VLAN tag the kernel stripped back at the SLL protocol field.
        let data = Self.sll(packetType: 0, protocolType: 0x8100, [0x00, 0x07, 0x08, 0x00] + Self.ip)
        #expect(LinkDecoder.decode(data, linkType: .linuxSLL) == LinkFrame(payload: .ipv4(data[20...]), direction: .incoming, vlanIDs: [7]))
    }

    @Test func sll2InterfaceAndDirection() {
        let outgoing = Self.sll2(packetType: 4, ifindex: 5, protocolType: 0x0800, Self.ip)
        #expect(LinkDecoder.decode(outgoing, linkType: .linuxSLL2) == LinkFrame(payload: .ipv4(outgoing[20...]), interfaceIndex: 5, direction: .outgoing))
        let big = Self.sll2(packetType: 0, ifindex: 0x0102_0304, protocolType: 0x0806, [])
        #expect(LinkDecoder.decode(big, linkType: .linuxSLL2) == LinkFrame(payload: .arp, interfaceIndex: 0x0102_0304, direction: .incoming))
    }

    @Test func rawIP() {
        #expect(LinkDecoder.decode(Self.ip, linkType: .raw).payload == .ipv4(Self.ip[...]))
        #expect(LinkDecoder.decode([0x60, 0, 0, 0], linkType: .raw).payload == .ipv6)
        #expect(LinkDecoder.decode([0x50], linkType: .raw).payload == .malformed("raw IP frame has IP version 5"))
        #expect(LinkDecoder.decode([], linkType: .raw).payload == .malformed("raw IP frame is empty"))
    }

    @Test func nullAndLoopFamilies() {
        let littleEndian: [UInt8] = [2, 0, 0, 0] + Self.ip
        let bigEndian: [UInt8] = [0, 0, 0, 2] + Self.ip
        #expect(LinkDecoder.decode(littleEndian, linkType: .null).payload == .ipv4(littleEndian[4...]))
        // A NULL capture written on a big-endian host.
        #expect(LinkDecoder.decode(bigEndian, linkType: .null).payload == .ipv4(bigEndian[4...]))
        #expect(LinkDecoder.decode(bigEndian, linkType: .loop).payload == .ipv4(bigEndian[4...]))
        #expect(LinkDecoder.decode([30, 0, 0, 0], linkType: .null).payload == .ipv6)
        #expect(LinkDecoder.decode([0, 0, 0, 24], linkType: .loop).payload == .ipv6)
        #expect(LinkDecoder.decode([7, 0, 0, 0], linkType: .null).payload == .other(etherType: 7))
    }

    @Test(arguments: [
        (LinkType.ethernet, 9, "Ethernet header needs 14 bytes, frame has 9"),
        (.linuxSLL, 15, "Linux cooked (SLL) header needs 16 bytes, frame has 15"),
        (.linuxSLL2, 19, "Linux cooked (SLL2) header needs 20 bytes, frame has 19"),
        (.null, 3, "NULL header needs 4 bytes, frame has 3"),
        (.loop, 0, "LOOP header needs 4 bytes, frame has 0"),
    ])
    func shortFramesAreMalformed(_ linkType: LinkType, _ length: Int, _ message: String) {
        let frame = LinkDecoder.decode([UInt8](repeating: 0x45, count: length), linkType: linkType)
        #expect(frame.payload == .malformed(message))
        #expect(frame.interfaceIndex == nil)
        #expect(frame.vlanIDs.isEmpty)
    }

    @Test func unsupportedLinkType() {
        #expect(LinkDecoder.decode(Self.ip, linkType: .other(105)).payload == .malformed("link type DLT 105 (IEEE802_11) is not supported"))
    }

    @Test func decodesAFrameByItsLinkType() {
        let frame = CapturedFrame(number: 1, timestamp: 0, data: [2, 0, 0, 0] + Self.ip, originalLength: 32, linkType: .null)
        #expect(LinkDecoder.decode(frame).payload == .ipv4(frame.data[4...]))
    }
}

@Suite struct LinkTypeTests {
    @Test(arguments: [
        (Int32(1), LinkType.ethernet, "EN10MB"), (113, .linuxSLL, "LINUX_SLL"), (276, .linuxSLL2, "LINUX_SLL2"),
        (12, .raw, "RAW"), (228, .raw, "RAW"), (101, .raw, "RAW"), (0, .null, "NULL"), (108, .loop, "LOOP"),
        (105, .other(105), "DLT 105 (IEEE802_11)"), (127, .other(127), "DLT 127 (IEEE802_11_RADIO)"), (4000, .other(4000), "DLT 4000"),
    ])
    func fromDLT(_ dlt: Int32, _ linkType: LinkType, _ name: String) {
        #expect(LinkType(dlt: dlt) == linkType)
        #expect(linkType.description == name)
        #expect(linkType.isSupported == !name.hasPrefix("DLT"))
    }

    @Test func dltForWriting() {
        #expect(LinkType.supported.map(\.dlt) == [1, 113, 276, 12, 0, 108])
        #expect(LinkType.other(105).dlt == 105)
        #expect(LinkType.supported.allSatisfy { LinkType(dlt: $0.dlt) == $0 })
    }
}
