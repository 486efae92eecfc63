internal import CPcap

/// The link-layer header types pathsim reads, by their libpcap DLT value on Linux.
public enum LinkType: Hashable, Sendable, CustomStringConvertible {
    case ethernet        // DLT_EN10MB
    case linuxSLL        // DLT_LINUX_SLL
    case linuxSLL2       // DLT_LINUX_SLL2
    case raw             // DLT_RAW (file value 101) and DLT_IPV4
    case null            // DLT_NULL: 4-byte host-order address family
    case loop            // DLT_LOOP: 4-byte network-order address family
    case other(Int32)

    /// Maps the value `pcap_datalink` returns. libpcap translates the file's LINKTYPE_RAW (101)
    /// to DLT_RAW (12 on Linux), so 101 never comes from a reader; it is accepted anyway for
    /// callers that hold a file value.
    public init(dlt: Int32) {
        switch dlt {
        case DLT_EN10MB: self = .ethernet
        case DLT_LINUX_SLL: self = .linuxSLL
        case DLT_LINUX_SLL2: self = .linuxSLL2
        case DLT_RAW, DLT_IPV4, LinkType.linktypeRaw: self = .raw
        case DLT_NULL: self = .null
        case DLT_LOOP: self = .loop
        default: self = .other(dlt)
        }
    }

    /// The value `pcap_open_dead` takes when writing.
    public var dlt: Int32 {
        switch self {
        case .ethernet: DLT_EN10MB
        case .linuxSLL: DLT_LINUX_SLL
        case .linuxSLL2: DLT_LINUX_SLL2
        case .raw: DLT_RAW
        case .null: DLT_NULL
        case .loop: DLT_LOOP
        case .other(let value): value
        }
    }

    /// libpcap's name (`pcap_datalink_val_to_name`), so messages read like tcpdump's.
    public var description: String {
        switch self {
        case .ethernet: "EN10MB"
        case .linuxSLL: "LINUX_SLL"
        case .linuxSLL2: "LINUX_SLL2"
        case .raw: "RAW"
        case .null: "NULL"
        case .loop: "LOOP"
        case .other(let value):
            if let name = pcap_datalink_val_to_name(value) {
                "DLT \(value) (\(String(cString: name)))"
            } else {
                "DLT \(value)"
            }
        }
    }

    /// Whether `LinkDecoder` can find the network-layer packet behind this header.
    public var isSupported: Bool {
        if case .other = self { return false }
        return true
    }

    /// The link types pathsim reads, in the order error messages list them.
    public static let supported: [LinkType] = [.ethernet, .linuxSLL, .linuxSLL2, .raw, .null, .loop]

    /// LINKTYPE_RAW as stored in files; not a DLT on Linux.
    static let linktypeRaw: Int32 = 101
}
