import Netfilter

/// The places of the hook diagram.
enum DiagramPlace: Hashable, Sendable {
    case ingress, egress, routing, local
    case hook(Hook)
}

/// The arrows of the hook diagram, each from one place to the next.
enum DiagramEdge: CaseIterable, Hashable, Sendable {
    case ingressToPrerouting, preroutingToRouting, routingToInput, routingToForward
    case inputToLocal, localToOutput, outputToPostrouting, forwardToPostrouting, postroutingToEgress
}

/// Which parts of the hook diagram one trace went through. Hooks come from the visits, but a hook
/// whose tables have no base chain records no visit, so the ends of the path also follow from
/// where the packet came from and what became of it.
struct PathHighlight {
    var hooks: Set<Hook>
    var edges: Set<DiagramEdge>
    /// The table cells visited, with the 1-based numbers of their visits.
    var visitNumbers: [Hook: [TableName: [Int]]]
    var decidingCell: (hook: Hook, table: TableName)?
    var fate: PacketFate

    init(trace: PacketTrace, decidingStep: Int?) {
        var hooks = Set(trace.visits.map(\.hook))
        switch trace.input.ingress {
        case .interface: hooks.insert(.prerouting)
        case .local: hooks.insert(.output)
        }
        switch trace.fate {
        case .delivered: hooks.insert(.input)
        case .sent: hooks.insert(.postrouting)
        default: break
        }
        if trace.loopedBack { hooks.formUnion([.postrouting, .prerouting]) }
        var edges: Set<DiagramEdge> = []
        let routedFromPrerouting = hooks.contains(.input) || hooks.contains(.forward)
        if hooks.contains(.prerouting) { edges.insert(.ingressToPrerouting) }
        if hooks.contains(.prerouting), routedFromPrerouting || trace.fate.isRoutingDrop { edges.insert(.preroutingToRouting) }
        if hooks.contains(.input) { edges.insert(.routingToInput) }
        if hooks.contains(.forward) { edges.insert(.routingToForward) }
        if trace.fate == .delivered { edges.insert(.inputToLocal) }
        if hooks.contains(.output) { edges.insert(.localToOutput) }
        if hooks.contains(.output), hooks.contains(.postrouting) { edges.insert(.outputToPostrouting) }
        if hooks.contains(.forward), hooks.contains(.postrouting) { edges.insert(.forwardToPostrouting) }
        if case .sent = trace.fate { edges.insert(.postroutingToEgress) }
        if trace.loopedBack { edges.insert(.postroutingToEgress) }

        var numbers: [Hook: [TableName: [Int]]] = [:]
        var deciding: (Hook, TableName)?
        for (index, visit) in trace.visits.enumerated() {
            numbers[visit.hook, default: [:]][visit.table, default: []].append(index + 1)
            if let decidingStep, visit.stepRange.contains(decidingStep) { deciding = (visit.hook, visit.table) }
        }
        self.hooks = hooks
        self.edges = edges
        visitNumbers = numbers
        decidingCell = deciding
        fate = trace.fate
    }

    func visited(_ hook: Hook, _ table: TableName) -> Bool { visitNumbers[hook]?[table] != nil }
}

extension PacketFate {
    var isRoutingDrop: Bool {
        if case .droppedInRouting = self { return true }
        return false
    }
}
