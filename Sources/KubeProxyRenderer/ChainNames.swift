import Digests

/// kube-proxy's per-service chain names (pkg/proxy/iptables/proxier.go `portProtoHash` and
/// `servicePortEndpointChainName`): a prefix and the first 16 characters of
/// base32(sha256(`ns/name:port` + lower-case protocol [+ `ip:port`])), so a name stays within
/// iptables' 28 characters.
enum ChainNames {
    static let services = "KUBE-SERVICES"
    static let externalServices = "KUBE-EXTERNAL-SERVICES"
    static let nodePorts = "KUBE-NODEPORTS"
    static let postrouting = "KUBE-POSTROUTING"
    static let markMasquerade = "KUBE-MARK-MASQ"
    static let forward = "KUBE-FORWARD"
    static let proxyFirewall = "KUBE-PROXY-FIREWALL"
    static let proxyCanary = "KUBE-PROXY-CANARY"
    /// kubelet's chains, which kube-proxy also ensures (`iptablesKubeletJumpChains`).
    static let kubeletFirewall = "KUBE-FIREWALL"
    static let kubeletCanary = "KUBE-KUBELET-CANARY"

    static func hash(_ text: String) -> String {
        String(Base32.encode(SHA256.hash(text)).prefix(16))
    }

    static func cluster(_ servicePort: String, _ proto: String) -> String { "KUBE-SVC-" + hash(servicePort + proto) }
    static func local(_ servicePort: String, _ proto: String) -> String { "KUBE-SVL-" + hash(servicePort + proto) }
    static func firewall(_ servicePort: String, _ proto: String) -> String { "KUBE-FW-" + hash(servicePort + proto) }
    static func external(_ servicePort: String, _ proto: String) -> String { "KUBE-EXT-" + hash(servicePort + proto) }
    static func endpoint(_ servicePort: String, _ proto: String, _ endpoint: String) -> String {
        "KUBE-SEP-" + hash(servicePort + proto + endpoint)
    }
}
