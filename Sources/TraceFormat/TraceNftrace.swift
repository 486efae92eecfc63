import Netfilter

/// `--format nftrace`: lines in the style of `nft monitor trace`, one `packet:` line per
/// base chain entered, one `rule` line per matched rule and a `policy` line per applied
/// policy, so pathsim's path can be set beside the kernel's.
public struct TraceNftrace {
    public var ruleText: (Backend, TableName, String, Int) -> String
    public init(ruleText: @escaping (Backend, TableName, String, Int) -> String) { self.ruleText = ruleText }

    public func render(_ trace: PacketTrace, id: UInt32) -> String {
        var lines: [String] = []
        let prefix = "trace id \(hex(id)) ip"
        // `nft monitor trace` sees only nf_tables chains; iptables-legacy ones are left out.
        for visit in trace.visits where visit.backend == .nftables {
            lines.append("\(prefix) \(visit.table.rawValue) \(visit.hook.rawValue) packet: \(packetFields(visit))")
            for step in trace.steps[visit.stepRange] {
                if let rule = step.rule {
                    var verdict = step.verdict.rawValue
                    if let target = step.target { verdict += " \(target)" }
                    lines.append("\(prefix) \(step.table.rawValue) \(step.chain) rule \(ruleText(step.backend, step.table, step.chain, rule)) # position \(rule) (verdict \(verdict))")
                } else {
                    var line = "\(prefix) \(step.table.rawValue) \(step.chain) policy \(step.verdict.rawValue)"
                    let mark = visit.markAfter
                    if mark != 0 { line += " meta mark 0x\(hex(mark))" }
                    lines.append(line)
                }
            }
        }
        for (offset, generated) in trace.generated.enumerated() {
            lines.append(render(generated, id: id &+ 0x1000_0000 &* UInt32(offset + 1)))
        }
        return lines.joined(separator: "\n")
    }

    func hex(_ value: UInt32) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 8 - text.count)) + text
    }

    func packetFields(_ visit: ChainVisit) -> String {
        let p = visit.packet
        var fields: [String] = []
        if let name = visit.inInterface { fields.append("iif \"\(name)\"") }
        if let name = visit.outInterface { fields.append("oif \"\(name)\"") }
        fields.append("ip saddr \(p.source) ip daddr \(p.destination) ip ttl \(p.ttl) ip id \(p.ipID) ip length \(p.totalLength)")
        switch p.proto {
        case IPProtocolNumber.tcp:
            let names = [(TCPFlags.fin, "fin"), (.syn, "syn"), (.rst, "rst"), (.psh, "psh"), (.ack, "ack"), (.urg, "urg"), (.ece, "ecn"), (.cwr, "cwr")]
            let flags = names.filter { p.tcpFlags.contains($0.0) }.map(\.1).joined(separator: " | ")
            fields.append("tcp sport \(p.sourcePort) tcp dport \(p.destinationPort) tcp flags == \(flags.isEmpty ? "0x0" : flags) tcp window \(p.window)")
        case IPProtocolNumber.udp:
            fields.append("udp sport \(p.sourcePort) udp dport \(p.destinationPort) udp length \(Int(p.totalLength) - 20)")
        case IPProtocolNumber.icmp:
            fields.append("icmp type \(ICMPType.nftName(p.icmpType)) icmp code \(p.icmpCode)")
            if !p.isICMPError { fields.append("icmp id \(p.icmpID) icmp sequence \(p.icmpSequence)") }
        default:
            fields.append("ip protocol \(p.proto)")
        }
        if p.mark != 0 { fields.append("meta mark 0x\(hex(p.mark))") }
        return fields.joined(separator: " ")
    }
}
