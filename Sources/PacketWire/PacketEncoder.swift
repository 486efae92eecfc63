import Netfilter

/// Builds the bytes of an IPv4 packet from a `Netfilter.Packet`. Standard library only.
///
/// Layout: a 20-byte IPv4 header (IHL 5, no options) followed by
/// * TCP: a 20-byte header (data offset 5, no options), checksum over the pseudo header;
/// * UDP: an 8-byte header, checksum over the pseudo header (0 is sent as 0xffff);
/// * ICMP: an 8-byte header; echo-like types (0/8, 13/14, 15/16, 17/18) carry id/sequence; for
///   errors (`quoted != nil`) the quoted packet's 20-byte IPv4 header and the first 8 bytes of its
///   L4 header follow;
/// * other protocols: payload only;
/// then `payloadByte` repeated up to `totalLength`. Headers that do not fit in `totalLength` are
/// truncated (the packet is always exactly `totalLength` bytes, at least 20).
/// Non-first fragments (`fragmentOffset != 0`) carry payload only, no L4 header.
public enum PacketEncoder {
    public static func ipv4Bytes(_ p: Packet, payloadByte: UInt8 = 0x78) -> [UInt8] {
        let total = max(Int(p.totalLength), 20)
        var bytes = [UInt8](repeating: payloadByte, count: total)
        var header = ipv4Header(
            source: p.source, destination: p.destination, proto: p.proto, totalLength: UInt16(total),
            tos: p.tos, id: p.ipID, ttl: p.ttl, dontFragment: p.dontFragment,
            moreFragments: p.moreFragments, fragmentOffset: p.fragmentOffset)
        bytes.replaceSubrange(0..<20, with: header)
        header.removeAll()
        guard p.fragmentOffset == 0 else { return bytes }

        var l4 = Array(bytes[20...])
        switch p.proto {
        case IPProtocolNumber.tcp:
            var h = [UInt8](repeating: 0, count: 20)
            put16(&h, 0, p.sourcePort)
            put16(&h, 2, p.destinationPort)
            put32(&h, 4, p.sequence)
            put32(&h, 8, p.acknowledgement)
            h[12] = 5 << 4
            h[13] = p.tcpFlags.rawValue
            put16(&h, 14, p.window)
            overlay(&l4, h)
            if l4.count >= 18 {
                l4[16] = 0; l4[17] = 0
                let sum = checksum(pseudoHeader(p.source, p.destination, p.proto, l4.count) + l4)
                l4[16] = UInt8(sum >> 8); l4[17] = UInt8(sum & 0xff)
            }
        case IPProtocolNumber.udp:
            var h = [UInt8](repeating: 0, count: 8)
            put16(&h, 0, p.sourcePort)
            put16(&h, 2, p.destinationPort)
            put16(&h, 4, UInt16(l4.count))
            overlay(&l4, h)
            if l4.count >= 8 {
                var sum = checksum(pseudoHeader(p.source, p.destination, p.proto, l4.count) + l4)
                if sum == 0 { sum = 0xffff }
                l4[6] = UInt8(sum >> 8); l4[7] = UInt8(sum & 0xff)
            }
        case IPProtocolNumber.icmp:
            var h = [UInt8](repeating: 0, count: 8)
            h[0] = p.icmpType
            h[1] = p.icmpCode
            if isEchoLike(p.icmpType) {
                put16(&h, 4, p.icmpID)
                put16(&h, 6, p.icmpSequence)
            }
            if let q = p.quoted {
                h += quotedBytes(q)
            }
            overlay(&l4, h)
            if l4.count >= 4 {
                l4[2] = 0; l4[3] = 0
                let sum = checksum(l4)
                l4[2] = UInt8(sum >> 8); l4[3] = UInt8(sum & 0xff)
            }
        default:
            break
        }
        bytes.replaceSubrange(20..., with: l4)
        return bytes
    }

    /// The 28 bytes an ICMP error quotes: an IPv4 header and the first 8 L4 bytes. The quoted
    /// L4 checksum is left 0 (the kernel does not check it in an embedded header).
    public static func quotedBytes(_ q: QuotedPacket) -> [UInt8] {
        let length = q.totalLength != 0 ? q.totalLength : UInt16(20 + max(Packet.headerLength(proto: q.proto), 8))
        var bytes = ipv4Header(
            source: q.source, destination: q.destination, proto: q.proto, totalLength: length, tos: 0,
            id: q.ipID, ttl: q.ttl, dontFragment: false, moreFragments: false, fragmentOffset: 0)
        var l4 = [UInt8](repeating: 0, count: 8)
        switch q.proto {
        case IPProtocolNumber.tcp, IPProtocolNumber.udp, IPProtocolNumber.sctp, IPProtocolNumber.udplite:
            put16(&l4, 0, q.sourcePort)
            put16(&l4, 2, q.destinationPort)
            if q.proto == IPProtocolNumber.udp { put16(&l4, 4, max(length, 28) - 20) }
        case IPProtocolNumber.icmp:
            l4[0] = q.icmpType
            l4[1] = q.icmpCode
            put16(&l4, 4, q.icmpID)
        default:
            break
        }
        bytes += l4
        return bytes
    }

    /// A 20-byte IPv4 header with a correct header checksum.
    public static func ipv4Header(
        source: IPv4Address, destination: IPv4Address, proto: UInt8, totalLength: UInt16, tos: UInt8,
        id: UInt16, ttl: UInt8, dontFragment: Bool, moreFragments: Bool, fragmentOffset: UInt16
    ) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 20)
        h[0] = 0x45
        h[1] = tos
        put16(&h, 2, totalLength)
        put16(&h, 4, id)
        var flags = fragmentOffset & 0x1fff
        if dontFragment { flags |= 0x4000 }
        if moreFragments { flags |= 0x2000 }
        put16(&h, 6, flags)
        h[8] = ttl
        h[9] = proto
        put32(&h, 12, source.value)
        put32(&h, 16, destination.value)
        let sum = checksum(h)
        h[10] = UInt8(sum >> 8); h[11] = UInt8(sum & 0xff)
        return h
    }

    /// An Ethernet II frame (EtherType 0x0800) around `ipv4`. MACs are 6 bytes each.
    public static func ethernetFrame(ipv4: [UInt8], source: [UInt8], destination: [UInt8]) -> [UInt8] {
        precondition(source.count == 6 && destination.count == 6, "MAC addresses are 6 bytes")
        return destination + source + [0x08, 0x00] + ipv4
    }

    /// Parses `aa:bb:cc:dd:ee:ff`.
    public static func macAddress(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ":")
        guard parts.count == 6 else { return nil }
        var result: [UInt8] = []
        for part in parts {
            guard let byte = UInt8(part, radix: 16) else { return nil }
            result.append(byte)
        }
        return result
    }

    /// The Internet checksum (RFC 1071) of `bytes`: the value to store in the checksum field.
    public static func checksum<C: Collection>(_ bytes: C) -> UInt16 where C.Element == UInt8 {
        ~onesComplementSum(bytes)
    }

    /// The folded one's-complement sum; a received header or segment (with its checksum field and,
    /// for TCP/UDP, the pseudo header) is valid when this is 0xffff.
    public static func onesComplementSum<C: Collection>(_ bytes: C) -> UInt16 where C.Element == UInt8 {
        var sum: UInt32 = 0
        var high = true
        for byte in bytes {
            sum += high ? UInt32(byte) << 8 : UInt32(byte)
            high.toggle()
        }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        return UInt16(sum)
    }

    public static func pseudoHeader(_ source: IPv4Address, _ destination: IPv4Address, _ proto: UInt8, _ length: Int) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 12)
        put32(&h, 0, source.value)
        put32(&h, 4, destination.value)
        h[9] = proto
        put16(&h, 10, UInt16(truncatingIfNeeded: length))
        return h
    }

    /// ICMP types whose header carries identifier and sequence number.
    public static func isEchoLike(_ type: UInt8) -> Bool {
        ICMPType.replyType(forRequest: type) != nil || ICMPType.requestType(forReply: type) != nil
    }

    static func overlay(_ target: inout [UInt8], _ header: [UInt8]) {
        for i in 0..<min(target.count, header.count) { target[i] = header[i] }
    }

    static func put16(_ b: inout [UInt8], _ at: Int, _ v: UInt16) {
        b[at] = UInt8(v >> 8); b[at + 1] = UInt8(v & 0xff)
    }

    static func put32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
        b[at] = UInt8(v >> 24); b[at + 1] = UInt8(v >> 16 & 0xff); b[at + 2] = UInt8(v >> 8 & 0xff); b[at + 3] = UInt8(v & 0xff)
    }
}
