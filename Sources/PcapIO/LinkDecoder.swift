/// Finds the network-layer packet behind each link type's header.
///
/// Allocation-free on the common path: the IPv4 payload is a slice of the frame's own storage,
/// and `vlanIDs` only allocates for tagged frames.
public enum LinkDecoder {
    public static func decode(_ frame: CapturedFrame) -> LinkFrame {
        decode(frame.data, linkType: frame.linkType)
    }

    public static func decode(_ data: [UInt8], linkType: LinkType) -> LinkFrame {
        switch linkType {
        case .ethernet: decodeEthernet(data)
        case .linuxSLL: decodeSLL(data)
        case .linuxSLL2: decodeSLL2(data)
        case .raw: decodeRaw(data)
        case .null: decodeFamilyHeader(data, networkOrder: false)
        case .loop: decodeFamilyHeader(data, networkOrder: true)
        case .other: LinkFrame(payload: .malformed("link type \(linkType) is not supported"))
        }
    }

    // Ethernet: destination, source, EtherType (VLAN tags sit before the EtherType they wrap).
    private static func decodeEthernet(_ data: [UInt8]) -> LinkFrame {
        guard data.count >= 14 else {
            return LinkFrame(payload: .malformed("Ethernet header needs 14 bytes, frame has \(data.count)"))
        }
        return decodeEtherType(data, typeOffset: 12, payloadOffset: 14, interfaceIndex: nil, direction: .unknown)
    }

    // SLL: packet type, ARPHRD type, address length, address (8), protocol. libpcap re-inserts a
    // stripped VLAN tag at the protocol field, so tags follow the header as on Ethernet.
    private static func decodeSLL(_ data: [UInt8]) -> LinkFrame {
        guard data.count >= 16 else {
            return LinkFrame(payload: .malformed("Linux cooked (SLL) header needs 16 bytes, frame has \(data.count)"))
        }
        let direction = CaptureDirection(linuxPacketType: bigEndian16(data, at: 0))
        return decodeEtherType(data, typeOffset: 14, payloadOffset: 16, interfaceIndex: nil, direction: direction)
    }

    // SLL2: protocol, reserved, ifindex (4), ARPHRD type, packet type (1), address length (1), address (8).
    private static func decodeSLL2(_ data: [UInt8]) -> LinkFrame {
        guard data.count >= 20 else {
            return LinkFrame(payload: .malformed("Linux cooked (SLL2) header needs 20 bytes, frame has \(data.count)"))
        }
        let interfaceIndex = Int(bigEndian16(data, at: 4)) << 16 | Int(bigEndian16(data, at: 6))
        let direction = CaptureDirection(linuxPacketType: UInt16(data[10]))
        return decodeEtherType(data, typeOffset: 0, payloadOffset: 20, interfaceIndex: interfaceIndex, direction: direction)
    }

    // Raw IP: the version nibble says which IP.
    private static func decodeRaw(_ data: [UInt8]) -> LinkFrame {
        guard let first = data.first else { return LinkFrame(payload: .malformed("raw IP frame is empty")) }
        switch first >> 4 {
        case 4: return LinkFrame(payload: .ipv4(data[...]))
        case 6: return LinkFrame(payload: .ipv6)
        case let version: return LinkFrame(payload: .malformed("raw IP frame has IP version \(version)"))
        }
    }

    // NULL (the writer's byte order) and LOOP (network order): a 4-byte address family.
    private static func decodeFamilyHeader(_ data: [UInt8], networkOrder: Bool) -> LinkFrame {
        guard data.count >= 4 else {
            let name = networkOrder ? "LOOP" : "NULL"
            return LinkFrame(payload: .malformed("\(name) header needs 4 bytes, frame has \(data.count)"))
        }
        let big = UInt32(bigEndian16(data, at: 0)) << 16 | UInt32(bigEndian16(data, at: 2))
        var family = big
        if !networkOrder {
            // Families are small, so a value with high bits set was written by the other byte
            // order (tcpdump's rule).
            family = big.byteSwapped
            if family & 0xffff_0000 != 0 { family = big }
        }
        switch family {
        case 2: return LinkFrame(payload: .ipv4(data[4...]))
        case 10, 24, 28, 30: return LinkFrame(payload: .ipv6)  // AF_INET6 on Linux, NetBSD/OpenBSD, FreeBSD, Darwin
        default: return LinkFrame(payload: .other(etherType: UInt16(truncatingIfNeeded: family)))
        }
    }

    /// The EtherType at `typeOffset`, then any VLAN tags starting at `payloadOffset`, each a TCI
    /// followed by the next EtherType.
    private static func decodeEtherType(
        _ data: [UInt8], typeOffset: Int, payloadOffset: Int, interfaceIndex: Int?, direction: CaptureDirection
    ) -> LinkFrame {
        var vlanIDs: [UInt16] = []
        var etherType = bigEndian16(data, at: typeOffset)
        var offset = payloadOffset
        while etherType == 0x8100 || etherType == 0x88a8 {
            guard data.count >= offset + 4 else {
                let payload = NetworkPayload.malformed(
                    "VLAN tag at offset \(offset) needs 4 bytes, frame has \(data.count - offset) left")
                return LinkFrame(payload: payload, interfaceIndex: interfaceIndex, direction: direction, vlanIDs: vlanIDs)
            }
            vlanIDs.append(bigEndian16(data, at: offset) & 0x0fff)
            etherType = bigEndian16(data, at: offset + 2)
            offset += 4
        }
        let payload: NetworkPayload =
            switch etherType {
            case 0x0800: .ipv4(data[offset...])
            case 0x86dd: .ipv6
            case 0x0806: .arp
            default: .other(etherType: etherType)
            }
        return LinkFrame(payload: payload, interfaceIndex: interfaceIndex, direction: direction, vlanIDs: vlanIDs)
    }

    @inline(__always)
    private static func bigEndian16(_ data: [UInt8], at offset: Int) -> UInt16 {
        UInt16(data[offset]) << 8 | UInt16(data[offset + 1])
    }
}
