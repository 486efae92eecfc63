import Explain
import Netfilter

/// The same packets through the world before a change and the world after it, compared flow
/// by flow: verdicts, and the policy that decided.
public struct WhatIf {
    public var before: Simulator
    public var after: Simulator
    public var beforeExplainer: Explainer
    public var afterExplainer: Explainer
    /// The after world again, starting with the given connections.
    public var afterWithConnections: ([ConntrackEntry]) -> Simulator

    public init(before: Simulator, after: Simulator, beforeExplainer: Explainer, afterExplainer: Explainer,
                afterWithConnections: @escaping ([ConntrackEntry]) -> Simulator) {
        self.before = before
        self.after = after
        self.beforeExplainer = beforeExplainer
        self.afterExplainer = afterExplainer
        self.afterWithConnections = afterWithConnections
    }

    /// Runs every packet through both worlds (each with its own conntrack), then asks, for each
    /// flow the change starts dropping, whether a connection opened before the change survives:
    /// the after world, seeded with the before world's conntrack table, gets the flow's last
    /// packet again a second later.
    public mutating func compare(_ inputs: [PacketInput]) -> WhatIfReport {
        var order: [FlowKey] = []
        var traces: [FlowKey: [(before: PacketTrace, after: PacketTrace)]] = [:]
        for input in inputs {
            let key = FlowKey(input.packet)
            if traces[key] == nil { order.append(key) }
            traces[key, default: []].append((before.process(input), after.process(input)))
        }
        var carried = afterWithConnections(before.conntrackToCarryOver())
        var changed: [WhatIfReport.FlowChange] = []
        var counts: [String: Int] = [:]
        for key in order {
            let pairs = traces[key] ?? []
            let beforeSide = side(pairs.map(\.before), explainer: beforeExplainer)
            let afterSide = side(pairs.map(\.after), explainer: afterExplainer)
            let kind: String
            if beforeSide.accepted > 0 && afterSide.accepted < beforeSide.accepted {
                kind = "accepted → dropped"
            } else if afterSide.accepted > beforeSide.accepted {
                kind = "dropped → accepted"
            } else if beforeSide.policy != afterSide.policy || beforeSide.cause != afterSide.cause {
                kind = "decided by another policy"
            } else {
                continue
            }
            counts[kind, default: 0] += 1
            var change = WhatIfReport.FlowChange(flow: key.description, packets: pairs.count, before: beforeSide, after: afterSide)
            if kind == "accepted → dropped", let last = pairs.last?.before.input {
                var again = last
                again.timestamp += 1
                again.declaredState = nil
                change.establishedConnections = carried.process(again).fate.isAccepted ? "kept" : "cut"
            }
            changed.append(change)
        }
        return WhatIfReport(flows: order.count, packets: inputs.count, changed: changed, counts: counts)
    }

    private func side(_ traces: [PacketTrace], explainer: Explainer) -> WhatIfReport.Side {
        let accepted = traces.filter { $0.fate.isAccepted }.count
        // The packet that tells: the first one dropped, else the first one.
        let telling = traces.first { !$0.fate.isAccepted } ?? traces[0]
        let explanation = explainer.explain(telling)
        let policy = explanation.policy.map { "\($0.kind) \($0.name)" }
        return WhatIfReport.Side(verdict: traces[0].fate.isAccepted ? "accepted" : explainer.explain(traces[0]).verdict, accepted: accepted,
                                 cause: explanation.cause.rawValue, policy: policy, summary: explanation.summary)
    }
}
