/// TCP flag bits in header order (FIN is bit 0), as `--tcp-flags` and tcpdump use them.
public struct TCPFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)
    public static let urg = TCPFlags(rawValue: 0x20)
    public static let ece = TCPFlags(rawValue: 0x40)
    public static let cwr = TCPFlags(rawValue: 0x80)

    /// The names `--tcp-flags` accepts, in the order iptables-save prints them.
    public static let iptablesNames: [(String, TCPFlags)] = [
        ("FIN", .fin), ("SYN", .syn), ("RST", .rst), ("PSH", .psh), ("ACK", .ack), ("URG", .urg),
    ]

    /// tcpdump's letters: `S`, `F`, `R`, `P`, `U`, `E`, `W` and `.` for ACK.
    public var tcpdumpLetters: String {
        var text = ""
        if contains(.syn) { text += "S" }
        if contains(.fin) { text += "F" }
        if contains(.rst) { text += "R" }
        if contains(.psh) { text += "P" }
        if contains(.urg) { text += "U" }
        if contains(.ece) { text += "E" }
        if contains(.cwr) { text += "W" }
        if contains(.ack) { text += "." }
        return text.isEmpty ? "none" : text
    }
}

/// The header of the packet an ICMP error quotes (its IP header and first 8 bytes).
public struct QuotedPacket: Hashable, Sendable {
    public var source: IPv4Address
    public var destination: IPv4Address
    public var proto: UInt8
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var icmpType: UInt8
    public var icmpCode: UInt8
    public var icmpID: UInt16
    public var totalLength: UInt16
    public var ipID: UInt16
    public var ttl: UInt8

    public init(
        source: IPv4Address, destination: IPv4Address, proto: UInt8, sourcePort: UInt16 = 0,
        destinationPort: UInt16 = 0, icmpType: UInt8 = 0, icmpCode: UInt8 = 0, icmpID: UInt16 = 0,
        totalLength: UInt16 = 0, ipID: UInt16 = 0, ttl: UInt8 = 64
    ) {
        self.source = source
        self.destination = destination
        self.proto = proto
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.icmpType = icmpType
        self.icmpCode = icmpCode
        self.icmpID = icmpID
        self.totalLength = totalLength
        self.ipID = ipID
        self.ttl = ttl
    }
}

/// One IPv4 packet as netfilter sees it at a hook. Fields that do not apply to the
/// protocol stay zero. `totalLength` is the IP total length, which is what rule byte
/// counters add up.
public struct Packet: Hashable, Sendable {
    public var source: IPv4Address
    public var destination: IPv4Address
    public var proto: UInt8
    public var sourcePort: UInt16 = 0
    public var destinationPort: UInt16 = 0
    public var tcpFlags: TCPFlags = []
    public var sequence: UInt32 = 0
    public var acknowledgement: UInt32 = 0
    public var window: UInt16 = 0
    public var icmpType: UInt8 = 0
    public var icmpCode: UInt8 = 0
    public var icmpID: UInt16 = 0
    public var icmpSequence: UInt16 = 0
    public var totalLength: UInt16
    public var ttl: UInt8 = 64
    public var tos: UInt8 = 0
    public var ipID: UInt16 = 0
    public var mark: UInt32 = 0
    /// Fragment offset in 8-byte units; non-zero means a non-first fragment (`-f`).
    public var fragmentOffset: UInt16 = 0
    public var moreFragments: Bool = false
    public var dontFragment: Bool = false
    /// For ICMP errors: the offending packet's header, used for RELATED lookups.
    public var quoted: QuotedPacket?
    /// The link-layer destination was broadcast or multicast (`-m pkttype`).
    public var linkLayerCast: LinkLayerCast = .unicast

    public init(source: IPv4Address, destination: IPv4Address, proto: UInt8, totalLength: UInt16) {
        self.source = source
        self.destination = destination
        self.proto = proto
        self.totalLength = totalLength
    }

    public var isICMPError: Bool {
        proto == IPProtocolNumber.icmp && ICMPType.isError(icmpType)
    }

    public var isNonFirstFragment: Bool { fragmentOffset != 0 }

    /// The L4 header length the kernel would build for this packet (no options).
    public static func headerLength(proto: UInt8) -> Int {
        switch proto {
        case IPProtocolNumber.tcp: return 20
        case IPProtocolNumber.udp, IPProtocolNumber.udplite, IPProtocolNumber.icmp: return 8
        case IPProtocolNumber.sctp: return 12
        default: return 0
        }
    }
}

public enum LinkLayerCast: String, Hashable, Sendable {
    case unicast, broadcast, multicast
}

/// ICMP types with the names `--icmp-type` accepts.
public enum ICMPType {
    public static let echoReply: UInt8 = 0
    public static let destinationUnreachable: UInt8 = 3
    public static let sourceQuench: UInt8 = 4
    public static let redirect: UInt8 = 5
    public static let echoRequest: UInt8 = 8
    public static let timeExceeded: UInt8 = 11
    public static let parameterProblem: UInt8 = 12

    public static func isError(_ type: UInt8) -> Bool {
        type == 3 || type == 4 || type == 5 || type == 11 || type == 12
    }

    /// Request types that open a conntrack entry, with their reply type.
    public static func replyType(forRequest type: UInt8) -> UInt8? {
        switch type {
        case 8: return 0
        case 13: return 14
        case 15: return 16
        case 17: return 18
        default: return nil
        }
    }

    public static func requestType(forReply type: UInt8) -> UInt8? {
        switch type {
        case 0: return 8
        case 14: return 13
        case 16: return 15
        case 18: return 17
        default: return nil
        }
    }

    /// (name, type, code) where code nil means "any code"; the table libxt_icmp uses.
    public static let names: [(String, UInt8, UInt8?)] = [
        ("any", 0xff, nil),
        ("echo-reply", 0, nil), ("pong", 0, nil),
        ("destination-unreachable", 3, nil),
        ("network-unreachable", 3, 0), ("host-unreachable", 3, 1), ("protocol-unreachable", 3, 2),
        ("port-unreachable", 3, 3), ("fragmentation-needed", 3, 4), ("source-route-failed", 3, 5),
        ("network-unknown", 3, 6), ("host-unknown", 3, 7), ("network-prohibited", 3, 9),
        ("host-prohibited", 3, 10), ("TOS-network-unreachable", 3, 11), ("TOS-host-unreachable", 3, 12),
        ("communication-prohibited", 3, 13), ("host-precedence-violation", 3, 14),
        ("precedence-cutoff", 3, 15),
        ("source-quench", 4, nil),
        ("redirect", 5, nil), ("network-redirect", 5, 0), ("host-redirect", 5, 1),
        ("TOS-network-redirect", 5, 2), ("TOS-host-redirect", 5, 3),
        ("echo-request", 8, nil), ("ping", 8, nil),
        ("router-advertisement", 9, nil), ("router-solicitation", 10, nil),
        ("time-exceeded", 11, nil), ("ttl-exceeded", 11, nil), ("ttl-zero-during-transit", 11, 0),
        ("ttl-zero-during-reassembly", 11, 1),
        ("parameter-problem", 12, nil), ("ip-header-bad", 12, 0), ("required-option-missing", 12, 1),
        ("timestamp-request", 13, nil), ("timestamp-reply", 14, nil),
        ("address-mask-request", 17, nil), ("address-mask-reply", 18, nil),
    ]

    /// nft's names for ICMP types, used in `nft monitor trace` lines.
    public static func nftName(_ type: UInt8) -> String {
        switch type {
        case 0: return "echo-reply"
        case 3: return "destination-unreachable"
        case 4: return "source-quench"
        case 5: return "redirect"
        case 8: return "echo-request"
        case 9: return "router-advertisement"
        case 10: return "router-solicitation"
        case 11: return "time-exceeded"
        case 12: return "parameter-problem"
        case 13: return "timestamp-request"
        case 14: return "timestamp-reply"
        case 15: return "info-request"
        case 16: return "info-reply"
        case 17: return "address-mask-request"
        case 18: return "address-mask-reply"
        default: return String(type)
        }
    }
}
