/// What a chain is for, read from its name as felix and kube-proxy name them. This is all a
/// bare node dump says about a chain; a render's provenance says more.
enum FelixChainRole: Hashable, Sendable {
    /// `cali-tw-`/`cali-fw-` (workload), `cali-th-`/`cali-fh-` and their `fw` forms (host
    /// endpoint): the endpoint's policy chain for one direction.
    case endpoint(kind: String, interface: String, direction: String)
    /// `cali-pi-`/`cali-po-`: a policy's ingress or egress rules; `id` is the name felix hashed.
    case policy(id: String, direction: String)
    /// `cali-pri-`/`cali-pro-`: a profile's rules.
    case profile(id: String, direction: String)
    /// `cali-gi-`/`cali-go-` (felix 3.28+): policies with the same selector, jumped to in turn.
    case policyGroup
    /// `cali-to-wl-dispatch`, `cali-from-host-endpoint`, …: the interface-to-endpoint dispatch.
    case dispatch
    case failsafe
    /// kube-proxy's `KUBE-*` chains.
    case kubeProxy
    /// Any other `cali-` chain felix writes on every node.
    case felix
    case other

    init(chain: String) {
        func rest(_ prefix: String) -> String? { chain.hasPrefix(prefix) ? String(chain.dropFirst(prefix.count)) : nil }
        if let interface = rest("cali-tw-") {
            self = .endpoint(kind: "workload", interface: interface, direction: "ingress")
        } else if let interface = rest("cali-fw-") {
            self = .endpoint(kind: "workload", interface: interface, direction: "egress")
        } else if let interface = rest("cali-thfw-") ?? rest("cali-th-") {
            self = .endpoint(kind: "host", interface: interface, direction: "egress")
        } else if let interface = rest("cali-fhfw-") ?? rest("cali-fh-") {
            self = .endpoint(kind: "host", interface: interface, direction: "ingress")
        } else if let id = rest("cali-pi-") {
            self = .policy(id: id, direction: "ingress")
        } else if let id = rest("cali-po-") {
            self = .policy(id: id, direction: "egress")
        } else if chain.hasPrefix("cali-gi-") || chain.hasPrefix("cali-go-") {
            self = .policyGroup
        } else if let id = rest("cali-pri-") {
            self = .profile(id: id, direction: "ingress")
        } else if let id = rest("cali-pro-") {
            self = .profile(id: id, direction: "egress")
        } else if chain.contains("-dispatch") || chain.hasSuffix("-host-endpoint") || chain.hasSuffix("hep-forward") {
            self = .dispatch
        } else if chain.hasPrefix("cali-failsafe") {
            self = .failsafe
        } else if chain.hasPrefix("KUBE-") {
            self = .kubeProxy
        } else if chain.hasPrefix("cali-") {
            self = .felix
        } else {
            self = .other
        }
    }

    var isEndpoint: Bool {
        if case .endpoint = self { return true }
        return false
    }

    var isPolicyOrProfile: Bool {
        switch self {
        case .policy, .profile: return true
        default: return false
        }
    }
}

/// A policy or profile as far as its chain name tells: felix hashes long names (a leading `_`),
/// and the short ones name the policy as the felix of that time spelled it.
struct ChainNamedPolicy {
    var kind: String
    var name: String

    init?(role: FelixChainRole) {
        switch role {
        case .policy(let id, _):
            guard !id.hasPrefix("_") else { return nil }
            let parts = id.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            // v3.32+: `<kind-short>/<ns>/<name>` or `<kind-short>/<name>`.
            let kinds = ["np": "NetworkPolicy", "gnp": "GlobalNetworkPolicy", "snp": "StagedNetworkPolicy", "sgnp": "StagedGlobalNetworkPolicy",
                         "sknp": "StagedKubernetesNetworkPolicy", "knp": "KubernetesNetworkPolicy", "kcnp": "KubernetesClusterNetworkPolicy"]
            if parts.count >= 2, let kind = kinds[parts[0]] {
                self.init(kind: kind, name: parts.dropFirst().joined(separator: "/"))
            } else if id.hasPrefix("knp.default.") {
                // v3.0–3.28 (`knp.default.<name>`, namespace unknown) and 2.5/2.6 (`knp.default.<ns>.<name>`).
                self.init(kind: "KubernetesNetworkPolicy", name: String(id.dropFirst("knp.default.".count)))
            } else {
                // Calico 2.0–2.4 named a Kubernetes NetworkPolicy `<namespace>.<name>`; a Calico
                // policy of that time had a plain name.
                self.init(kind: "policy", name: id)
            }
        case .profile(let id, _):
            guard !id.hasPrefix("_") else { return nil }
            self.init(kind: "Profile", name: id)
        default:
            return nil
        }
    }

    init(kind: String, name: String) {
        self.kind = kind
        self.name = name
    }

    /// A policy chain's comment rule names the policy (felix 3.22+: `<Kind> <name> ingress`,
    /// earlier `Policy <name> ingress`).
    init?(comment: String, direction: String) {
        let words = comment.split(separator: " ").map(String.init)
        guard words.count == 3, words[2] == direction else { return nil }
        self.init(kind: words[0] == "Policy" ? "policy" : words[0], name: words[1])
    }
}
