import Netfilter
import PcapIO

/// A packet of the capture run through the engine.
public struct ReplayedPacket: Sendable {
    /// The frame that completed the packet (its only frame unless it was reassembled).
    public var frame: Int
    /// Every frame the packet came from, in capture order: more than one for a reassembled datagram.
    public var frames: [Int]
    public var trace: PacketTrace
    /// The snaplen cut the frame; its headers were whole, so the path is exact.
    public var truncated: Bool
    /// Where the packet was taken to come from, and why.
    public var origin: PacketOrigin
}

/// Why a frame was replayed from where it was.
public enum PacketOrigin: String, Sendable {
    /// An incoming frame: PREROUTING on the capture's interface.
    case incoming
    /// An outgoing frame that is no copy of a packet pathsim passed: the node sent it (OUTPUT).
    case locallyGenerated = "locally-generated"
}

/// The capture disagrees with the model.
public struct CaptureDisagreement: Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The capture shows the packet leaving; pathsim dropped it.
        case leftButDropped = "left-but-dropped"
        /// pathsim passed the packet out of the node; the capture never shows it leaving.
        case neverLeft = "never-left"
        /// The packet left on another interface than pathsim's routing chose.
        case otherInterface = "other-interface"
        /// It left with other addresses or ports than pathsim's NAT gave it.
        case translatedDifferently = "translated-differently"
    }

    public var kind: Kind
    /// The frame that showed the disagreement, and the frame of the packet it concerns.
    public var frame: Int
    public var originalFrame: Int
    /// The step pathsim blamed for a drop.
    public var blamed: TraceStep?
    public var message: String

    public var description: String { "frame \(frame): \(message)" }
}

/// What replaying one frame produced.
public enum ReplayEvent: Sendable {
    case replayed(ReplayedPacket)
    /// An outgoing frame (or the incoming `lo` copy of a looped-back one) that is the
    /// capture's copy of a packet already replayed; not replayed again.
    case egressCopy(frame: Int, originalFrame: Int, interface: String?)
    /// A fragment held until its datagram is complete (the kernel reassembles before conntrack).
    case heldFragment(frame: Int)
    /// A frame that is not replayed, and why (not IPv4, malformed, incomplete headers).
    case skipped(frame: Int, reason: String)
    case disagreement(CaptureDisagreement)
}
