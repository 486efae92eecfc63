import Netfilter

/// The counts a replay ends with: the answer to "what is being dropped here".
public struct ReplaySummary: Sendable {
    public var frames = 0
    public var packets = 0
    public var delivered = 0
    public var forwarded = 0
    public var sentByNode = 0
    public var droppedByRule = 0
    public var droppedInRouting = 0
    public var undetermined = 0
    public var egressCopies = 0
    public var reassembled = 0
    /// Replayed although the snaplen cut them (their headers were whole).
    public var truncated = 0
    public var disagreements = 0
    /// New connections whose NAT port (random or hashed in the kernel) was taken from the
    /// outgoing copy in the capture.
    public var translationsAdopted = 0
    /// Frames not replayed, by kind of reason.
    public var skipped: [String: Int] = [:]
    /// Packets dropped by each rule or policy.
    public var drops: [TraceStep: Int] = [:]
    /// Packets dropped in routing, by reason.
    public var routingDrops: [RoutingDrop: Int] = [:]

    mutating func count(_ trace: PacketTrace) {
        packets += 1
        switch trace.fate {
        case .delivered: delivered += 1
        case .sent: if case .local = trace.input.ingress { sentByNode += 1 } else { forwarded += 1 }
        case .droppedByRule(let step):
            droppedByRule += 1
            drops[step, default: 0] += 1
        case .droppedInRouting(let reason):
            droppedInRouting += 1
            routingDrops[reason, default: 0] += 1
        case .undetermined: undetermined += 1
        }
    }

    /// The rules and policies that dropped most, most first (ties in path order of table and chain).
    public func topDrops(_ limit: Int = 10) -> [(step: TraceStep, packets: Int)] {
        drops.map { (step: $0.key, packets: $0.value) }
            .sorted { $0.packets != $1.packets ? $0.packets > $1.packets : $0.step.description < $1.step.description }
            .prefix(limit).map { $0 }
    }
}
