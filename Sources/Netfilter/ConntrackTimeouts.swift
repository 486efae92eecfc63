/// Conntrack's timeouts in seconds, as the `net.netfilter.nf_conntrack_*timeout*` sysctls
/// set them. The defaults are a fresh kernel 6.x namespace's (read with `sysctl -a` there).
public struct ConntrackTimeouts: Hashable, Sendable {
    /// Per TCP state, indexed by `TCPConntrackState.rawValue` (NONE has none).
    public var tcp: [Double] = [0, 120, 60, 432_000, 120, 60, 30, 120, 10, 120]
    /// `nf_conntrack_tcp_timeout_max_retrans`: the cap after `tcpMaxRetransmissions` retransmissions or a zero window.
    public var tcpMaxRetransmitted: Double = 300
    /// `nf_conntrack_tcp_timeout_unacknowledged`: the cap while data is unacknowledged.
    public var tcpUnacknowledged: Double = 300
    /// `nf_conntrack_tcp_max_retrans`.
    public var tcpMaxRetransmissions = 3
    public var udp: Double = 30
    public var udpStream: Double = 120
    public var icmp: Double = 30
    public var gre: Double = 30
    public var greStream: Double = 180
    public var generic: Double = 600

    public init() {}

    public func tcp(_ state: TCPConntrackState) -> Double { tcp[state.rawValue] }

    /// The sysctl each timeout is read from, and where it goes.
    public static let sysctlKeys: [(key: String, path: WritableKeyPath<ConntrackTimeouts, Double> & Sendable)] = {
        var keys: [(String, WritableKeyPath<ConntrackTimeouts, Double> & Sendable)] = [
            ("net.netfilter.nf_conntrack_tcp_timeout_max_retrans", \.tcpMaxRetransmitted),
            ("net.netfilter.nf_conntrack_tcp_timeout_unacknowledged", \.tcpUnacknowledged),
            ("net.netfilter.nf_conntrack_udp_timeout", \.udp),
            ("net.netfilter.nf_conntrack_udp_timeout_stream", \.udpStream),
            ("net.netfilter.nf_conntrack_icmp_timeout", \.icmp),
            ("net.netfilter.nf_conntrack_gre_timeout", \.gre),
            ("net.netfilter.nf_conntrack_gre_timeout_stream", \.greStream),
            ("net.netfilter.nf_conntrack_generic_timeout", \.generic),
        ]
        // SYN_SENT2 has no sysctl of its own; it keeps two minutes.
        for state in TCPConntrackState.allCases where state != .none && state != .synSent2 {
            keys.append(("net.netfilter.nf_conntrack_tcp_timeout_" + state.sysctlSuffix, \.tcp[state.rawValue]))
        }
        return keys
    }()
}

extension TCPConntrackState {
    /// The state's part of its timeout sysctl's name.
    var sysctlSuffix: String { self == .synReceived ? "syn_recv" : name.lowercased() }
}
