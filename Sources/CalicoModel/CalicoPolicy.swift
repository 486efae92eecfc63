/// A policy as felix sees it: Calico NetworkPolicy, GlobalNetworkPolicy, or a Kubernetes
/// NetworkPolicy after conversion.
public struct CalicoPolicy: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        case networkPolicy = "NetworkPolicy"
        case globalNetworkPolicy = "GlobalNetworkPolicy"
        case kubernetesNetworkPolicy = "KubernetesNetworkPolicy"
        case stagedNetworkPolicy = "StagedNetworkPolicy"
        case stagedGlobalNetworkPolicy = "StagedGlobalNetworkPolicy"

        /// The short kind felix ≥3.32 puts in chain names.
        public var shortName: String {
            switch self {
            case .networkPolicy: "np"
            case .globalNetworkPolicy: "gnp"
            case .kubernetesNetworkPolicy: "knp"
            case .stagedNetworkPolicy: "snp"
            case .stagedGlobalNetworkPolicy: "sgnp"
            }
        }
        public var isStaged: Bool { self == .stagedNetworkPolicy || self == .stagedGlobalNetworkPolicy }
    }

    public var kind: Kind
    /// Name as written (for a Calico policy in a non-default tier: `tier.name`).
    public var meta: ObjectMeta
    public var tier: String
    public var order: Double?
    public var selector: String
    public var namespaceSelector: String?
    public var serviceAccountSelector: String?
    public var types: [PolicyType]
    public var ingress: [CalicoRule]
    public var egress: [CalicoRule]
    public var preDNAT: Bool
    public var doNotTrack: Bool
    public var applyOnForward: Bool
    /// For a converted Kubernetes policy, the object it came from.
    public var origin: ObjectMeta?

    public init(kind: Kind, meta: ObjectMeta, tier: String = "default", order: Double? = nil, selector: String = "", namespaceSelector: String? = nil, serviceAccountSelector: String? = nil, types: [PolicyType] = [], ingress: [CalicoRule] = [], egress: [CalicoRule] = [], preDNAT: Bool = false, doNotTrack: Bool = false, applyOnForward: Bool = false, origin: ObjectMeta? = nil) {
        self.kind = kind
        self.meta = meta
        self.tier = tier
        self.order = order
        self.selector = selector
        self.namespaceSelector = namespaceSelector
        self.serviceAccountSelector = serviceAccountSelector
        self.types = types
        self.ingress = ingress
        self.egress = egress
        self.preDNAT = preDNAT
        self.doNotTrack = doNotTrack
        self.applyOnForward = applyOnForward
        self.origin = origin
    }

    public var isNamespaced: Bool { meta.namespace != nil }

    /// calicoctl's defaulting of `types`: Ingress, plus Egress when there are egress rules
    /// (for preDNAT or doNotTrack policies both directions are allowed only when written).
    public static func defaultTypes(ingress: [CalicoRule], egress: [CalicoRule]) -> [PolicyType] {
        if !egress.isEmpty && ingress.isEmpty { return [.egress] }
        if !egress.isEmpty { return [.ingress, .egress] }
        return [.ingress]
    }
}

public struct Tier: Hashable, Sendable {
    public enum DefaultAction: String, Hashable, Sendable { case deny = "Deny", pass = "Pass" }
    public var meta: ObjectMeta
    public var order: Double?
    public var defaultAction: DefaultAction
    public init(meta: ObjectMeta, order: Double? = nil, defaultAction: DefaultAction = .deny) {
        self.meta = meta
        self.order = order
        self.defaultAction = defaultAction
    }
}

public struct Profile: Hashable, Sendable {
    public var meta: ObjectMeta
    public var ingress: [CalicoRule]
    public var egress: [CalicoRule]
    public var labelsToApply: [String: String]
    public init(meta: ObjectMeta, ingress: [CalicoRule] = [], egress: [CalicoRule] = [], labelsToApply: [String: String] = [:]) {
        self.meta = meta
        self.ingress = ingress
        self.egress = egress
        self.labelsToApply = labelsToApply
    }
}
