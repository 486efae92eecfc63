import Netfilter

/// Where the packet's path across the cluster ended.
public enum ClusterPathOutcome: Hashable, Sendable, CustomStringConvertible {
    /// Sent out a workload's veth: the pod receives it.
    case reachedWorkload(node: String, interface: String, workload: String?)
    /// Delivered to a socket of the node itself.
    case deliveredToHost(node: String)
    /// Sent out an interface towards something that is not a node of the cluster.
    case leftCluster(node: String, interface: String)
    /// A rule or the routing decision of this node dropped it.
    case dropped(node: String, fate: PacketFate)
    /// pathsim cannot follow it further (no tunnel peer, an undetermined verdict, a loop).
    case stopped(node: String, reason: String)

    public var node: String {
        switch self {
        case .reachedWorkload(let node, _, _), .deliveredToHost(let node), .leftCluster(let node, _), .dropped(let node, _), .stopped(let node, _): return node
        }
    }

    public var isDelivered: Bool {
        switch self {
        case .reachedWorkload, .deliveredToHost: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .reachedWorkload(let node, let interface, let workload):
            return "reached \(workload ?? "the workload") on \(node) (out \(interface))"
        case .deliveredToHost(let node): return "delivered to \(node) itself"
        case .leftCluster(let node, let interface): return "left the cluster from \(node) on \(interface)"
        case .dropped(let node, let fate):
            switch fate {
            case .droppedByRule(let step): return "dropped on \(node) by \(step)"
            case .droppedInRouting(let reason): return "dropped on \(node): \(reason.rawValue)"
            default: return "dropped on \(node)"
            }
        case .stopped(let node, let reason): return "stopped on \(node): \(reason)"
        }
    }
}
