/// An inclusive port range; a single port has `lower == upper`.
public struct PortRange: Hashable, Sendable {
    public var lower: UInt16
    public var upper: UInt16
    public init(_ lower: UInt16, _ upper: UInt16) { self.lower = lower; self.upper = upper }
    public init(_ port: UInt16) { self.init(port, port) }
    @inlinable public func contains(_ port: UInt16) -> Bool { port >= lower && port <= upper }
    public static let all = PortRange(0, 65535)
}

/// `--tcp-flags MASK COMP`: (flags & mask) == comparison.
public struct TCPFlagsTest: Hashable, Sendable {
    public var mask: TCPFlags
    public var comparison: TCPFlags
    public init(mask: TCPFlags, comparison: TCPFlags) { self.mask = mask; self.comparison = comparison }
    /// `--syn`
    public static let syn = TCPFlagsTest(mask: [.fin, .syn, .rst, .ack], comparison: .syn)
}

/// `-m tcp`, `-m udp`, `-m sctp`, `-m udplite`: the module named by `protocolName`.
public struct PortsMatch: Hashable, Sendable {
    public var sourcePorts: Negatable<PortRange>?
    public var destinationPorts: Negatable<PortRange>?
    public var tcpFlags: Negatable<TCPFlagsTest>?
    public var tcpOption: Negatable<UInt8>?
    public init(
        sourcePorts: Negatable<PortRange>? = nil, destinationPorts: Negatable<PortRange>? = nil,
        tcpFlags: Negatable<TCPFlagsTest>? = nil, tcpOption: Negatable<UInt8>? = nil
    ) {
        self.sourcePorts = sourcePorts
        self.destinationPorts = destinationPorts
        self.tcpFlags = tcpFlags
        self.tcpOption = tcpOption
    }
}

/// `-m icmp --icmp-type T[/C]`; `type == nil` is `any`, `code == nil` any code.
public struct ICMPTypeTest: Hashable, Sendable {
    public var type: UInt8?
    public var code: UInt8?
    public init(type: UInt8?, code: UInt8?) { self.type = type; self.code = code }
}

public enum MultiportDirection: String, Hashable, Sendable {
    case source = "--sports", destination = "--dports", either = "--ports"
}

public struct MultiportMatch: Hashable, Sendable {
    public var direction: MultiportDirection
    public var ports: [PortRange]
    public var negated: Bool
    public init(direction: MultiportDirection, ports: [PortRange], negated: Bool) {
        self.direction = direction
        self.ports = ports
        self.negated = negated
    }
}

/// `--mark VALUE[/MASK]` for `-m mark` and `-m connmark`.
public struct MarkTest: Hashable, Sendable {
    public var value: UInt32
    public var mask: UInt32
    public init(value: UInt32, mask: UInt32 = 0xffff_ffff) { self.value = value; self.mask = mask }
    @inlinable public func matches(_ mark: UInt32) -> Bool { mark & mask == value }
}

/// Conntrack states as `--ctstate` / `--state` name them; SNAT and DNAT are the virtual states.
public struct ConntrackStates: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let invalid = ConntrackStates(rawValue: 1 << 0)
    public static let new = ConntrackStates(rawValue: 1 << 1)
    public static let related = ConntrackStates(rawValue: 1 << 2)
    public static let established = ConntrackStates(rawValue: 1 << 3)
    public static let untracked = ConntrackStates(rawValue: 1 << 4)
    public static let snat = ConntrackStates(rawValue: 1 << 5)
    public static let dnat = ConntrackStates(rawValue: 1 << 6)

    /// The fixed order iptables-save prints, whatever the input order.
    public static let names: [(String, ConntrackStates)] = [
        ("INVALID", .invalid), ("NEW", .new), ("RELATED", .related), ("ESTABLISHED", .established),
        ("UNTRACKED", .untracked), ("SNAT", .snat), ("DNAT", .dnat),
    ]
}

/// `--ctstatus` flags. An empty set is `NONE`, which never matches.
public struct ConntrackStatus: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let expected = ConntrackStatus(rawValue: 1 << 0)
    public static let seenReply = ConntrackStatus(rawValue: 1 << 1)
    public static let assured = ConntrackStatus(rawValue: 1 << 2)
    public static let confirmed = ConntrackStatus(rawValue: 1 << 3)

    public static let names: [(String, ConntrackStatus)] = [
        ("EXPECTED", .expected), ("SEEN_REPLY", .seenReply), ("ASSURED", .assured), ("CONFIRMED", .confirmed),
    ]
}

public enum ConntrackDirection: String, Hashable, Sendable {
    case original = "ORIGINAL", reply = "REPLY"
}

/// `-m conntrack`. Every option keeps its own negation.
public struct ConntrackMatch: Hashable, Sendable {
    public var states: Negatable<ConntrackStates>?
    public var proto: Negatable<UInt8>?
    public var originalSource: Negatable<IPv4Network>?
    public var originalDestination: Negatable<IPv4Network>?
    public var replySource: Negatable<IPv4Network>?
    public var replyDestination: Negatable<IPv4Network>?
    public var originalSourcePort: Negatable<PortRange>?
    public var originalDestinationPort: Negatable<PortRange>?
    public var replySourcePort: Negatable<PortRange>?
    public var replyDestinationPort: Negatable<PortRange>?
    public var status: Negatable<ConntrackStatus>?
    public var expire: Negatable<ClosedRange<UInt32>>?
    public var direction: ConntrackDirection?
    public init() {}
}

public enum AddressType: String, CaseIterable, Hashable, Sendable {
    case unspec = "UNSPEC", unicast = "UNICAST", local = "LOCAL", broadcast = "BROADCAST"
    case anycast = "ANYCAST", multicast = "MULTICAST", blackhole = "BLACKHOLE"
    case unreachable = "UNREACHABLE", prohibit = "PROHIBIT", `throw` = "THROW", nat = "NAT"
    case xresolve = "XRESOLVE"
}

public struct AddrtypeMatch: Hashable, Sendable {
    /// Each list is OR-ed; the order is iptables-save's fixed order.
    public var sourceTypes: Negatable<[AddressType]>?
    public var destinationTypes: Negatable<[AddressType]>?
    public var limitInputInterface = false
    public var limitOutputInterface = false
    public init() {}
}

public enum SetFlag: String, Hashable, Sendable { case src, dst }

public enum SetCounterComparison: Hashable, Sendable {
    case equal(UInt64), lessThan(UInt64), greaterThan(UInt64), notEqual(UInt64)
}

/// `-m set [!] --match-set NAME FLAGS ...`
public struct SetMatch: Hashable, Sendable {
    public var name: String
    public var flags: [SetFlag]
    public var negated: Bool
    public var returnNomatch = false
    public var updateCounters = true
    public var updateSubcounters = true
    public var packets: SetCounterComparison?
    public var bytes: SetCounterComparison?
    public init(name: String, flags: [SetFlag], negated: Bool) {
        self.name = name
        self.flags = flags
        self.negated = negated
    }
}

public struct RPFilterMatch: Hashable, Sendable {
    public var loose = false
    public var validMark = false
    public var acceptLocal = false
    public var invert = false
    public init() {}
}

public enum StatisticMode: Hashable, Sendable {
    /// `--probability P`: stored as the kernel stores it, round(P * 2^31).
    case random(probability: UInt32)
    case nth(every: UInt32, packet: UInt32)
}

public struct StatisticMatch: Hashable, Sendable {
    public var mode: StatisticMode
    public var negated: Bool
    public init(mode: StatisticMode, negated: Bool) { self.mode = mode; self.negated = negated }
}

public enum LimitUnit: String, Hashable, Sendable {
    case second = "sec", minute = "min", hour = "hour", day = "day"
    public var seconds: Double {
        switch self {
        case .second: return 1
        case .minute: return 60
        case .hour: return 3600
        case .day: return 86400
        }
    }
}

public struct LimitMatch: Hashable, Sendable {
    public var rate: UInt32
    public var unit: LimitUnit
    public var burst: UInt32
    public init(rate: UInt32 = 3, unit: LimitUnit = .hour, burst: UInt32 = 5) {
        self.rate = rate
        self.unit = unit
        self.burst = burst
    }
}

/// `-m physdev`: bridge ports. Routed traffic has none, so each option holds only when negated.
public struct PhysdevMatch: Hashable, Sendable {
    public var inInterface: Negatable<InterfacePattern>?
    public var outInterface: Negatable<InterfacePattern>?
    public var isIn: Negatable<Bool>?
    public var isOut: Negatable<Bool>?
    public var isBridged: Negatable<Bool>?
    public init() {}
}

/// `-m policy --dir in|out --pol none|ipsec`. pathsim models no IPsec: every packet is `none`.
public struct PolicyMatch: Hashable, Sendable {
    public enum Direction: String, Hashable, Sendable { case `in`, out }
    public var direction: Direction
    public var ipsec: Bool
    public var strict: Bool
    /// Further IPsec element options, kept verbatim for printing.
    public var elementArguments: [String]
    public init(direction: Direction, ipsec: Bool, strict: Bool = false, elementArguments: [String] = []) {
        self.direction = direction
        self.ipsec = ipsec
        self.strict = strict
        self.elementArguments = elementArguments
    }
}

public struct IPRangeMatch: Hashable, Sendable {
    public var source: Negatable<ClosedRange<IPv4Address>>?
    public var destination: Negatable<ClosedRange<IPv4Address>>?
    public init() {}
}

public enum TTLTest: Hashable, Sendable {
    case equal(UInt8), notEqual(UInt8), lessThan(UInt8), greaterThan(UInt8)
}

/// `-m recent`'s command: exactly one per rule (libxt_recent and `recent_mt_check` refuse
/// none or several). The raw value is the option's spelling.
public enum RecentCommand: String, Hashable, Sendable, CaseIterable {
    case set = "--set", check = "--rcheck", update = "--update", remove = "--remove"
}

/// Which address of the packet `-m recent` records and looks up (`XT_RECENT_SOURCE`/`_DEST`).
public enum RecentSide: String, Hashable, Sendable {
    case source = "--rsource", destination = "--rdest"
}

/// `-m recent` (xt_recent revision 1). `negated` is the rule's single `!`, which libxt_recent
/// accepts only before the command and the kernel applies to the whole result (`info->invert`).
/// `seconds` and `hitCount` are 0 when not given, as the kernel stores them.
public struct RecentMatch: Hashable, Sendable {
    public var command: RecentCommand
    public var negated: Bool
    /// The list, shared by every rule of the network namespace that names it.
    public var name: String
    public var side: RecentSide
    /// Applied to the address before it is stored or looked up; for a list the kernel keeps
    /// the mask of the rule that created it (see `RecentLists`).
    public var mask: IPv4Address
    public var seconds: UInt32
    public var reap: Bool
    public var hitCount: UInt32
    /// `--rttl`: the entry must have been recorded with this packet's TTL.
    public var checkTTL: Bool

    public static let defaultName = "DEFAULT"

    public init(command: RecentCommand, negated: Bool = false, name: String = RecentMatch.defaultName, side: RecentSide = .source,
                mask: IPv4Address = .broadcast, seconds: UInt32 = 0, reap: Bool = false, hitCount: UInt32 = 0, checkTTL: Bool = false) {
        self.command = command
        self.negated = negated
        self.name = name
        self.side = side
        self.mask = mask
        self.seconds = seconds
        self.reap = reap
        self.hitCount = hitCount
        self.checkTTL = checkTTL
    }
}

/// One `-m NAME options...` module of a rule.
public enum Match: Hashable, Sendable {
    /// `-m tcp` / `-m udp` / `-m sctp` / `-m udplite`, named by the protocol number.
    case ports(proto: UInt8, PortsMatch)
    case icmp(Negatable<ICMPTypeTest>)
    case multiport(MultiportMatch)
    case mark(Negatable<MarkTest>)
    case connmark(Negatable<MarkTest>)
    case conntrack(ConntrackMatch)
    case state(Negatable<ConntrackStates>)
    case comment(String)
    case addrtype(AddrtypeMatch)
    case set(SetMatch)
    case rpfilter(RPFilterMatch)
    case statistic(StatisticMatch)
    case limit(LimitMatch)
    case length(Negatable<ClosedRange<UInt16>>)
    case physdev(PhysdevMatch)
    case policy(PolicyMatch)
    case iprange(IPRangeMatch)
    case pkttype(Negatable<LinkLayerCast>)
    case ttl(TTLTest)
    case recent(RecentMatch)
    /// A module pathsim parses but cannot evaluate (u32, bpf, string, hashlimit, ...):
    /// kept verbatim, reported at load and whenever a trace evaluates it.
    case unsupported(name: String, arguments: [String])

    /// The `-m` name.
    public var moduleName: String {
        switch self {
        case .ports(let proto, _): return IPProtocolNumber.name(proto)
        case .icmp: return "icmp"
        case .multiport: return "multiport"
        case .mark: return "mark"
        case .connmark: return "connmark"
        case .conntrack: return "conntrack"
        case .state: return "state"
        case .comment: return "comment"
        case .addrtype: return "addrtype"
        case .set: return "set"
        case .rpfilter: return "rpfilter"
        case .statistic: return "statistic"
        case .limit: return "limit"
        case .length: return "length"
        case .physdev: return "physdev"
        case .policy: return "policy"
        case .iprange: return "iprange"
        case .pkttype: return "pkttype"
        case .ttl: return "ttl"
        case .recent: return "recent"
        case .unsupported(let name, _): return name
        }
    }

    /// Whether the outcome depends on per-rule state that evaluating it changes.
    public var isStateful: Bool {
        switch self {
        case .statistic, .limit, .recent: return true
        default: return false
        }
    }
}
