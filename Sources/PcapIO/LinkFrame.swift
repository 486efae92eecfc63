/// A frame with its link-layer header decoded.
public struct LinkFrame: Sendable, Equatable {
    public var payload: NetworkPayload
    /// SLL2 only: the 1-based ifindex in the capturing namespace (map it with that namespace's
    /// `ip -j link`, never with the local host's).
    public var interfaceIndex: Int?
    public var direction: CaptureDirection
    /// 802.1Q / 802.1ad tags in order, outermost first (stacked for QinQ).
    public var vlanIDs: [UInt16]

    public init(payload: NetworkPayload, interfaceIndex: Int? = nil, direction: CaptureDirection = .unknown, vlanIDs: [UInt16] = []) {
        self.payload = payload
        self.interfaceIndex = interfaceIndex
        self.direction = direction
        self.vlanIDs = vlanIDs
    }
}
