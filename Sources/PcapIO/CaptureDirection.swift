/// Which way a frame crossed the capturing interface, as Linux cooked captures record it.
public enum CaptureDirection: Sendable, Hashable {
    /// SLL packet types 0 (host), 1 (broadcast), 2 (multicast), 3 (other host).
    case incoming
    /// SLL packet type 4: the node sent it (a forwarded packet's second copy, after NAT).
    case outgoing
    /// The link type does not record a direction, or the packet type is not one of the above.
    case unknown

    /// The `sll_pkttype` of an SLL or SLL2 header.
    init(linuxPacketType: UInt16) {
        switch linuxPacketType {
        case 0...3: self = .incoming
        case 4: self = .outgoing
        default: self = .unknown
        }
    }
}
