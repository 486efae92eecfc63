import Netfilter

/// Packets written back in the `--pkt` grammar, so output can be pasted as input.
public enum PacketDescription {
    public static func spec(_ packet: Packet, ingress: Ingress?) -> String {
        var parts: [String] = []
        switch ingress {
        case .interface(let name): parts.append("in=\(name)")
        case .local: parts.append("local")
        case nil: break
        }
        parts.append(IPProtocolNumber.name(packet.proto))
        if IPProtocolNumber.hasPorts(packet.proto) {
            parts.append("\(packet.source):\(packet.sourcePort) > \(packet.destination):\(packet.destinationPort)")
        } else {
            parts.append("\(packet.source) > \(packet.destination)")
        }
        if packet.proto == IPProtocolNumber.tcp {
            parts.append("flags=\(packet.tcpFlags.isEmpty ? "" : packet.tcpFlags.tcpdumpLetters) seq=\(packet.sequence)")
            if packet.tcpFlags.contains(.ack) { parts.append("ack=\(packet.acknowledgement)") }
        }
        if packet.proto == IPProtocolNumber.icmp {
            parts.append("type=\(packet.icmpType) code=\(packet.icmpCode)")
            if packet.isICMPError, let quoted = packet.quoted {
                let ports = IPProtocolNumber.hasPorts(quoted.proto)
                parts.append("quote=\(IPProtocolNumber.name(quoted.proto)),\(quoted.source)\(ports ? ":\(quoted.sourcePort)" : ""),\(quoted.destination)\(ports ? ":\(quoted.destinationPort)" : "")")
            } else {
                parts.append("id=\(packet.icmpID) seq=\(packet.icmpSequence)")
            }
        }
        parts.append("len=\(packet.totalLength)")
        if packet.mark != 0 { parts.append("mark=0x\(String(packet.mark, radix: 16))") }
        if packet.ttl != 64 { parts.append("ttl=\(packet.ttl)") }
        return parts.joined(separator: " ")
    }

    public static func states(_ states: ConntrackStates) -> String {
        ConntrackStates.names.filter { states.contains($0.1) }.map(\.0).joined(separator: ",")
    }

    public static func fate(_ fate: PacketFate) -> String {
        switch fate {
        case .delivered: return "accepted: delivered locally"
        case .sent(let interface): return "accepted: sent out of \(interface)"
        case .droppedByRule(let step):
            let place = (step.backend == .legacy ? "iptables-legacy " : "") + "\(step.table.rawValue):\(step.chain)"
            return step.rule == nil ? "dropped by the policy of \(place)" : "dropped by \(place) rule \(step.rule!)"
        case .droppedInRouting(let reason): return "dropped in routing: \(reason.rawValue)"
        case .undetermined(let why): return "undetermined: \(why)"
        }
    }
}
