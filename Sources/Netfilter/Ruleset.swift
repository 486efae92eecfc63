/// The five iptables tables, in the order their chains run within a hook.
public enum TableName: String, CaseIterable, Hashable, Sendable, Comparable {
    case raw, mangle, nat, filter, security

    public static func < (lhs: TableName, rhs: TableName) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The built-in chains each table registers, in hook order.
    public var builtinChains: [Hook] {
        switch self {
        case .raw: return [.prerouting, .output]
        case .mangle: return [.prerouting, .input, .forward, .output, .postrouting]
        case .nat: return [.prerouting, .input, .output, .postrouting]
        case .filter, .security: return [.input, .forward, .output]
        }
    }
}

public enum Hook: String, CaseIterable, Hashable, Sendable {
    case prerouting = "PREROUTING", input = "INPUT", forward = "FORWARD", output = "OUTPUT", postrouting = "POSTROUTING"

    /// Which tables run at this hook, in priority order. nat's position differs per hook:
    /// DNAT (-100) before filter in PREROUTING/OUTPUT, SNAT (+100) after it in INPUT/POSTROUTING.
    public var tablesInOrder: [TableName] {
        switch self {
        case .prerouting: return [.raw, .mangle, .nat]
        case .input: return [.mangle, .filter, .security, .nat]
        case .forward: return [.mangle, .filter, .security]
        case .output: return [.raw, .mangle, .nat, .filter, .security]
        case .postrouting: return [.mangle, .nat]
        }
    }

    /// `-i` is set in these hooks, `-o` in the others (FORWARD has both).
    public var hasInputInterface: Bool { self == .prerouting || self == .input || self == .forward }
    public var hasOutputInterface: Bool { self == .forward || self == .output || self == .postrouting }
}

public enum ChainPolicy: String, Hashable, Sendable {
    case accept = "ACCEPT", drop = "DROP"
}

public struct Chain: Hashable, Sendable {
    public var name: String
    /// nil for a user-defined chain.
    public var policy: ChainPolicy?
    /// The built-in chain's policy counter as the dump carried it.
    public var policyCounter: Counter
    public var rules: [Rule]
    public var location: SourceLocation?

    public init(name: String, policy: ChainPolicy?, policyCounter: Counter = .zero, rules: [Rule] = [], location: SourceLocation? = nil) {
        self.name = name
        self.policy = policy
        self.policyCounter = policyCounter
        self.rules = rules
        self.location = location
    }

    public var isBuiltin: Bool { policy != nil }

    public static func == (lhs: Chain, rhs: Chain) -> Bool {
        lhs.name == rhs.name && lhs.policy == rhs.policy && lhs.policyCounter == rhs.policyCounter && lhs.rules == rhs.rules
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(name); hasher.combine(rules) }
}

public struct Table: Hashable, Sendable {
    public var name: TableName
    /// Chains in declaration order.
    public var chains: [Chain]
    /// `# ...` lines before `*table` and after `COMMIT`, kept so a dump prints back unchanged.
    public var leadingComments: [String]
    public var trailingComments: [String]
    public var location: SourceLocation?

    public init(name: TableName, chains: [Chain] = [], leadingComments: [String] = [], trailingComments: [String] = [], location: SourceLocation? = nil) {
        self.name = name
        self.chains = chains
        self.leadingComments = leadingComments
        self.trailingComments = trailingComments
        self.location = location
    }

    public func chainIndex(_ name: String) -> Int? { chains.firstIndex { $0.name == name } }
    public func chain(_ name: String) -> Chain? { chains.first { $0.name == name } }

    public static func == (lhs: Table, rhs: Table) -> Bool {
        lhs.name == rhs.name && lhs.chains == rhs.chains
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(name); hasher.combine(chains) }
}

/// Which iptables back end produced a dump; they differ in load-time limits (§2.4 of the
/// semantics notes: nft refuses chain depth > 15, legacy refuses only loops).
public enum IptablesDialect: String, Hashable, Sendable {
    case nft, legacy
}

public enum AddressFamily: String, Hashable, Sendable {
    case ipv4, ipv6
}

/// A whole `iptables-save` file.
/// Which of the kernel's two iptables implementations holds a set of tables. A node can
/// have both at once (a component shipping iptables-legacy beside an nf_tables OS): each
/// registers its own base chains at the same hooks and priorities and both see the packet.
public enum Backend: String, Hashable, Sendable, Codable, CaseIterable {
    case nftables = "nf_tables", legacy
}

public struct Ruleset: Hashable, Sendable {
    public var family: AddressFamily
    public var dialect: IptablesDialect
    /// Tables in file order.
    public var tables: [Table]
    /// Comment lines after the last COMMIT that belong to no table.
    public var trailingComments: [String]

    public init(family: AddressFamily = .ipv4, dialect: IptablesDialect = .nft, tables: [Table] = [], trailingComments: [String] = []) {
        self.family = family
        self.dialect = dialect
        self.tables = tables
        self.trailingComments = trailingComments
    }

    public func table(_ name: TableName) -> Table? { tables.first { $0.name == name } }

    public func tableIndex(_ name: TableName) -> Int? { tables.firstIndex { $0.name == name } }
}
