import Netfilter

/// `-m mark` and `-m connmark`: `[!] --mark VALUE[/MASK]`.
struct MarkModuleParser: MatchOptionParser {
    var connmark: Bool
    var test: Negatable<MarkTest>?

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        guard option == "--mark" else { return false }
        let text = try arguments.value(for: option, expected: "VALUE[/MASK]")
        guard let (value, mask) = ValueParsing.valueMask(text) else {
            throw RuleProblem("bad mark value \"\(text)\" for --mark", expected: "VALUE[/MASK] with 32-bit numbers, e.g. 0x4000/0x4000")
        }
        test = Negatable(MarkTest(value: value, mask: mask ?? 0xffff_ffff), negated: negated)
        return true
    }

    func finish(rule: Rule) throws(RuleProblem) -> Match {
        guard let test else { throw RuleProblem("\(connmark ? "connmark" : "mark"): option \"--mark\" must be specified") }
        return connmark ? .connmark(test) : .mark(test)
    }
}

/// State-name lists shared by `--ctstate` and `--state`.
enum StateNames {
    static func states(_ text: String, allowVirtual: Bool) throws(RuleProblem) -> ConntrackStates {
        var result: ConntrackStates = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let state = ConntrackStates.names.first(where: { $0.0 == name.uppercased() })?.1,
                  allowVirtual || !(state == .snat || state == .dnat) else {
                throw RuleProblem("bad state \"\(name)\"", expected: allowVirtual
                    ? "INVALID, NEW, RELATED, ESTABLISHED, UNTRACKED, SNAT or DNAT"
                    : "INVALID, NEW, RELATED, ESTABLISHED or UNTRACKED")
            }
            result.insert(state)
        }
        return result
    }
}

/// `-m state --state`.
struct StateModuleParser: MatchOptionParser {
    var states: Negatable<ConntrackStates>?

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        guard option == "--state" else { return false }
        let text = try arguments.value(for: option, expected: "a comma list of states")
        states = Negatable(try StateNames.states(text, allowVirtual: false), negated: negated)
        return true
    }

    func finish(rule: Rule) throws(RuleProblem) -> Match {
        guard let states else { throw RuleProblem("state: option \"--state\" must be specified") }
        return .state(states)
    }
}

/// `-m conntrack`.
struct ConntrackModuleParser: MatchOptionParser {
    var match = ConntrackMatch()
    var any = false

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        switch option {
        case "--ctstate":
            let text = try arguments.value(for: option, expected: "a comma list of states")
            match.states = Negatable(try StateNames.states(text, allowVirtual: true), negated: negated)
        case "--ctproto":
            let text = try arguments.value(for: option, expected: "a protocol name or number")
            guard let number = IPProtocolNumber.parse(text) else {
                throw RuleProblem("unknown protocol \"\(text)\" for --ctproto", expected: "a protocol name from /etc/protocols or a number")
            }
            match.proto = Negatable(number, negated: negated)
        case "--ctorigsrc": match.originalSource = try Self.address(option, negated, &arguments)
        case "--ctorigdst": match.originalDestination = try Self.address(option, negated, &arguments)
        case "--ctreplsrc": match.replySource = try Self.address(option, negated, &arguments)
        case "--ctrepldst": match.replyDestination = try Self.address(option, negated, &arguments)
        case "--ctorigsrcport": match.originalSourcePort = try Self.port(option, negated, &arguments)
        case "--ctorigdstport": match.originalDestinationPort = try Self.port(option, negated, &arguments)
        case "--ctreplsrcport": match.replySourcePort = try Self.port(option, negated, &arguments)
        case "--ctrepldstport": match.replyDestinationPort = try Self.port(option, negated, &arguments)
        case "--ctstatus":
            let text = try arguments.value(for: option, expected: "a comma list of statuses")
            var status: ConntrackStatus = []
            for name in text.split(separator: ",", omittingEmptySubsequences: false) {
                if name.uppercased() == "NONE" { continue }
                guard let flag = ConntrackStatus.names.first(where: { $0.0 == name.uppercased() })?.1 else {
                    throw RuleProblem("bad ctstatus \"\(name)\"", expected: "NONE, EXPECTED, SEEN_REPLY, ASSURED or CONFIRMED")
                }
                status.insert(flag)
            }
            match.status = Negatable(status, negated: negated)
        case "--ctexpire":
            let text = try arguments.value(for: option, expected: "seconds N or N:M")
            guard let range = ValueParsing.numericRange(text, max: UInt64(UInt32.max)) else {
                throw RuleProblem("bad ctexpire \"\(text)\"", expected: "seconds N or N:M")
            }
            match.expire = Negatable(UInt32(range.lowerBound)...UInt32(range.upperBound), negated: negated)
        case "--ctdir":
            try refuseNegation(option, negated)
            let text = try arguments.value(for: option, expected: "ORIGINAL or REPLY")
            guard let direction = ConntrackDirection(rawValue: text.uppercased()) else {
                throw RuleProblem("bad ctdir \"\(text)\"", expected: "ORIGINAL or REPLY")
            }
            match.direction = direction
        default:
            return false
        }
        any = true
        return true
    }

    static func address(_ option: String, _ negated: Bool, _ arguments: inout ArgumentCursor) throws(RuleProblem) -> Negatable<IPv4Network> {
        let text = try arguments.value(for: option, expected: "ADDR[/MASK]")
        guard let network = IPv4Network(text) else {
            throw RuleProblem("bad address \"\(text)\" for \(option)", expected: "a dotted-quad address with optional /len or /mask")
        }
        return Negatable(network, negated: negated)
    }

    static func port(_ option: String, _ negated: Bool, _ arguments: inout ArgumentCursor) throws(RuleProblem) -> Negatable<PortRange> {
        let text = try arguments.value(for: option, expected: "a port or P:Q")
        guard let range = ValueParsing.portRange(text) else {
            throw RuleProblem("invalid port/service \"\(text)\" for \(option)", expected: "a port 0-65535 or a range P:Q")
        }
        return Negatable(range, negated: negated)
    }

    func finish(rule: Rule) throws(RuleProblem) -> Match {
        guard any else { throw RuleProblem("conntrack: at least one option is required", expected: "--ctstate, --ctproto, --ctorigdst, ...") }
        return .conntrack(match)
    }
}
