/// The kernel settings pathsim's engine reads. Defaults are a Kubernetes node's:
/// forwarding on; conntrack as a fresh kernel 6.x namespace has it.
public struct Sysctls: Hashable, Sendable {
    public var ipForward = true
    public var tcpLoose = true
    public var tcpBeLiberal = false
    public var conntrackChecksum = true
    public var conntrackMax = 262_144
    /// `nf_conntrack_buckets`: where early drop looks for a victim when the table is full.
    public var conntrackBuckets = 262_144
    public var timeouts = ConntrackTimeouts()
    /// `net.ipv4.conf.all.rp_filter`; per-interface values are merged with max() as the kernel does.
    public var rpFilterAll = 0
    public var rpFilter: [String: Int] = [:]
    /// Every other `key = value` line, kept for reporting.
    public var other: [String: String] = [:]

    public init() {}

    /// Effective rp_filter for an interface: the kernel uses max(all, interface).
    public func rpFilter(for interface: String) -> Int {
        max(rpFilterAll, rpFilter[interface] ?? rpFilter["default"] ?? 0)
    }
}
