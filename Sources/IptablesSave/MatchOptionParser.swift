import Netfilter

/// One `-m NAME` module while its options are being read. Each module knows only its own
/// options, as in libxtables: an unknown option is handed back so the rule parser can try
/// the implicit protocol module or report it.
protocol MatchOptionParser {
    /// Returns false for an option this module does not have.
    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool
    /// Checks required options and produces the model's match.
    func finish(rule: Rule) throws(RuleProblem) -> Match
}

extension MatchOptionParser {
    func refuseNegation(_ option: String, _ negated: Bool) throws(RuleProblem) {
        if negated { throw RuleProblem("\(option) option cannot be inverted") }
    }
}

/// The match module names this parser knows: the modelled ones, and the xtables modules the
/// model keeps verbatim as `.unsupported`. Anything else is "Couldn't load match", as in iptables.
enum MatchModules {
    static let unsupported: Set<String> = [
        "u32", "bpf", "string", "hashlimit", "connlimit", "owner", "mac", "tos", "dscp", "helper",
        "ecn", "esp", "ah", "hl", "realm", "cpu", "devgroup", "cgroup", "socket", "time", "quota", "connbytes",
        "connlabel", "nfacct", "osf", "ipvs", "cluster", "tcpmss", "dccp", "sctp-chunks", "condition", "geoip",
        "ipv4options", "conntrack-helper", "rateest", "statistic-legacy", "lb", "l2tp", "mh", "frag", "hbh",
        "ipv6header", "rt", "dst", "eui64", "set-legacy", "account", "pknock", "fuzzy", "nth", "random", "unclean",
    ]

    static func parser(named name: String) -> (any MatchOptionParser)? {
        switch name {
        case "tcp": return PortsModuleParser(proto: IPProtocolNumber.tcp)
        case "udp": return PortsModuleParser(proto: IPProtocolNumber.udp)
        case "sctp": return PortsModuleParser(proto: IPProtocolNumber.sctp)
        case "icmp": return ICMPModuleParser()
        case "multiport": return MultiportModuleParser()
        case "mark": return MarkModuleParser(connmark: false)
        case "connmark": return MarkModuleParser(connmark: true)
        case "conntrack": return ConntrackModuleParser()
        case "state": return StateModuleParser()
        case "comment": return CommentModuleParser()
        case "addrtype": return AddrtypeModuleParser()
        case "set": return SetModuleParser()
        case "rpfilter": return RPFilterModuleParser()
        case "statistic": return StatisticModuleParser()
        case "limit": return LimitModuleParser()
        case "length": return LengthModuleParser()
        case "physdev": return PhysdevModuleParser()
        case "policy": return PolicyModuleParser()
        case "iprange": return IPRangeModuleParser()
        case "pkttype": return PkttypeModuleParser()
        case "ttl": return TTLModuleParser()
        case "recent": return RecentModuleParser()
        default: return nil
        }
    }

    /// The module `-p NAME` loads implicitly when one of its options follows.
    static func implicitParser(proto: UInt8) -> (any MatchOptionParser)? {
        switch proto {
        case IPProtocolNumber.tcp, IPProtocolNumber.udp, IPProtocolNumber.sctp: return PortsModuleParser(proto: proto)
        case IPProtocolNumber.icmp: return ICMPModuleParser()
        default: return nil
        }
    }
}

/// Options of a module the model keeps verbatim; every word is kept as written, quotes included.
struct UnsupportedModuleParser: MatchOptionParser {
    var name: String
    var arguments: [String] = []

    mutating func parse(option: String, negated: Bool, arguments cursor: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        if negated { arguments.append("!") }
        arguments.append(cursor.tokens[cursor.index - 1].raw)
        while !cursor.atEnd, !cursor.nextIsOption, let token = cursor.next() {
            arguments.append(token.raw)
        }
        return true
    }

    func finish(rule: Rule) throws(RuleProblem) -> Match { .unsupported(name: name, arguments: arguments) }
}
