/// Where a rule or line came from, for error messages and reports.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public init(file: String, line: Int) { self.file = file; self.line = line }
    public var description: String { "\(file):\(line)" }
}

/// One iptables rule, faithful to what `iptables-save` prints: the fixed "ip part",
/// the match modules in the order written, and an optional target.
public struct Rule: Hashable, Sendable {
    public var source: Negatable<IPv4Network>?
    public var destination: Negatable<IPv4Network>?
    public var inInterface: Negatable<InterfacePattern>?
    public var outInterface: Negatable<InterfacePattern>?
    /// nil is `-p all`.
    public var proto: Negatable<UInt8>?
    /// `-f` (non-first fragments) or `! -f`.
    public var fragment: Negatable<Bool>?
    public var matches: [Match]
    /// `-j` or `-g`; nil for a rule that only counts.
    public var target: Target?
    /// The `[packets:bytes]` the dump carried, if any.
    public var counters: Counter?
    /// The line of the dump this rule came from; not part of the rule's identity.
    public var location: SourceLocation?

    public init(
        source: Negatable<IPv4Network>? = nil, destination: Negatable<IPv4Network>? = nil,
        inInterface: Negatable<InterfacePattern>? = nil, outInterface: Negatable<InterfacePattern>? = nil,
        proto: Negatable<UInt8>? = nil, fragment: Negatable<Bool>? = nil, matches: [Match] = [],
        target: Target? = nil, counters: Counter? = nil, location: SourceLocation? = nil
    ) {
        self.source = source
        self.destination = destination
        self.inInterface = inInterface
        self.outInterface = outInterface
        self.proto = proto
        self.fragment = fragment
        self.matches = matches
        self.target = target
        self.counters = counters
        self.location = location
    }

    public static func == (lhs: Rule, rhs: Rule) -> Bool {
        lhs.source == rhs.source && lhs.destination == rhs.destination && lhs.inInterface == rhs.inInterface
            && lhs.outInterface == rhs.outInterface && lhs.proto == rhs.proto && lhs.fragment == rhs.fragment
            && lhs.matches == rhs.matches && lhs.target == rhs.target && lhs.counters == rhs.counters
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(source)
        hasher.combine(destination)
        hasher.combine(proto)
        hasher.combine(matches)
        hasher.combine(target)
    }

    /// The comments of the rule, in order (Calico writes `cali:HASH` first).
    public var comments: [String] {
        matches.compactMap { if case .comment(let text) = $0 { return text } else { return nil } }
    }

    public var usesGoto: Bool { if case .goto = target { return true } else { return false } }

    /// The user chain this rule jumps or goes to.
    public var chainTarget: String? {
        switch target {
        case .jump(let chain), .goto(let chain): return chain
        default: return nil
        }
    }
}

public struct Counter: Hashable, Sendable {
    public var packets: UInt64
    public var bytes: UInt64
    public init(packets: UInt64 = 0, bytes: UInt64 = 0) { self.packets = packets; self.bytes = bytes }
    public mutating func add(bytes: Int) {
        packets += 1
        self.bytes += UInt64(bytes)
    }
    public static let zero = Counter()
}
