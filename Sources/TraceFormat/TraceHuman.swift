import Foundation
import Netfilter

/// The default, human-readable trace: each base chain entered, each matched rule with its
/// text and what it did, the verdict, the packet as it left, and the conntrack entry.
public struct TraceHuman {
    /// The `-A CHAIN ...` text of a rule, by table, chain and 1-based position.
    public var ruleText: (Backend, TableName, String, Int) -> String
    public var colour: Bool
    public var verbose: Bool

    public init(colour: Bool, verbose: Bool, ruleText: @escaping (Backend, TableName, String, Int) -> String) {
        self.colour = colour
        self.verbose = verbose
        self.ruleText = ruleText
    }

    private func paint(_ text: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    public func render(_ trace: PacketTrace, index: Int?, indent: String = "") -> String {
        var lines: [String] = []
        let title = index.map { "packet \($0): " } ?? ""
        lines.append(indent + paint(title + PacketDescription.spec(trace.input.packet, ingress: trace.input.ingress), "1"))
        var missed = trace.missed[...]
        func missesBefore(_ step: Int) {
            guard verbose else { return }
            while let miss = missed.first, miss.beforeStep <= step {
                lines.append(indent + "    " + paint("· \(miss.backend == .legacy ? "legacy " : "")\(miss.table.rawValue):\(miss.chain) #\(miss.rule) no match (\(condition(miss.failed))): \(ruleText(miss.backend, miss.table, miss.chain, miss.rule))", "2"))
                missed = missed.dropFirst()
            }
        }
        for visit in trace.visits {
            var header = (visit.backend == .legacy ? "legacy " : "") + "\(visit.table.rawValue) \(visit.hook.rawValue)"
            if let name = visit.inInterface { header += " in=\(name)" }
            if let name = visit.outInterface { header += " out=\(name)" }
            if visit.packet.mark != 0 { header += " mark=0x\(String(visit.packet.mark, radix: 16))" }
            lines.append(indent + "  " + paint("[\(header)]", "36"))
            for index in visit.stepRange {
                missesBefore(index)
                lines.append(indent + "    " + describe(trace.steps[index]))
            }
        }
        missesBefore(Int.max)
        for generated in trace.generated {
            lines.append(indent + "  " + paint("REJECT sent a packet:", "33"))
            lines.append(render(generated, index: nil, indent: indent + "    "))
        }
        let fate = PacketDescription.fate(trace.fate)
        lines.append(indent + "  verdict: " + paint(fate, trace.fate.isAccepted ? "32" : "31;1"))
        if case .droppedByRule(let step) = trace.fate, let rule = step.rule {
            let comments = comments(of: ruleText(step.backend, step.table, step.chain, rule))
            if !comments.isEmpty { lines.append(indent + "    (\(comments.joined(separator: "; ")))") }
        }
        if trace.finalPacket != trace.input.packet {
            lines.append(indent + "  as it left: " + PacketDescription.spec(trace.finalPacket, ingress: nil))
        }
        if let state = trace.conntrackState {
            var text = "  conntrack: \(PacketDescription.states(state))"
            if let direction = trace.conntrackDirection { text += " (\(direction.rawValue.lowercased()))" }
            if let entry = trace.conntrackEntry {
                text += "; entry: " + entry.conntrackLine(now: trace.input.timestamp)
            } else if state.contains(.new) {
                text += "; no entry kept (the first packet was not accepted)"
            }
            lines.append(indent + text)
        }
        for hit in trace.unsupported { lines.append(indent + "  " + paint("warning: \(hit)", "33")) }
        for note in trace.notes { lines.append(indent + "  note: \(note)") }
        return lines.joined(separator: "\n")
    }

    func describe(_ step: TraceStep) -> String {
        let place = (step.backend == .legacy ? "legacy " : "") + "\(step.table.rawValue):\(step.chain)"
        guard let rule = step.rule else {
            return "\(place) policy \(step.verdict == .accept ? "ACCEPT" : "DROP") → " + paint(step.verdict.rawValue, step.verdict == .drop ? "31" : "32")
        }
        var action = step.verdict.rawValue
        if let target = step.target { action += " \(target)" }
        let colourCode = step.verdict == .drop ? "31" : step.verdict == .accept ? "32" : "0"
        return "\(place) #\(rule) \(ruleText(step.backend, step.table, step.chain, rule)) → " + paint(action, colourCode)
    }

    func condition(_ condition: RuleCondition) -> String {
        switch condition {
        case .source: return "source address"
        case .destination: return "destination address"
        case .inInterface: return "in interface"
        case .outInterface: return "out interface"
        case .proto: return "protocol"
        case .fragment: return "fragment"
        case .match(let index): return "match \(index + 1)"
        }
    }

    /// The `--comment` texts of a rule line, which say what felix or kube-proxy meant.
    func comments(of line: String) -> [String] {
        var result: [String] = []
        var rest = Substring(line)
        while let range = rest.range(of: "--comment ") {
            rest = rest[range.upperBound...]
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var text = ""
                var escaped = false
                while let c = rest.first {
                    rest = rest.dropFirst()
                    if escaped { text.append(c); escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { break } else { text.append(c) }
                }
                if !text.hasPrefix("cali:") { result.append(text) }
            } else {
                let word = rest.prefix { $0 != " " }
                result.append(String(word))
                rest = rest.dropFirst(word.count)
            }
        }
        return result
    }
}
