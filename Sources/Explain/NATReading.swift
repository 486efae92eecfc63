import Netfilter

/// Whether address translation changed the packet before the rules that decided saw it.
struct NATReading {
    var reading: TraceReading

    func change(before index: Int?) -> NATChange? {
        let trace = reading.trace
        let seen: Packet
        if let index, let visit = reading.visit(containing: index) {
            seen = visit.packet
        } else {
            seen = trace.finalPacket
        }
        let original = trace.input.packet
        let translator = index.flatMap { index in
            trace.steps[..<index].lastIndex { step in
                guard step.table == .nat, let rule = reading.rule(of: step) else { return false }
                switch rule.target {
                case .dnat?, .snat?, .masquerade?, .redirect?: return true
                default: return false
                }
            }
        }
        let by = translator.map { reading.reference(trace.steps[$0]) }
        func endpoint(_ address: IPv4Address, _ port: UInt16) -> String {
            IPProtocolNumber.hasPorts(original.proto) ? "\(address):\(port)" : "\(address)"
        }
        let how = by.map { "\($0.table):\($0.chain) rule \($0.rule ?? 0)" + ($0.comments.isEmpty ? "" : " (\($0.comments.joined(separator: "; ")))") }
            ?? "conntrack (a later packet of a translated connection)"
        if seen.destination != original.destination || seen.destinationPort != original.destinationPort {
            let from = endpoint(original.destination, original.destinationPort), to = endpoint(seen.destination, seen.destinationPort)
            return NATChange(field: "destination", original: from, translated: to, by: by,
                             text: "the rules saw destination \(to), not \(from): \(how) translated it")
        }
        if seen.source != original.source || seen.sourcePort != original.sourcePort {
            let from = endpoint(original.source, original.sourcePort), to = endpoint(seen.source, seen.sourcePort)
            return NATChange(field: "source", original: from, translated: to, by: by,
                             text: "the rules saw source \(to), not \(from): \(how) translated it")
        }
        return nil
    }
}
