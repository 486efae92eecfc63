/// A packet's path from node to node, each node's trace in the order the packet met them.
public struct ClusterPathResult: Sendable {
    public var hops: [ClusterHop]
    public var outcome: ClusterPathOutcome

    public init(hops: [ClusterHop], outcome: ClusterPathOutcome) {
        self.hops = hops
        self.outcome = outcome
    }
}
