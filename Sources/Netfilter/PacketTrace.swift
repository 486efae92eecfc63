/// Where a packet comes from.
public enum Ingress: Hashable, Sendable {
    /// Arrives on this interface (PREROUTING first).
    case interface(String)
    /// Sent by the node itself (OUTPUT first).
    case local
}

/// Conntrack state a user declares for a packet whose connection pathsim has not seen.
public enum DeclaredConntrackState: String, Hashable, Sendable {
    case established, related
}

public struct PacketInput: Hashable, Sendable {
    public var packet: Packet
    public var ingress: Ingress
    /// Seconds; drives conntrack timeouts and `-m limit`.
    public var timestamp: Double
    public var declaredState: DeclaredConntrackState?
    /// False when the user left the TCP number out: pathsim then continues the connection.
    public var sequenceGiven: Bool
    public var acknowledgementGiven: Bool

    public init(packet: Packet, ingress: Ingress, timestamp: Double = 0, declaredState: DeclaredConntrackState? = nil,
                sequenceGiven: Bool = true, acknowledgementGiven: Bool = true) {
        self.packet = packet
        self.ingress = ingress
        self.timestamp = timestamp
        self.declaredState = declaredState
        self.sequenceGiven = sequenceGiven
        self.acknowledgementGiven = acknowledgementGiven
    }
}

/// The base chain a packet entered, with the packet as it was at that point: what
/// `nft monitor trace` prints on its `packet:` line.
public struct ChainVisit: Hashable, Sendable {
    public var table: TableName
    public var backend: Backend = .nftables
    public var hook: Hook
    public var packet: Packet
    public var inInterface: String?
    public var outInterface: String?
    /// The steps recorded while in this base chain: `steps[stepRange]`.
    public var stepRange: Range<Int>
    /// The packet's mark when it left the chain (what a `policy` trace line prints).
    public var markAfter: UInt32 = 0
}

/// One condition of a rule, to say which one failed.
public enum RuleCondition: Hashable, Sendable {
    case source, destination, inInterface, outInterface, proto, fragment
    case match(Int)

    /// The ip part, in the order iptables tests it.
    public static let header: [RuleCondition] = [.source, .destination, .inInterface, .outInterface, .proto, .fragment]
}

/// A rule that was evaluated and did not match (recorded on request, for `--verbose`).
public struct MissedRule: Hashable, Sendable {
    public var table: TableName
    public var chain: String
    public var rule: Int
    public var failed: RuleCondition
    /// Every condition that does not hold, each tested on its own (`failed` first): what
    /// would have to change for the rule to match.
    public var failures: [RuleCondition] = []
    /// The packet's mark when the rule was evaluated (earlier rules of the walk may have set it).
    public var mark: UInt32 = 0
    /// How many steps were recorded before this rule was evaluated, to place it in the path.
    public var beforeStep: Int
    public var backend: Backend = .nftables
}

/// A rule whose match or target pathsim cannot evaluate, met during a trace.
public struct UnsupportedHit: Hashable, Sendable, CustomStringConvertible {
    public var table: TableName
    public var chain: String
    public var rule: Int
    public var feature: String
    public var location: SourceLocation?
    public var assumption: String

    public var description: String {
        "\(table.rawValue):\(chain) #\(rule): \(feature) is not supported by pathsim; \(assumption)"
            + (location.map { " (\($0))" } ?? "")
    }
}

/// Why a packet ended where it did, when no rule or policy decided.
public enum RoutingDrop: String, Hashable, Sendable {
    case noRoute = "no route to the destination"
    case forwardingDisabled = "forwarding is disabled (net.ipv4.ip_forward = 0)"
    case reversePathFilter = "reverse-path filter (rp_filter) dropped it: no route back to the source through the incoming interface"
    case ttlExceeded = "TTL expired before forwarding"
    case blackhole = "blackhole route"
    case unreachable = "unreachable route"
    case prohibit = "prohibit route"
    case natNoAddress = "NAT found no address to use"
    case conntrackTableFull = "the conntrack table is full (nf_conntrack_max) and early drop found no unassured entry near the new one's hash bucket (the kernel logs \"nf_conntrack: table full, dropping packet\")"
    case conntrackClash = "conntrack could not confirm the new connection: one of its tuples is already taken by another entry (the kernel drops the packet and counts insert_failed)"
}

public enum PacketFate: Hashable, Sendable {
    /// Delivered to a local socket (passed INPUT).
    case delivered
    /// Left the node on this interface (forwarded or locally generated).
    case sent(interface: String)
    /// Dropped by a rule (DROP or REJECT) or a policy: the deciding step.
    case droppedByRule(TraceStep)
    case droppedInRouting(RoutingDrop)
    /// The verdict depends on a feature pathsim does not model.
    case undetermined(String)

    public var isAccepted: Bool {
        switch self {
        case .delivered, .sent: return true
        default: return false
        }
    }
}

/// Everything pathsim knows about one packet's way through the node.
public struct PacketTrace: Hashable, Sendable {
    public var input: PacketInput
    public var steps: [TraceStep] = []
    public var visits: [ChainVisit] = []
    public var fate: PacketFate = .delivered
    /// The packet as it left (after NAT), or as it was when dropped.
    public var finalPacket: Packet
    public var outInterface: String?
    /// Conntrack state the packet had in the filter hooks (or the last one computed).
    public var conntrackState: ConntrackStates?
    public var conntrackDirection: ConntrackDirection?
    /// The connection's entry after the packet (nil when untracked, invalid, or not confirmed).
    public var conntrackEntry: ConntrackEntry?
    public var missed: [MissedRule] = []
    public var unsupported: [UnsupportedHit] = []
    public var notes: [String] = []
    /// Packets a REJECT generated (ICMP error or TCP reset), with their own paths.
    public var generated: [PacketTrace] = []
    /// The packet went out through `lo` and came back in (a local destination).
    public var loopedBack = false

    public init(input: PacketInput) {
        self.input = input
        finalPacket = input.packet
    }

    public var verdict: StepVerdict { fate.isAccepted ? .accept : .drop }

    /// This packet and every packet generated in answer to it, answers to answers included
    /// (a REJECT in OUTPUT can answer a packet the node generated), in the order the kernel
    /// traces them: each packet before the ones it caused.
    public var withGenerated: [PacketTrace] {
        [self] + generated.flatMap(\.withGenerated)
    }
}
