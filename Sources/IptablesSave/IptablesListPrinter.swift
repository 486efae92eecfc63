import Netfilter

/// `iptables -t TABLE -nvxL [CHAIN] [--line-numbers]` output, byte for byte as iptables 1.8.9
/// prints it (the printf widths of iptables/xshared.c and nft-ipv4.c).
public enum IptablesListPrinter {
    /// Lists a whole table, or only `chain`, with exact (`-x`) counters from `counters`.
    public static func list(_ table: Table, chain: String? = nil, lineNumbers: Bool = false, counters: CounterSupplier = .stored) -> String {
        let chains = IptablesSavePrinter.saveOrder(table).filter { chain == nil || $0.name == chain }
        var references: [String: Int] = [:]
        for chain in table.chains { for rule in chain.rules { if let target = rule.chainTarget { references[target, default: 0] += 1 } } }
        return chains.map { chainText($0, table: table.name, references: references[$0.name] ?? 0, lineNumbers: lineNumbers, counters: counters) }
            .joined(separator: "\n")
    }

    static func left(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func right(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    /// The column header line, trailing spaces included.
    public static func columnHeader(lineNumbers: Bool) -> String {
        (lineNumbers ? left("num", 4) + " " : "") + right("pkts", 8) + " " + right("bytes", 10) + " " + left("target", 9) + " "
            + " prot " + "opt" + " " + left("in", 6) + " " + left("out", 6) + " " + " " + left("source", 19) + " " + " " + left("destination", 19) + " "
    }

    static func chainText(_ chain: Chain, table: TableName, references: Int, lineNumbers: Bool, counters: CounterSupplier) -> String {
        var text = "Chain \(chain.name) "
        if let policy = chain.policy {
            let counter = counters.policy(table, chain)
            text += "(policy \(policy.rawValue) \(counter.packets) packets, \(counter.bytes) bytes)\n"
        } else {
            text += "(\(references) references)\n"
        }
        text += columnHeader(lineNumbers: lineNumbers) + "\n"
        for (index, rule) in chain.rules.enumerated() {
            text += ruleLine(rule, number: lineNumbers ? index + 1 : nil, counter: counters.rule(table, chain.name, index, rule)) + "\n"
        }
        return text
    }

    static func address(_ value: Negatable<IPv4Network>?) -> String {
        guard let network = value?.value else { return " " + left("0.0.0.0/0", 19) + " " }
        let text = network.mask == 0 ? "0.0.0.0/0" : SaveSpelling.hostOrNetwork(network)
        return (value!.negated ? "!" : " ") + left(text, 19) + " "
    }

    static func interface(_ value: Negatable<InterfacePattern>?) -> String {
        guard let value else { return "*" }
        return (value.negated ? "!" : "") + value.value.description
    }

    /// One rule's row (without the newline).
    public static func ruleLine(_ rule: Rule, number: Int?, counter: Counter) -> String {
        var text = number.map { left(String($0), 4) + " " } ?? ""
        text += right(String(counter.packets), 8) + " " + right(String(counter.bytes), 8) + " "
        text += left(ListSpelling.targetName(rule.target), 9) + " "
        text += (rule.proto?.negated == true ? "!" : " ") + left(String(rule.proto?.value ?? 0), 4) + " "
        switch rule.fragment {
        case nil: text += "-- "
        case let fragment?: text += fragment.negated ? "!f " : "-f "
        }
        text += " " + left(interface(rule.inInterface), 6) + " " + left(interface(rule.outInterface), 6) + " "
        text += address(rule.source) + address(rule.destination)
        if rule.usesGoto { text += "[goto] " }
        for match in rule.matches { text += ListSpelling.match(match) }
        if let target = rule.target { text += ListSpelling.target(target) }
        return text
    }
}
