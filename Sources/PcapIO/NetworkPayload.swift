/// What a link-layer header carries.
public enum NetworkPayload: Sendable, Equatable {
    /// The IPv4 packet from its first header byte to the end of the captured bytes. It may be
    /// shorter than the IP total length (snaplen) or longer (Ethernet padding): it is not trimmed,
    /// the consumer reads the total length.
    case ipv4(ArraySlice<UInt8>)
    case ipv6
    case arp
    /// Anything else: the EtherType, the address family for NULL/LOOP, the protocol for SLL.
    case other(etherType: UInt16)
    /// The headers are cut short or inconsistent; the text says how.
    case malformed(String)
}
