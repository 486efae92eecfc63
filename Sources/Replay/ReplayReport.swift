import Netfilter

/// The human summary at the end of a replay.
public enum ReplayReport {
    public static func render(_ s: ReplaySummary, ruleText: (Backend, TableName, String, Int) -> String) -> String {
        var lines: [String] = []
        lines.append("\(s.frames) frames: \(s.packets) packets replayed, \(s.egressCopies) egress copies checked, \(s.skipped.values.reduce(0, +)) skipped")
        lines.append("  delivered locally \(s.delivered), forwarded \(s.forwarded), sent by the node \(s.sentByNode), dropped by rules \(s.droppedByRule), dropped in routing \(s.droppedInRouting)"
            + (s.undetermined > 0 ? ", undetermined \(s.undetermined)" : ""))
        if s.reassembled > 0 || s.truncated > 0 {
            lines.append("  \(s.reassembled) datagrams reassembled from fragments, \(s.truncated) frames cut by the snaplen replayed from their whole headers")
        }
        if s.translationsAdopted > 0 {
            lines.append("  \(s.translationsAdopted) new connections took the NAT port the capture shows the kernel chose")
        }
        let top = s.topDrops()
        if !top.isEmpty {
            lines.append("what dropped packets:")
            for (step, packets) in top {
                let chain = (step.backend == .legacy ? "legacy " : "") + "\(step.table.rawValue):\(step.chain)"
                let place = step.rule.map { "\(chain) #\($0)" } ?? "\(chain) policy \(step.verdict.rawValue.uppercased())"
                let text = step.rule.map { "  " + ruleText(step.backend, step.table, step.chain, $0) } ?? ""
                lines.append("  \(String(packets).leftPadded(8))  \(place)\(text)")
            }
        }
        for (reason, packets) in s.routingDrops.sorted(by: { $0.value > $1.value }) {
            lines.append("  \(String(packets).leftPadded(8))  routing: \(reason.rawValue)")
        }
        if !s.skipped.isEmpty {
            lines.append("frames not replayed:")
            for (reason, frames) in s.skipped.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                lines.append("  \(String(frames).leftPadded(8))  \(reason)")
            }
        }
        lines.append(s.disagreements == 0 ? "no disagreement with the capture" : "\(s.disagreements) disagreement(s) with the capture")
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
