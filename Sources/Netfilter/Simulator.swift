/// The reference engine: a node's rules, sets, network and conntrack table, and the
/// walk of each packet through the hooks in the kernel's order. Plain on purpose: this
/// is the evaluator every faster form is checked against.
///
/// Per packet:
/// ```
/// in=IFACE:  raw PREROUTING → conntrack → mangle PREROUTING → nat PREROUTING → routing
///              local:   mangle INPUT → filter INPUT → security INPUT → nat INPUT → confirm
///              forward: mangle FORWARD → filter FORWARD → security FORWARD
///                       → mangle POSTROUTING → nat POSTROUTING → confirm
/// local:     routing → raw OUTPUT → conntrack → mangle OUTPUT → nat OUTPUT → filter OUTPUT
///              → security OUTPUT → mangle POSTROUTING → nat POSTROUTING → confirm
///              (→ back in on lo for a local destination)
/// ```
public struct Simulator: Sendable {
    public let ruleset: Ruleset
    /// The node's iptables-legacy tables when it has both back ends (`ruleset` is then the
    /// nf_tables one).
    public let legacyRuleset: Ruleset?
    public let network: NodeNetwork
    public let sysctls: Sysctls
    public var options: SimulatorOptions
    public internal(set) var conntrack = ConntrackTable()
    /// Rule counters per table, chain index and rule index.
    public internal(set) var ruleCounters: [TableName: [[Counter]]] = [:]
    /// Built-in chain policy counters per table and chain index.
    public internal(set) var policyCounters: [TableName: [Counter]] = [:]
    /// The same for the iptables-legacy tables.
    public internal(set) var legacyRuleCounters: [TableName: [[Counter]]] = [:]
    public internal(set) var legacyPolicyCounters: [TableName: [Counter]] = [:]
    public internal(set) var clock: Double = 0

    let loaded: LoadedRuleset
    let legacy: LoadedRuleset?
    /// The back ends at each hook, in the order the kernel runs them.
    let backendOrder: [Backend]
    /// The table `walk` is in, for what a match needs to know of it (its back end's state
    /// and dialect).
    var walking: (backend: Backend, dialect: IptablesDialect) = (.nftables, .nft)
    var random: SplitMix64
    var nthCounters: [RuleMatchKey: UInt32] = [:]
    /// `-m recent`'s address lists, by name.
    var recentLists = RecentLists()
    var limitBuckets: [RuleMatchKey: (tokens: Double, last: Double)] = [:]
    /// Connections the node had (`conntrack.txt`), with seconds left in `expires`: they are
    /// put in the table when the first packet sets the clock.
    var seededConntrack: [ConntrackEntry]
    /// Set while `allBranches` replays a packet with chosen `statistic --mode random` draws.
    var branchScript: BranchScript?

    struct RuleMatchKey: Hashable, Sendable {
        var backend: Backend
        var table: TableName
        var chain: Int
        var rule: Int
        var match: Int
    }

    /// `conntrack`: the node's connections as `conntrack -L` listed them, `expires` holding
    /// the seconds each had left; their presence means the node tracks connections.
    ///
    /// `legacyRuleset`: the node's iptables-legacy tables, when it also has nf_tables ones.
    public init(ruleset: Ruleset, legacyRuleset: Ruleset? = nil, ipsets: [IPSet] = [], network: NodeNetwork = NodeNetwork(), sysctls: Sysctls = Sysctls(),
                options: SimulatorOptions = SimulatorOptions(), conntrack: [ConntrackEntry] = []) {
        self.ruleset = ruleset
        self.legacyRuleset = legacyRuleset
        seededConntrack = conntrack
        self.network = network
        self.sysctls = sysctls
        self.options = options
        var loaded = LoadedRuleset(ruleset: ruleset, ipsets: ipsets)
        legacy = legacyRuleset.map { LoadedRuleset(ruleset: $0, ipsets: ipsets, backend: .legacy) }
        // Either back end's conntrack-dependent rule registers conntrack for both.
        if options.conntrackAlwaysOn || !conntrack.isEmpty || legacy?.conntrackActive == true { loaded.conntrackActive = true }
        self.loaded = loaded
        backendOrder = legacyRuleset == nil ? [.nftables] : (options.legacyRunsFirst ? [.legacy, .nftables] : [.nftables, .legacy])
        random = SplitMix64(seed: options.randomSeed)
        for table in ruleset.tables {
            ruleCounters[table.name] = table.chains.map { [Counter](repeating: .zero, count: $0.rules.count) }
            policyCounters[table.name] = [Counter](repeating: .zero, count: table.chains.count)
        }
        for table in legacyRuleset?.tables ?? [] {
            legacyRuleCounters[table.name] = table.chains.map { [Counter](repeating: .zero, count: $0.rules.count) }
            legacyPolicyCounters[table.name] = [Counter](repeating: .zero, count: table.chains.count)
        }
    }

    func tables(_ backend: Backend) -> [TableName: LoadedRuleset.LoadedTable] {
        backend == .legacy ? legacy?.tables ?? [:] : loaded.tables
    }

    /// Features of the loaded rules pathsim cannot evaluate; each trace that meets one says so too.
    public var unsupportedFeatures: [UnsupportedFeature] { loaded.unsupported + (legacy?.unsupported ?? []) }

    /// Whether the rules make the kernel register conntrack in this namespace (§1.6):
    /// without a conntrack-dependent rule nothing is tracked and nat never runs.
    public var conntrackActive: Bool { loaded.conntrackActive }

    public func counter(table: TableName, chain: String, rule: Int, backend: Backend = .nftables) -> Counter? {
        guard let t = tables(backend)[table], let c = t.chainIndex[chain] else { return nil }
        return (backend == .legacy ? legacyRuleCounters : ruleCounters)[table]?[c][rule]
    }

    public func policyCounter(table: TableName, chain: String, backend: Backend = .nftables) -> Counter? {
        guard let t = tables(backend)[table], let c = t.chainIndex[chain] else { return nil }
        return (backend == .legacy ? legacyPolicyCounters : policyCounters)[table]?[c]
    }

    /// Runs one packet and returns its path. Packets share the conntrack table and
    /// counters, so a sequence behaves as it would on the node.
    public mutating func process(_ given: PacketInput) -> PacketTrace {
        clock = max(clock, given.timestamp)
        installSeededConntrack()
        conntrack.expire(now: clock)
        var input = given
        continueConnection(&input)
        var flight = InFlight(input: input)
        if let declared = input.declaredState { declare(declared, for: &flight) }
        switch input.ingress {
        case .interface(let name):
            if network.interface(named: name) == nil, !network.interfaces.isEmpty {
                flight.trace.notes.append("interface \(name) is not in the snapshot's ip-link.json")
            }
            receive(&flight, on: name)
        case .local:
            sendLocal(&flight)
        }
        var trace = flight.trace
        trace.finalPacket = flight.packet
        trace.outInterface = flight.outInterface
        if let attachment = flight.ct {
            trace.conntrackEntry = conntrack.entries[attachment.id]
        }
        return trace
    }

    /// All conntrack entries as `conntrack -L` prints them.
    public mutating func conntrackListing() -> [String] {
        installSeededConntrack()
        return conntrack.sortedEntries.map { $0.conntrackLine(now: clock) }
    }

    /// The table as another engine's `conntrack:` seed: each entry with the seconds it has left,
    /// so a changed ruleset can start with the connections this one made.
    public mutating func conntrackToCarryOver() -> [ConntrackEntry] {
        installSeededConntrack()
        return conntrack.sortedEntries.map { entry in
            var carried = entry
            carried.expires = max(0, entry.expires - clock)
            return carried
        }
    }

    /// Lets time pass with no packet: entries whose timeout runs out are removed.
    public mutating func advanceClock(by seconds: Double) {
        installSeededConntrack()
        clock += seconds
        conntrack.expire(now: clock)
    }

    mutating func installSeededConntrack() {
        guard !seededConntrack.isEmpty else { return }
        for var entry in seededConntrack {
            entry.id = conntrack.allocateID()
            entry.created = clock
            entry.expires += clock
            conntrack.insert(entry, indexReply: !conntrack.isTaken(entry.reply))
        }
        seededConntrack = []
    }
}

/// A packet on its way through the node, with what netfilter attached to it.
struct InFlight {
    var packet: Packet
    var inInterface: String?
    var outInterface: String?
    var untracked = false
    var ct: ConntrackAttachment?
    /// A new connection's entry until it is confirmed at the end of POSTROUTING or INPUT.
    var pending: ConntrackEntry?
    var trace: PacketTrace
    var now: Double

    init(input: PacketInput) {
        packet = input.packet
        trace = PacketTrace(input: input)
        now = input.timestamp
    }
}

struct ConntrackAttachment {
    var id: Int
    /// NEW, ESTABLISHED or RELATED.
    var state: ConntrackStates
    var direction: ConntrackDirection
}
