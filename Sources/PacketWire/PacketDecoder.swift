import Netfilter

/// The inverse of `PacketEncoder`: reads an IPv4 packet (IHL may be > 5; options are skipped).
public enum PacketDecoder {
    /// Returns nil for anything that is not a well-formed IPv4 packet (version, IHL, total
    /// length larger than the buffer). A truncated L4 header leaves the missing fields zero.
    /// The mark is not on the wire and stays 0.
    public static func decodeIPv4(_ bytes: [UInt8]) -> Packet? {
        guard bytes.count >= 20, bytes[0] >> 4 == 4 else { return nil }
        let ihl = Int(bytes[0] & 0x0f) * 4
        let total = Int(get16(bytes, 2))
        guard ihl >= 20, total >= ihl, total <= bytes.count else { return nil }
        var p = Packet(
            source: IPv4Address(get32(bytes, 12)), destination: IPv4Address(get32(bytes, 16)),
            proto: bytes[9], totalLength: UInt16(total))
        p.tos = bytes[1]
        p.ipID = get16(bytes, 4)
        let flags = get16(bytes, 6)
        p.dontFragment = flags & 0x4000 != 0
        p.moreFragments = flags & 0x2000 != 0
        p.fragmentOffset = flags & 0x1fff
        p.ttl = bytes[8]
        guard p.fragmentOffset == 0 else { return p }
        let l4 = Array(bytes[ihl..<total])
        switch p.proto {
        case IPProtocolNumber.tcp:
            if l4.count >= 4 { p.sourcePort = get16(l4, 0); p.destinationPort = get16(l4, 2) }
            if l4.count >= 12 { p.sequence = get32(l4, 4); p.acknowledgement = get32(l4, 8) }
            if l4.count >= 14 { p.tcpFlags = TCPFlags(rawValue: l4[13]) }
            if l4.count >= 16 { p.window = get16(l4, 14) }
        case IPProtocolNumber.udp, IPProtocolNumber.udplite, IPProtocolNumber.sctp:
            if l4.count >= 4 { p.sourcePort = get16(l4, 0); p.destinationPort = get16(l4, 2) }
        case IPProtocolNumber.icmp:
            if l4.count >= 2 { p.icmpType = l4[0]; p.icmpCode = l4[1] }
            if l4.count >= 8, PacketEncoder.isEchoLike(p.icmpType) {
                p.icmpID = get16(l4, 4); p.icmpSequence = get16(l4, 6)
            }
            if ICMPType.isError(p.icmpType), l4.count >= 8 + 20 {
                p.quoted = decodeQuoted(Array(l4[8...]))
            }
        default:
            break
        }
        return p
    }

    /// The inner header of an ICMP error: an IPv4 header and (up to) 8 bytes of L4.
    public static func decodeQuoted(_ bytes: [UInt8]) -> QuotedPacket? {
        guard bytes.count >= 20, bytes[0] >> 4 == 4 else { return nil }
        let ihl = Int(bytes[0] & 0x0f) * 4
        guard ihl >= 20, bytes.count >= ihl else { return nil }
        var q = QuotedPacket(
            source: IPv4Address(get32(bytes, 12)), destination: IPv4Address(get32(bytes, 16)), proto: bytes[9],
            totalLength: get16(bytes, 2), ipID: get16(bytes, 4), ttl: bytes[8])
        let l4 = Array(bytes[ihl...])
        switch q.proto {
        case IPProtocolNumber.icmp:
            if l4.count >= 2 { q.icmpType = l4[0]; q.icmpCode = l4[1] }
            if l4.count >= 6 { q.icmpID = get16(l4, 4) }
        default:
            if l4.count >= 4 { q.sourcePort = get16(l4, 0); q.destinationPort = get16(l4, 2) }
        }
        return q
    }

    /// Strips an Ethernet II header; nil unless EtherType is IPv4.
    public static func ipv4FromEthernet(_ frame: [UInt8]) -> [UInt8]? {
        guard frame.count >= 14, frame[12] == 0x08, frame[13] == 0x00 else { return nil }
        return Array(frame[14...])
    }

    /// Whether the IPv4 header checksum and the TCP/UDP/ICMP checksum verify.
    public static func checksumsValid(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 20 else { return false }
        let ihl = Int(bytes[0] & 0x0f) * 4
        let total = Int(get16(bytes, 2))
        guard ihl >= 20, total >= ihl, total <= bytes.count else { return false }
        guard PacketEncoder.onesComplementSum(bytes[0..<ihl]) == 0xffff else { return false }
        guard get16(bytes, 6) & 0x1fff == 0 else { return true }
        let l4 = Array(bytes[ihl..<total])
        let source = IPv4Address(get32(bytes, 12)), destination = IPv4Address(get32(bytes, 16))
        switch bytes[9] {
        case IPProtocolNumber.tcp:
            guard l4.count >= 20 else { return false }
            return PacketEncoder.onesComplementSum(PacketEncoder.pseudoHeader(source, destination, 6, l4.count) + l4) == 0xffff
        case IPProtocolNumber.udp:
            guard l4.count >= 8 else { return false }
            if l4[6] == 0 && l4[7] == 0 { return true }
            return PacketEncoder.onesComplementSum(PacketEncoder.pseudoHeader(source, destination, 17, l4.count) + l4) == 0xffff
        case IPProtocolNumber.icmp:
            guard l4.count >= 4 else { return false }
            return PacketEncoder.onesComplementSum(l4) == 0xffff
        default:
            return true
        }
    }

    static func get16(_ b: [UInt8], _ at: Int) -> UInt16 { UInt16(b[at]) << 8 | UInt16(b[at + 1]) }
    static func get32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
    }
}
