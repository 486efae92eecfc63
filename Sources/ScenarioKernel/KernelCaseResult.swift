import Netfilter

/// How one scenario case fared on the kernel.
public enum KernelCaseStatus: Sendable {
    case agrees
    /// The first packet whose steps or verdict differ.
    case differs(PacketDifference)
    /// The case cannot be run faithfully in the oracle's namespaces; the reason says why.
    case skipped(String)
}

/// pathsim's view and the kernel's of one packet that disagree.
public struct PacketDifference: Sendable {
    /// 1-based, as the case numbers its packets.
    public var number: Int
    /// The packet as sent, in `--pkt` form.
    public var spec: String
    public var pathsimSteps: [TraceStep]
    public var kernelSteps: [TraceStep]
    public var pathsimAccepted: Bool
    public var kernelAccepted: Bool
    /// The raw `nft monitor trace` lines of the packet's window, for investigation.
    public var kernelTrace: [String]
}

/// One case's comparison.
public struct KernelCaseResult: Sendable {
    public var suite: String
    public var file: String
    public var caseName: String
    public var status: KernelCaseStatus
    /// Packets compared and kernel steps seen (0 for a skipped case).
    public var packets = 0
    public var steps = 0

    public var agrees: Bool { if case .agrees = status { return true } else { return false } }
    public var differs: Bool { if case .differs = status { return true } else { return false } }
    public var skipReason: String? { if case .skipped(let reason) = status { return reason } else { return nil } }
}
