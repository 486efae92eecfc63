import Netfilter
import NodeSnapshot

/// One node's part of a packet's path: the packet (inner or outer) as that node's netfilter saw it.
public struct ClusterHop: Sendable {
    public var node: String
    public var snapshot: NodeSnapshot
    public var trace: PacketTrace
    public var role: HopRole
    /// How the packet got here or where it goes next (the tunnel, the route taken).
    public var note: String?

    public init(node: String, snapshot: NodeSnapshot, trace: PacketTrace, role: HopRole, note: String? = nil) {
        self.node = node
        self.snapshot = snapshot
        self.trace = trace
        self.role = role
        self.note = note
    }
}
