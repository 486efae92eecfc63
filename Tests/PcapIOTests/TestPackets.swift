/// IPv4 packets built by hand for the link decoder and reassembler tests.
enum TestPackets {
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var sum: UInt32 = 0
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.endIndex { sum += UInt32(bytes[index]) << 8 }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }

    /// An IPv4 packet with a correct header checksum.
    static func ipv4(
        source: [UInt8] = [10, 139, 54, 20], destination: [UInt8] = [10, 139, 54, 158], protocolNumber: UInt8 = 17,
        id: UInt16 = 0x1234, tos: UInt8 = 0, dontFragment: Bool = false, moreFragments: Bool = false,
        offsetBytes: Int = 0, options: [UInt8] = [], payload: [UInt8]
    ) -> [UInt8] {
        let headerLength = 20 + options.count
        let total = headerLength + payload.count
        let flags: UInt16 = (dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0) | UInt16(offsetBytes / 8)
        var packet: [UInt8] = [
            0x40 | UInt8(headerLength / 4), tos, UInt8(total >> 8), UInt8(total & 0xff),
            UInt8(id >> 8), UInt8(id & 0xff), UInt8(flags >> 8), UInt8(flags & 0xff),
            64, protocolNumber, 0, 0,
        ]
        packet += source + destination + options
        let sum = checksum(packet[...])
        packet[10] = UInt8(sum >> 8)
        packet[11] = UInt8(sum & 0xff)
        return packet + payload
    }

    /// A datagram's payload cut at `size`-byte boundaries (multiples of 8 except the last),
    /// as fragments: (offset, bytes, more fragments).
    static func split(_ payload: [UInt8], size: Int) -> [(offset: Int, bytes: [UInt8], more: Bool)] {
        stride(from: 0, to: payload.count, by: size).map { start in
            let end = min(start + size, payload.count)
            return (start, Array(payload[start..<end]), end < payload.count)
        }
    }

    static func fragments(
        of payload: [UInt8], size: Int, id: UInt16 = 0x1234, dontFragment: Bool = false, tos: UInt8 = 0
    ) -> [[UInt8]] {
        split(payload, size: size).map {
            ipv4(id: id, tos: tos, dontFragment: dontFragment, moreFragments: $0.more, offsetBytes: $0.offset, payload: $0.bytes)
        }
    }

    static func pattern(_ count: Int, seed: Int = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ seed) }
    }
}
