import FelixRenderer
import IptablesSave
import Netfilter

/// Where a rule was evaluated: what its conditions were tested against.
struct ProbePoint {
    var packet: Packet
    var inInterface: String?
    var outInterface: String?
    var conntrack: ConntrackStates?
}

/// Says, for one condition of a rule that did not hold, what the rule wanted and what the
/// packet had, in the words of the tool that wrote the rule.
struct ConditionDescriber {
    var context: ExplainContext

    func describe(_ rule: Rule, _ condition: RuleCondition, at point: ProbePoint) -> FailedCondition {
        let packet = point.packet
        let wanted = IptablesSavePrinter.conditionText(rule, condition)
        func make(_ kind: String, _ actual: String, negated: Bool = false, _ text: String) -> FailedCondition {
            FailedCondition(kind: kind, wanted: wanted, actual: actual, negated: negated, text: text)
        }
        switch condition {
        case .source, .destination:
            guard let test = condition == .source ? rule.source : rule.destination else { break }
            let side = condition == .source ? "source" : "destination"
            let address = condition == .source ? packet.source : packet.destination
            return make(side, "\(address)", negated: test.negated, "\(side) \(address) is \(test.negated ? "" : "not ")in \(test.value)")
        case .inInterface, .outInterface:
            guard let test = condition == .inInterface ? rule.inInterface : rule.outInterface else { break }
            let name = (condition == .inInterface ? point.inInterface : point.outInterface) ?? "no interface"
            let way = condition == .inInterface ? "came in on" : "goes out on"
            return make("interface", name, negated: test.negated, "the packet \(way) \(name), the rule wants \(test.negated ? "anything but " : "")\(test.value)")
        case .proto:
            guard let test = rule.proto else { break }
            let name = IPProtocolNumber.name(packet.proto)
            return make("protocol", name, negated: test.negated, "protocol is \(name), the rule wants \(test.negated ? "anything but " : "")\(IPProtocolNumber.name(test.value))")
        case .fragment:
            return make("fragment", packet.isNonFirstFragment ? "non-first fragment" : "not a fragment", "fragment test does not hold")
        case .match(let index):
            if index < rule.matches.count { return describe(rule.matches[index], wanted: wanted, point: point) }
        }
        return make("other", "", "\(wanted.isEmpty ? "a condition" : wanted) does not hold")
    }

    private func describe(_ match: Match, wanted: String, point: ProbePoint) -> FailedCondition {
        let packet = point.packet
        func make(_ kind: String, _ actual: String, negated: Bool = false, _ text: String) -> FailedCondition {
            FailedCondition(kind: kind, wanted: wanted, actual: actual, negated: negated, text: text)
        }
        switch match {
        case .ports(_, let test):
            if let range = test.destinationPorts, !range.holds(range.value.contains(packet.destinationPort)) {
                return make("port", "\(packet.destinationPort)", negated: range.negated, "destination port \(packet.destinationPort) is \(range.negated ? "" : "not ")\(Self.ports([range.value]))")
            }
            if let range = test.sourcePorts, !range.holds(range.value.contains(packet.sourcePort)) {
                return make("port", "\(packet.sourcePort)", negated: range.negated, "source port \(packet.sourcePort) is \(range.negated ? "" : "not ")\(Self.ports([range.value]))")
            }
            return make("port", "flags \(packet.tcpFlags.tcpdumpLetters)", "the TCP flags or option test does not hold")
        case .multiport(let test):
            let port = test.direction == .source ? packet.sourcePort : packet.destinationPort
            let side = test.direction == .source ? "source" : test.direction == .destination ? "destination" : "source or destination"
            let actual = test.direction == .either ? "\(packet.sourcePort),\(packet.destinationPort)" : "\(port)"
            return make("port", actual, negated: test.negated, "\(side) port \(actual) is \(test.negated ? "" : "not ")\(Self.ports(test.ports))")
        case .icmp(let test):
            return make("icmp", "type \(packet.icmpType) code \(packet.icmpCode)", negated: test.negated, packet.proto == IPProtocolNumber.icmp
                ? "ICMP type \(packet.icmpType) code \(packet.icmpCode) is not what the rule wants"
                : "the packet is \(IPProtocolNumber.name(packet.proto)), not ICMP")
        case .mark(let test):
            return make("mark", "0x" + String(packet.mark, radix: 16), negated: test.negated,
                        "mark 0x\(String(packet.mark, radix: 16)) & 0x\(String(test.value.mask, radix: 16)) is \(test.negated ? "" : "not ")0x\(String(test.value.value, radix: 16))\(markMeaning(test.value))")
        case .conntrack(let test) where test.states != nil:
            let wanted = test.states ?? Negatable(ConntrackStates())
            let states = point.conntrack.map(Self.states) ?? "INVALID"
            return make("ct-state", states, negated: wanted.negated, "conntrack state is \(states), the rule wants \(wanted.negated ? "anything but " : "")\(Self.states(wanted.value))")
        case .state(let test):
            let states = point.conntrack.map(Self.states) ?? "INVALID"
            return make("ct-state", states, negated: test.negated, "conntrack state is \(states), the rule wants \(test.negated ? "anything but " : "")\(Self.states(test.value))")
        case .set(let test):
            return describeSet(test, wanted: wanted, packet: packet)
        case .addrtype:
            return make("address-type", "", "the address-type test does not hold (\(wanted))")
        default:
            return make("other", "", "\(wanted) does not hold")
        }
    }

    private func describeSet(_ test: SetMatch, wanted: String, packet: Packet) -> FailedCondition {
        let first = test.flags.first ?? .src
        let address = first == .src ? packet.source : packet.destination
        var actual = "\(address)"
        if test.flags.count > 1 {
            let port = test.flags[1] == .src ? packet.sourcePort : packet.destinationPort
            actual += ",\(IPProtocolNumber.name(packet.proto)):\(port)"
        }
        let side = first == .src ? "source" : "destination"
        var condition = FailedCondition(kind: "ipset", wanted: wanted, actual: actual, negated: test.negated, text: "")
        condition.ipset = test.name
        let origin = context.ipsetOrigin(test.name)
        condition.selector = origin?.selector ?? origin?.namedPort.map { "named port \($0)" }
        if let set = context.ipset(named: test.name) {
            condition.members = set.entries.prefix(8).map(\.text)
        }
        let meaning = condition.selector.map { " (\($0))" } ?? (context.ipset(named: test.name) == nil ? " (the set is not in the dump)" : "")
        condition.text = "\(side) \(actual) is \(test.negated ? "" : "not ")in ipset \(test.name)\(meaning)"
        return condition
    }

    /// felix's mark bits, when the endpoint chain's comments gave them away.
    private func markMeaning(_ test: MarkTest) -> String {
        guard let bits = context.markBits else { return "" }
        if test.mask == bits.accept { return " (felix's accept bit)" }
        if test.mask == bits.pass { return " (felix's pass bit: an earlier policy already decided)" }
        return ""
    }

    static func ports(_ ranges: [PortRange]) -> String {
        let text = ranges.map { $0.lower == $0.upper ? "\($0.lower)" : "\($0.lower)-\($0.upper)" }.joined(separator: ",")
        return ranges.count == 1 && ranges[0].lower == ranges[0].upper ? text : "in \(text)"
    }

    static func states(_ states: ConntrackStates) -> String {
        ConntrackStates.names.filter { states.contains($0.1) }.map(\.0).joined(separator: ",")
    }
}
