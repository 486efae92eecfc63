import CalicoModel
import FelixRenderer
import IptablesSave
import Netfilter

/// What an explanation can draw on: the node's rules and sets always; the render's
/// back-mapping and the cluster objects when they are known.
public struct ExplainContext: Sendable {
    public var ruleset: Ruleset
    public var legacyRuleset: Ruleset?
    public var ipsets: [IPSet]
    public var provenance: RenderProvenance?
    public let cluster: Cluster?
    /// The cluster's endpoints, resolved once: every explanation looks interfaces and addresses up here.
    let endpoints: [ResolvedEndpoint]
    public var node: String?
    /// Said once in every explanation (how the provenance was matched to a real dump, for example).
    public var notes: [String] = []
    /// felix's accept and pass bits, read from its endpoint chains.
    let markBits: FelixMarkBits?

    public init(ruleset: Ruleset, legacyRuleset: Ruleset? = nil, ipsets: [IPSet] = [], provenance: RenderProvenance? = nil, cluster: Cluster? = nil, node: String? = nil) {
        self.ruleset = ruleset
        self.legacyRuleset = legacyRuleset
        self.ipsets = ipsets
        self.provenance = provenance
        self.cluster = cluster
        self.node = node
        endpoints = cluster.map { EndpointCatalog(cluster: $0, dialect: .modern).endpoints } ?? []
        markBits = FelixMarkBits(ruleset.table(.filter))
    }

    func chain(_ backend: Backend, _ table: TableName, _ name: String) -> Chain? {
        (backend == .legacy ? legacyRuleset : ruleset)?.table(table)?.chain(name)
    }

    func rule(_ backend: Backend, _ table: TableName, _ chain: String, _ position: Int) -> Rule? {
        guard let rules = self.chain(backend, table, chain)?.rules, position >= 1, position <= rules.count else { return nil }
        return rules[position - 1]
    }

    func ruleText(_ backend: Backend, _ table: TableName, _ chain: String, _ position: Int) -> String {
        rule(backend, table, chain, position).map { IptablesSavePrinter.ruleText($0, chain: chain) } ?? ""
    }

    /// Provenance is felix's: only the nf_tables back end's rules have it.
    func origin(_ backend: Backend, _ table: TableName, _ chain: String, _ position: Int?) -> RuleOrigin? {
        guard backend == .nftables, let position else { return nil }
        return provenance?.rule(table: table.rawValue, chain: chain, position: position)?.origin
    }

    func chainOrigin(_ table: TableName, _ chain: String) -> RuleOrigin? {
        provenance?.chain(table: table.rawValue, chain: chain)?.origin
    }

    func ipset(named name: String) -> IPSet? { ipsets.first { $0.name == name } }

    func ipsetOrigin(_ name: String) -> IPSetOrigin? { provenance?.ipsets.first { $0.name == name }?.origin }

    var hasProvenance: Bool { provenance != nil }
}

/// felix writes a `cali:` hash comment first on every rule; a rendered rule and a dumped one
/// with the same hash are the same rule (the hash covers the chain and every rule before it).
extension Rule {
    var felixHash: String? {
        comments.first { $0.hasPrefix("cali:") }.map { String($0.dropFirst(5)) }
    }

    var explanatoryComments: [String] { comments.filter { !$0.hasPrefix("cali:") } }
}

/// The accept and pass bits as felix's endpoint chains use them: "Return if policy accepted"
/// tests the accept bit, the tier's start clears the pass bit.
struct FelixMarkBits: Hashable, Sendable {
    var accept: UInt32
    var pass: UInt32

    init?(_ table: Table?) {
        var accept: UInt32?
        var pass: UInt32?
        for chain in table?.chains ?? [] where FelixChainRole(chain: chain.name).isEndpoint {
            for rule in chain.rules {
                let comments = rule.explanatoryComments
                if accept == nil, comments.contains(where: { $0.hasPrefix("Return if policy accepted") }) {
                    for case .mark(let test) in rule.matches { accept = test.value.mask }
                }
                if pass == nil, comments.contains(where: { $0.hasPrefix("Start of tier") || $0 == "Start of policies" }), case .mark(_, let mask)? = rule.target {
                    pass = mask
                }
            }
            if accept != nil && pass != nil { break }
        }
        guard let accept else { return nil }
        self.accept = accept
        self.pass = pass ?? 0
    }
}
