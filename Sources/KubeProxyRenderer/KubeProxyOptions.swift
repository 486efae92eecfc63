/// How kube-proxy is configured on the node, for what changes its rules.
public struct KubeProxyOptions: Hashable, Sendable {
    /// How a KUBE-SVC/KUBE-SVL chain picks among several endpoints.
    public enum EndpointSelection: Hashable, Sendable {
        /// `-m statistic --mode random --probability 1/n`: what kube-proxy writes.
        case random
        /// `-m statistic --mode nth --every n --packet 0` in the same places: deterministic, so a
        /// packet sent to the kernel and to pathsim takes the same endpoint.
        case nth
    }

    public var endpointSelection: EndpointSelection
    /// `--masquerade-all`: masquerade every packet to a cluster IP.
    public var masqueradeAll: Bool
    /// `--cluster-cidr` (detect-local-mode ClusterCIDR): pod traffic is `-s` this range. nil takes
    /// the cluster's first enabled IPv4 IPPool; with neither, kube-proxy has no local detector
    /// and writes no `! -s` masquerade rules.
    public var clusterCIDR: String?
    /// `--masquerade-bit` (default 14, mark 0x4000).
    public var masqueradeBit: Int
    /// `--iptables-localhost-nodeports` (default true): NodePorts answer on 127.0.0.1 too.
    public var localhostNodePorts: Bool
    /// kube-proxy counts dropped INVALID packets and localhost NodePort connections with
    /// `-m nfacct` when the nfnetlink_acct counters could be created on the node.
    public var nfacctCounters: Bool
    /// `net.netfilter.nf_conntrack_tcp_be_liberal` is set: kube-proxy writes no INVALID drop.
    public var conntrackTCPBeLiberal: Bool
    /// iptables supports `--random-fully` (iptables ≥ 1.6.2), so MASQUERADE uses it.
    public var randomFully: Bool

    public init(endpointSelection: EndpointSelection = .random, masqueradeAll: Bool = false, clusterCIDR: String? = nil, masqueradeBit: Int = 14,
                localhostNodePorts: Bool = true, nfacctCounters: Bool = false, conntrackTCPBeLiberal: Bool = false, randomFully: Bool = true) {
        self.endpointSelection = endpointSelection
        self.masqueradeAll = masqueradeAll
        self.clusterCIDR = clusterCIDR
        self.masqueradeBit = masqueradeBit
        self.localhostNodePorts = localhostNodePorts
        self.nfacctCounters = nfacctCounters
        self.conntrackTCPBeLiberal = conntrackTCPBeLiberal
        self.randomFully = randomFully
    }

    /// The mark as iptables-save prints it: kube-proxy writes `fmt.Sprintf("%#08x", 1 << bit)`
    /// (`0x004000`), the kernel keeps the number, and iptables-save prints it with `%#x`.
    var masqueradeMark: String { "0x" + String(UInt32(1) << UInt32(masqueradeBit), radix: 16) }
}
