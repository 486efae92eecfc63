import Netfilter

/// `-m tcp`, `-m udp`, `-m sctp` (and the implicit module `-p tcp --dport` loads).
struct PortsModuleParser: MatchOptionParser {
    var proto: UInt8
    var match = PortsMatch()

    init(proto: UInt8) { self.proto = proto }

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        switch option {
        case "--sport", "--source-port":
            match.sourcePorts = try Self.ports(option, negated, &arguments)
        case "--dport", "--destination-port":
            match.destinationPorts = try Self.ports(option, negated, &arguments)
        case "--syn" where proto == IPProtocolNumber.tcp:
            match.tcpFlags = Negatable(.syn, negated: negated)
        case "--tcp-flags" where proto == IPProtocolNumber.tcp:
            let mask = try Self.flags(arguments.value(for: option, expected: "a flag list such as SYN,ACK"))
            let comparison = try Self.flags(arguments.value(for: option, expected: "the flags that must be set, e.g. SYN"))
            match.tcpFlags = Negatable(TCPFlagsTest(mask: mask, comparison: comparison), negated: negated)
        case "--tcp-option" where proto == IPProtocolNumber.tcp:
            let text = try arguments.value(for: option, expected: "a TCP option number 0-255")
            guard let number = UInt8(text) else {
                throw RuleProblem("bad TCP option \"\(text)\"", expected: "a number 0-255")
            }
            match.tcpOption = Negatable(number, negated: negated)
        default:
            return false
        }
        return true
    }

    static func ports(_ option: String, _ negated: Bool, _ arguments: inout ArgumentCursor) throws(RuleProblem) -> Negatable<PortRange>? {
        let text = try arguments.value(for: option, expected: "a port or port range P:Q")
        guard let range = ValueParsing.portRange(text) else {
            throw RuleProblem("invalid port/service \"\(text)\" for \(option)", expected: "a port 0-65535, a service name or a range P:Q")
        }
        // A full range that is not negated tests nothing, and iptables-save leaves it out.
        if range == .all && !negated { return nil }
        return Negatable(range, negated: negated)
    }

    static func flags(_ text: String) throws(RuleProblem) -> TCPFlags {
        var result: TCPFlags = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            switch name.uppercased() {
            case "ALL": result.formUnion([.fin, .syn, .rst, .psh, .ack, .urg])
            case "NONE": break
            default:
                guard let flag = TCPFlags.iptablesNames.first(where: { $0.0 == name.uppercased() })?.1 else {
                    throw RuleProblem("unknown TCP flag \"\(name)\"", expected: "FIN, SYN, RST, PSH, ACK, URG, ALL or NONE")
                }
                result.insert(flag)
            }
        }
        return result
    }

    func finish(rule: Rule) throws(RuleProblem) -> Match { .ports(proto: proto, match) }
}

/// `-m icmp --icmp-type`.
struct ICMPModuleParser: MatchOptionParser {
    var test: Negatable<ICMPTypeTest>?

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        guard option == "--icmp-type" else { return false }
        let text = try arguments.value(for: option, expected: "an ICMP type name, number or TYPE/CODE")
        test = Negatable(try Self.type(text), negated: negated)
        return true
    }

    static func type(_ text: String) throws(RuleProblem) -> ICMPTypeTest {
        if let named = ICMPType.names.first(where: { $0.0.lowercased() == text.lowercased() }) {
            return named.1 == 0xff ? ICMPTypeTest(type: nil, code: nil) : ICMPTypeTest(type: named.1, code: named.2)
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let type = UInt8(parts[0]) else {
            throw RuleProblem("unknown ICMP type \"\(text)\"", expected: "a name such as echo-request, a number 0-255, TYPE/CODE or any")
        }
        var code: UInt8?
        if parts.count == 2 {
            guard let value = UInt8(parts[1]) else {
                throw RuleProblem("invalid ICMP code \"\(parts[1])\"", expected: "a number 0-255")
            }
            code = value
        }
        return ICMPTypeTest(type: type == 0xff && code == nil ? nil : type, code: code)
    }

    func finish(rule: Rule) throws(RuleProblem) -> Match {
        // `-m icmp` alone matches every ICMP packet, which iptables-save prints as `--icmp-type any`.
        .icmp(test ?? Negatable(ICMPTypeTest(type: nil, code: nil)))
    }
}

/// `-m multiport`.
struct MultiportModuleParser: MatchOptionParser {
    var match: MultiportMatch?

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        let direction: MultiportDirection
        switch option {
        case "--sports", "--source-ports": direction = .source
        case "--dports", "--destination-ports": direction = .destination
        case "--ports": direction = .either
        default: return false
        }
        if match != nil {
            throw RuleProblem("multiport can only have one option", expected: "one of --sports, --dports or --ports per -m multiport")
        }
        let text = try arguments.value(for: option, expected: "a comma list of ports and P:Q ranges")
        var ports: [PortRange] = []
        var slots = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let range = ValueParsing.portRange(String(item)) else {
                throw RuleProblem("invalid port/service \"\(item)\" in multiport list", expected: "ports 0-65535, service names or P:Q ranges")
            }
            slots += range.lower == range.upper ? 1 : 2
            ports.append(range)
        }
        guard slots <= 15 else {
            throw RuleProblem("too many ports specified", expected: "at most 15 ports (a range counts as two)")
        }
        match = MultiportMatch(direction: direction, ports: ports, negated: negated)
        return true
    }

    func finish(rule: Rule) throws(RuleProblem) -> Match {
        guard let match else {
            throw RuleProblem("multiport needs an option", expected: "--sports, --dports or --ports")
        }
        let allowed: Set<UInt8> = [IPProtocolNumber.tcp, IPProtocolNumber.udp, IPProtocolNumber.udplite, IPProtocolNumber.sctp, 33]
        guard let proto = rule.proto, !proto.negated, allowed.contains(proto.value) else {
            throw RuleProblem("multiport needs a port protocol", expected: "-p tcp, -p udp, -p udplite, -p sctp or -p dccp")
        }
        return .multiport(match)
    }
}
