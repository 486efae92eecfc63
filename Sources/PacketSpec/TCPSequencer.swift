import Netfilter

/// Fills in what a `--pkt` spec leaves out the way a real TCP stack would: each side's
/// sequence numbers continue from what it sent, ACKs acknowledge what the other side
/// sent, and IP ids count up, so a hand-written handshake stays inside conntrack's windows.
public struct TCPSequencer: Sendable {
    private struct Side: Hashable {
        var address: IPv4Address
        var port: UInt16
    }
    private var nextSequence: [Side: UInt32] = [:]
    private var nextIPID: UInt16 = 1

    public init() {}

    public mutating func complete(_ spec: PacketSpec) -> Packet {
        var packet = spec.packet
        if !spec.ipIDGiven {
            packet.ipID = nextIPID
            nextIPID &+= 1
        }
        guard packet.proto == IPProtocolNumber.tcp else { return packet }
        let me = Side(address: packet.source, port: packet.sourcePort)
        let peer = Side(address: packet.destination, port: packet.destinationPort)
        if !spec.sequenceGiven {
            // A SYN (or a retransmitted one) starts from the endpoint's stable ISN.
            packet.sequence = packet.tcpFlags.contains(.syn) ? Self.initialSequence(me) : nextSequence[me] ?? Self.initialSequence(me)
        }
        if !spec.acknowledgementGiven, packet.tcpFlags.contains(.ack) {
            packet.acknowledgement = nextSequence[peer] ?? 0
        }
        if !spec.windowGiven { packet.window = 64240 }
        let payload = UInt32(max(0, Int(packet.totalLength) - 40))
        let consumed = payload + (packet.tcpFlags.contains(.syn) ? 1 : 0) + (packet.tcpFlags.contains(.fin) ? 1 : 0)
        nextSequence[me] = packet.sequence &+ consumed
        return packet
    }

    private static func initialSequence(_ side: Side) -> UInt32 {
        var hash = UInt64(side.address.value) << 16 | UInt64(side.port)
        hash = (hash ^ (hash >> 33)) &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return UInt32(truncatingIfNeeded: hash) | 1
    }
}
