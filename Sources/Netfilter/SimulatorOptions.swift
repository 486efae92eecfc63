public struct SimulatorOptions: Hashable, Sendable {
    /// Record rules that were evaluated and did not match (`--verbose`).
    public var recordMisses = false
    /// Seed for `-m statistic --mode random`; the kernel's draws cannot be reproduced.
    public var randomSeed: UInt64 = 0
    /// Track connections even when no rule needs conntrack: something outside the
    /// iptables rules (an nft table with a `ct` expression, another netfilter user) has
    /// registered it in the namespace.
    public var conntrackAlwaysOn = false
    /// Model the node's own stack as having no listening sockets: a TCP segment delivered
    /// locally is answered with a RST and a UDP datagram with ICMP port unreachable, and
    /// those answers take the OUTPUT path. Off by default: a real node's open ports are unknown.
    public var closedPorts = false
    /// With both back ends: whether the iptables-legacy chains run before the nf_tables ones
    /// at the same hook and priority. The kernel runs the later-registered first, so this
    /// is true when the legacy tables were created after the nf_tables ones (the usual story:
    /// the OS's nf_tables rules at boot, a container shipping iptables-legacy later).
    public var legacyRunsFirst = true
    public init(recordMisses: Bool = false, randomSeed: UInt64 = 0, conntrackAlwaysOn: Bool = false, closedPorts: Bool = false, legacyRunsFirst: Bool = true) {
        self.legacyRunsFirst = legacyRunsFirst
        self.recordMisses = recordMisses
        self.randomSeed = randomSeed
        self.conntrackAlwaysOn = conntrackAlwaysOn
        self.closedPorts = closedPorts
    }
}

/// A deterministic generator (SplitMix64) so a run with the same seed takes the same branches.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
