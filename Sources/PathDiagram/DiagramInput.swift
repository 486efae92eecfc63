import Netfilter

/// A step of a (possibly cross-node) path: which hop, and which of that hop's `trace.steps`.
public struct StepKey: Hashable, Sendable {
    public var hop: Int
    public var step: Int

    public init(hop: Int, step: Int) {
        self.hop = hop
        self.step = step
    }
}

/// One node's part of the path; a cross-node path has one hop per node it crosses.
public struct DiagramHop: Sendable {
    /// The node's name, "" when unknown.
    public var node: String
    public var trace: PacketTrace
    /// How the packet left this node for the next hop (e.g. "IPIP-encapsulated to 10.0.0.2"):
    /// shown in the hop's header and on the arrow to the next hop.
    public var note: String?

    public init(node: String, trace: PacketTrace, note: String? = nil) {
        self.node = node
        self.trace = trace
        self.note = note
    }
}

/// Everything the diagram shows. PathDiagram depends on Netfilter only, so rule text and
/// policy labels come in from the caller rather than being looked up here.
public struct DiagramInput: Sendable {
    /// What the diagram is about, typically the packet: "tcp 10.139.54.20:41000 > 10.139.54.158:80 [S]".
    public var title: String
    public var hops: [DiagramHop]
    /// The deciding rule, marked; nil marks none. Out-of-range keys are ignored.
    public var deciding: StepKey?
    /// What a step means in the cluster's terms ("KubernetesNetworkPolicy default/web-deny-all, ingress").
    public var stepLabels: [StepKey: String]
    /// The rule text by back end, table, chain and 1-based position; "" when unknown.
    public var ruleText: @Sendable (Backend, TableName, String, Int) -> String
    /// The explanation, a few lines: the SVG's caption and the HTML report's summary.
    public var summary: [String]

    public init(title: String, hops: [DiagramHop], deciding: StepKey? = nil, stepLabels: [StepKey: String] = [:],
                ruleText: @escaping @Sendable (Backend, TableName, String, Int) -> String = { _, _, _, _ in "" },
                summary: [String] = []) {
        self.title = title
        self.hops = hops
        self.deciding = deciding
        self.stepLabels = stepLabels
        self.ruleText = ruleText
        self.summary = summary
    }

    /// The step that dropped the packet in the last hop that was dropped by a rule, for callers
    /// without an explanation of their own to say which rule decided.
    public static func droppingStep(in hops: [DiagramHop]) -> StepKey? {
        for (hopIndex, hop) in hops.enumerated().reversed() {
            guard case .droppedByRule(let step) = hop.trace.fate,
                  let index = hop.trace.steps.lastIndex(of: step) else { continue }
            return StepKey(hop: hopIndex, step: index)
        }
        return nil
    }

    /// The deciding key when it names a step that exists.
    var validDeciding: StepKey? {
        guard let key = deciding, hops.indices.contains(key.hop), hops[key.hop].trace.steps.indices.contains(key.step) else { return nil }
        return key
    }
}
