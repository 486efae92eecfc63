/// One direction of a connection as conntrack keys it. For ICMP the "ports" are the
/// identifier (source side) and type << 8 | code (destination side), as the kernel's
/// ICMP tuple holds (id, type, code); other protocols without ports use zeros.
public struct ConntrackTuple: Hashable, Sendable, CustomStringConvertible {
    public var source: IPv4Address
    public var destination: IPv4Address
    public var proto: UInt8
    public var sourcePort: UInt16
    public var destinationPort: UInt16

    public init(source: IPv4Address, destination: IPv4Address, proto: UInt8, sourcePort: UInt16, destinationPort: UInt16) {
        self.source = source
        self.destination = destination
        self.proto = proto
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
    }

    public init(_ packet: Packet) {
        self.init(packet: packet.source, packet.destination, proto: packet.proto, sourcePort: packet.sourcePort,
                  destinationPort: packet.destinationPort, icmpType: packet.icmpType, icmpCode: packet.icmpCode, icmpID: packet.icmpID)
    }

    public init(_ quoted: QuotedPacket) {
        self.init(packet: quoted.source, quoted.destination, proto: quoted.proto, sourcePort: quoted.sourcePort,
                  destinationPort: quoted.destinationPort, icmpType: quoted.icmpType, icmpCode: quoted.icmpCode, icmpID: quoted.icmpID)
    }

    private init(packet source: IPv4Address, _ destination: IPv4Address, proto: UInt8, sourcePort: UInt16, destinationPort: UInt16, icmpType: UInt8, icmpCode: UInt8, icmpID: UInt16) {
        self.source = source
        self.destination = destination
        self.proto = proto
        if IPProtocolNumber.hasPorts(proto) {
            self.sourcePort = sourcePort
            self.destinationPort = destinationPort
        } else if proto == IPProtocolNumber.icmp {
            self.sourcePort = icmpID
            self.destinationPort = UInt16(icmpType) << 8 | UInt16(icmpCode)
        } else {
            self.sourcePort = 0
            self.destinationPort = 0
        }
    }

    public var icmpType: UInt8 { UInt8(destinationPort >> 8) }
    public var icmpCode: UInt8 { UInt8(destinationPort & 0xff) }

    /// The tuple a reply would carry.
    public var inverted: ConntrackTuple {
        if proto == IPProtocolNumber.icmp {
            let replyType = ICMPType.replyType(forRequest: icmpType) ?? ICMPType.requestType(forReply: icmpType) ?? icmpType
            return ConntrackTuple(source: destination, destination: source, proto: proto, sourcePort: sourcePort,
                                  destinationPort: UInt16(replyType) << 8 | UInt16(icmpCode))
        }
        return ConntrackTuple(source: destination, destination: source, proto: proto, sourcePort: destinationPort, destinationPort: sourcePort)
    }

    /// `conntrack -L` spelling of the tuple.
    public var description: String {
        var text = "src=\(source) dst=\(destination)"
        if IPProtocolNumber.hasPorts(proto) {
            text += " sport=\(sourcePort) dport=\(destinationPort)"
        } else if proto == IPProtocolNumber.icmp {
            text += " type=\(icmpType) code=\(icmpCode) id=\(sourcePort)"
        }
        return text
    }
}
