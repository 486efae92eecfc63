import Netfilter

/// A connection as a person names it: protocol and both ends, the same for a packet and its
/// answer (the ends are put in order), so a flow's packets are counted together.
public struct FlowKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var proto: UInt8
    public var first: String
    public var second: String

    public init(_ packet: Packet) {
        proto = packet.proto
        let ports = IPProtocolNumber.hasPorts(packet.proto)
        let source = ports ? "\(packet.source):\(packet.sourcePort)" : "\(packet.source)"
        let destination = ports ? "\(packet.destination):\(packet.destinationPort)" : "\(packet.destination)"
        // An echo and its reply share the ICMP id; the id keeps two pings apart.
        let suffix = packet.proto == IPProtocolNumber.icmp && !packet.isICMPError ? " id=\(packet.icmpID)" : ""
        let (low, high) = Self.ordered(packet.source, packet.destination, source, destination)
        first = low
        second = high + suffix
    }

    private static func ordered(_ a: IPv4Address, _ b: IPv4Address, _ textA: String, _ textB: String) -> (String, String) {
        a.value <= b.value ? (textA, textB) : (textB, textA)
    }

    public var description: String { "\(IPProtocolNumber.name(proto)) \(first) <> \(second)" }

    public static func < (lhs: FlowKey, rhs: FlowKey) -> Bool { (lhs.first, lhs.second, lhs.proto) < (rhs.first, rhs.second, rhs.proto) }
}
