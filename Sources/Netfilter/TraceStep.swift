/// A verdict word as the kernel's trace prints it (`nft monitor trace`).
public enum StepVerdict: String, Hashable, Sendable, Codable {
    case `continue`, jump, goto, `return`, accept, drop
}

/// One event of a packet's path: a matched rule, or a built-in chain's policy
/// (`rule == nil`). Exactly what `nft monitor trace` reports for the same packet.
public struct TraceStep: Hashable, Sendable, Codable, CustomStringConvertible {
    public var table: TableName
    public var chain: String
    /// 1-based position in the chain; nil where the policy decided.
    public var rule: Int?
    public var verdict: StepVerdict
    /// The chain for jump/goto.
    public var target: String?
    /// Where the rule lives on a node with both back ends (`nft monitor trace` shows only
    /// nf_tables steps).
    public var backend: Backend

    public init(table: TableName, chain: String, rule: Int?, verdict: StepVerdict, target: String? = nil, backend: Backend = .nftables) {
        self.backend = backend
        self.table = table
        self.chain = chain
        self.rule = rule
        self.verdict = verdict
        self.target = target
    }

    public var description: String {
        let position = rule.map { "#\($0)" } ?? "policy"
        return (backend == .legacy ? "legacy " : "") + "\(table.rawValue):\(chain) \(position) \(verdict.rawValue)" + (target.map { " \($0)" } ?? "")
    }
}

extension TableName: Codable {}
