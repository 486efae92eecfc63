import Netfilter
import TraceFormat

enum PacketSpecText {
    static func text(_ trace: PacketTrace) -> String { PacketDescription.spec(trace.input.packet, ingress: trace.input.ingress) }
}
