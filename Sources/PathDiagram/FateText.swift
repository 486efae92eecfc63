import Netfilter

/// What became of a packet, in words.
enum FateText {
    static func describe(_ fate: PacketFate, loopedBack: Bool = false) -> String {
        switch fate {
        case .delivered: return loopedBack ? "delivered to a local process (looped back through lo)" : "delivered to a local process"
        case .sent(let interface): return "sent out \(interface)"
        case .droppedByRule(let step):
            let place = (step.backend == .legacy ? "iptables-legacy " : "") + "\(step.table.rawValue):\(step.chain)"
            return step.rule.map { "dropped by \(place) rule \($0)" } ?? "dropped by the policy of \(place)"
        case .droppedInRouting(let reason): return "dropped in routing: \(reason.rawValue)"
        case .undetermined(let why): return "undetermined: \(why)"
        }
    }

    /// A packet in a line, for those a REJECT sent back.
    static func packet(_ packet: Packet) -> String {
        let name = IPProtocolNumber.name(packet.proto)
        if IPProtocolNumber.hasPorts(packet.proto) {
            return "\(name) \(packet.source):\(packet.sourcePort) > \(packet.destination):\(packet.destinationPort)"
        }
        if packet.proto == IPProtocolNumber.icmp {
            return "\(name) \(packet.source) > \(packet.destination) type \(packet.icmpType) code \(packet.icmpCode)"
        }
        return "\(name) \(packet.source) > \(packet.destination)"
    }

    /// The lines under a hop's fate: packets generated in answer, and the trace's notes.
    static func details(_ trace: PacketTrace) -> [String] {
        trace.generated.map { "generated: \(packet($0.input.packet)), \(describe($0.fate, loopedBack: $0.loopedBack))" }
            + trace.notes.map { "note: \($0)" }
    }
}
