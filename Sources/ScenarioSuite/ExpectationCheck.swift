import Explain
import Netfilter

/// Compares a case's expectations with its outcome.
enum ExpectationCheck {
    static func mismatches(_ scenarioCase: ScenarioCase, _ outcome: CaseOutcome) -> [Mismatch] {
        var result: [Mismatch] = []
        for expectation in scenarioCase.expectations {
            result += check(expectation, outcome)
        }
        for counter in scenarioCase.counters {
            let what = "counter \(counter.step)"
            guard let found = outcome.counters[counter.step], let actual = found else {
                result.append(Mismatch(line: counter.line, what: what, expected: [counter.valueText], actual: ["no such rule or chain policy"], style: .value))
                continue
            }
            let actualText = counter.bytes == nil ? "\(actual.packets)" : "\(actual.packets)/\(actual.bytes)"
            if actual.packets != counter.packets || (counter.bytes != nil && counter.bytes != actual.bytes) {
                result.append(Mismatch(line: counter.line, what: what, expected: [counter.valueText], actual: [actualText], style: .value))
            }
        }
        if !scenarioCase.conntrack.isEmpty {
            let missing = scenarioCase.conntrack.filter { wanted in !outcome.conntrack.contains { $0.contains(wanted) } }
            if !missing.isEmpty {
                result.append(Mismatch(line: scenarioCase.line, what: "conntrack", expected: missing, actual: outcome.conntrack, style: .containedList))
            }
        }
        return result
    }

    static func check(_ expectation: Expectation, _ outcome: CaseOutcome) -> [Mismatch] {
        guard let packet = outcome.packet(expectation.packet) else {
            let which = expectation.packet.map { "packet \($0)" } ?? "a last packet"
            return [Mismatch(line: expectation.line, packet: expectation.packet, what: "packet", expected: ["\(which) sent"],
                             actual: outcome.notes.isEmpty ? ["not sent"] : outcome.notes, style: .value)]
        }
        var result: [Mismatch] = []
        let explanation = packet.explanation
        func value(_ what: String, _ expected: String?, _ actual: String?) {
            guard let expected, expected != actual else { return }
            result.append(Mismatch(line: expectation.line, packet: packet.number, what: what, expected: [expected], actual: [actual ?? "(none)"], style: .value))
        }
        value("verdict", expectation.verdict, explanation.verdict)
        value("cause", expectation.cause?.rawValue, explanation.cause.rawValue)
        value("policy", expectation.policy, explanation.policy?.name)
        value("policyKind", expectation.policyKind, explanation.policy?.kind)
        value("endpoint", expectation.endpoint, explanation.endpoint.map { $0.name ?? $0.interface })
        value("tier", expectation.tier, explanation.tier)
        value("direction", expectation.direction, explanation.direction)
        value("service", expectation.service, explanation.service)
        value("decidingRule", expectation.decidingRule?.description, packet.decidingStep?.description)
        value("outInterface", expectation.outInterface, packet.trace.outInterface)
        let final = PacketDescriptionText.final(packet.trace)
        if let wanted = expectation.final, !final.contains(wanted) {
            result.append(Mismatch(line: expectation.line, packet: packet.number, what: "final", expected: [wanted], actual: [final], style: .value))
        }
        let path = packet.path.map(\.description)
        if let wanted = expectation.path?.map(\.description), wanted != path {
            result.append(Mismatch(line: expectation.line, packet: packet.number, what: "path", expected: wanted, actual: path, style: .exactList))
        }
        if let wanted = expectation.pathContains?.map(\.description), !LineDiff.isSubsequence(wanted, of: path) {
            result.append(Mismatch(line: expectation.line, packet: packet.number, what: "pathContains", expected: wanted, actual: path, style: .containedList))
        }
        if let words = expectation.explanationNames {
            let missing = words.filter { !explanation.summary.contains($0) }
            if !missing.isEmpty {
                result.append(Mismatch(line: expectation.line, packet: packet.number, what: "explanationNames", expected: missing, actual: [explanation.summary], style: .words))
            }
        }
        return result
    }
}
