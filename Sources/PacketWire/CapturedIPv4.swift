import Netfilter

/// An IPv4 packet read from a capture, where the snaplen may have cut it short.
public enum CapturedIPv4: Sendable, Equatable {
    /// `truncated`: the capture holds fewer bytes than the IP total length, but every header
    /// field netfilter can match is present, so the packet can still be replayed exactly
    /// (counters use the total length from the header, not the captured bytes).
    case packet(Packet, truncated: Bool)
    /// Not usable, and why.
    case unusable(String)
}

extension PacketDecoder {
    /// Decodes the IPv4 packet at the start of `bytes` (link-layer padding after the total
    /// length is ignored). A frame cut by the snaplen is accepted when its headers are whole.
    public static func decodeCaptured(_ bytes: ArraySlice<UInt8>) -> CapturedIPv4 {
        guard bytes.count >= 20 else { return .unusable("IPv4 header needs 20 bytes, the capture holds \(bytes.count)") }
        let base = bytes.startIndex
        guard bytes[base] >> 4 == 4 else { return .unusable("not IPv4 (version \(bytes[base] >> 4))") }
        let ihl = Int(bytes[base] & 0x0f) * 4
        let total = Int(bytes[base + 2]) << 8 | Int(bytes[base + 3])
        guard ihl >= 20 else { return .unusable("IPv4 header length \(ihl) is below 20") }
        guard total >= ihl else { return .unusable("IPv4 total length \(total) is shorter than its header (\(ihl))") }
        guard bytes.count >= ihl else { return .unusable("IPv4 header with options needs \(ihl) bytes, the capture holds \(bytes.count)") }
        if bytes.count >= total {
            guard let packet = decodeIPv4(Array(bytes.prefix(total))) else { return .unusable("malformed IPv4 packet") }
            return .packet(packet, truncated: false)
        }
        let fragmentOffset = (Int(bytes[base + 6]) << 8 | Int(bytes[base + 7])) & 0x1fff
        let needed = ihl + (fragmentOffset == 0 ? matchableHeaderLength(proto: bytes[base + 9], l4: bytes.dropFirst(ihl)) : 0)
        guard bytes.count >= needed else {
            return .unusable("cut by the snaplen: \(bytes.count) of \(total) bytes captured, \(needed) needed for the headers netfilter matches")
        }
        // Pad to the total length so the ordinary decoder reads the headers; the padding is
        // never looked at (payload is not modelled).
        var padded = Array(bytes)
        padded.append(contentsOf: repeatElement(0, count: total - bytes.count))
        guard let packet = decodeIPv4(padded) else { return .unusable("malformed IPv4 packet") }
        return .packet(packet, truncated: true)
    }

    /// How much of the L4 header netfilter matches on: TCP through the window, UDP ports,
    /// ICMP type/code/id/sequence, and for an ICMP error the quoted header conntrack reads.
    static func matchableHeaderLength(proto: UInt8, l4: ArraySlice<UInt8>) -> Int {
        switch proto {
        case IPProtocolNumber.tcp: return 16
        case IPProtocolNumber.udp, IPProtocolNumber.udplite, IPProtocolNumber.sctp: return 4
        case IPProtocolNumber.icmp:
            guard let type = l4.first else { return 8 }
            guard ICMPType.isError(type), l4.count >= 9 else { return 8 }
            let innerIHL = Int(l4[l4.startIndex + 8] & 0x0f) * 4
            return 8 + max(innerIHL, 20) + 8
        default: return 0
        }
    }
}
