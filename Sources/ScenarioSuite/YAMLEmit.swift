import Foundation

/// The YAML `--update` writes: block style, keys in the order the format reference lists them,
/// strings plain when YAML reads them back as the same string, double-quoted otherwise.
enum YAMLEmit {
    static func expectations(_ expectations: [Expectation], asList: Bool) -> [String] {
        guard asList || expectations.count != 1 else { return mapping(expectations[0]) }
        return expectations.flatMap { expectation in
            mapping(expectation).enumerated().map { $0 == 0 ? "- " + $1 : "  " + $1 }
        }
    }

    static func mapping(_ e: Expectation) -> [String] {
        var out: [String] = []
        func scalar(_ key: String, _ value: String?) { if let value { out.append("\(key): \(quoted(value))") } }
        func steps(_ key: String, _ values: [String]?) {
            guard let values else { return }
            out.append(values.isEmpty ? "\(key): []" : "\(key):")
            out += list(values)
        }
        if let packet = e.packet { out.append("packet: \(packet)") }
        scalar("verdict", e.verdict)
        scalar("cause", e.cause?.rawValue)
        scalar("policy", e.policy)
        scalar("policyKind", e.policyKind)
        scalar("endpoint", e.endpoint)
        scalar("tier", e.tier)
        scalar("direction", e.direction)
        scalar("service", e.service)
        scalar("decidingRule", e.decidingRule?.description)
        steps("pathContains", e.pathContains?.map(\.description))
        steps("path", e.path?.map(\.description))
        steps("explanationNames", e.explanationNames)
        scalar("outInterface", e.outInterface)
        scalar("final", e.final)
        // An expectation left with nothing to assert still names its packet, so the file reads back.
        return out.isEmpty ? ["{}"] : out
    }

    static func counters(_ counters: [CounterExpectation]) -> [String] {
        counters.map { "\(quoted($0.step.description)): \(quoted($0.valueText))" }
    }

    static func list(_ values: [String]) -> [String] { values.map { "- " + quoted($0) } }

    static func quoted(_ text: String) -> String {
        let plainBytes = text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || "_./:-".utf8.contains(byte)
        }
        // Words YAML 1.1 reads as booleans or null are quoted for readers other than pathsim's.
        let special = ["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"].contains(text.lowercased())
        if plainBytes && !text.isEmpty && !special && !text.hasSuffix(":") && !text.hasPrefix("-") && !text.hasPrefix(":") { return text }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\x%02x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
