import Netfilter
import TraceFormat

/// The packet as it left (or as it was when dropped), as `trace` prints its "as it left" line.
enum PacketDescriptionText {
    static func final(_ trace: PacketTrace) -> String { PacketDescription.spec(trace.finalPacket, ingress: nil) }
}
