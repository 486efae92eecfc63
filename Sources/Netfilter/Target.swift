/// `--reject-with` values, with the ICMP code each sends.
public enum RejectKind: String, CaseIterable, Hashable, Sendable {
    case netUnreachable = "icmp-net-unreachable"
    case hostUnreachable = "icmp-host-unreachable"
    case portUnreachable = "icmp-port-unreachable"
    case protoUnreachable = "icmp-proto-unreachable"
    case netProhibited = "icmp-net-prohibited"
    case hostProhibited = "icmp-host-prohibited"
    case adminProhibited = "icmp-admin-prohibited"
    case tcpReset = "tcp-reset"

    public var icmpCode: UInt8? {
        switch self {
        case .netUnreachable: return 0
        case .hostUnreachable: return 1
        case .protoUnreachable: return 2
        case .portUnreachable: return 3
        case .netProhibited: return 9
        case .hostProhibited: return 10
        case .adminProhibited: return 13
        case .tcpReset: return nil
        }
    }

    /// Short spellings iptables accepts on input.
    public static func parse(_ text: String) -> RejectKind? {
        if let kind = RejectKind(rawValue: text) { return kind }
        switch text {
        case "net-unreach", "icmp-net-unreach": return .netUnreachable
        case "host-unreach", "icmp-host-unreach": return .hostUnreachable
        case "proto-unreach", "icmp-proto-unreach": return .protoUnreachable
        case "port-unreach", "icmp-port-unreach": return .portUnreachable
        case "net-prohib", "icmp-net-prohib": return .netProhibited
        case "host-prohib", "icmp-host-prohib": return .hostProhibited
        case "admin-prohib", "icmp-admin-prohib": return .adminProhibited
        case "tcp-rst": return .tcpReset
        default: return nil
        }
    }
}

/// `--to-destination` / `--to-source` / `--to-ports` ranges. A nil address range keeps
/// the address (REDIRECT, MASQUERADE); a nil port range keeps the port unless it clashes.
public struct NATRange: Hashable, Sendable {
    public var addresses: ClosedRange<IPv4Address>?
    public var ports: PortRange?
    public init(addresses: ClosedRange<IPv4Address>? = nil, ports: PortRange? = nil) {
        self.addresses = addresses
        self.ports = ports
    }
}

public struct NATFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let random = NATFlags(rawValue: 1)
    public static let randomFully = NATFlags(rawValue: 2)
    public static let persistent = NATFlags(rawValue: 4)
}

public enum ConnmarkAction: Hashable, Sendable {
    /// ctmark = (ctmark & ~mask) ^ value
    case setXMark(value: UInt32, mask: UInt32)
    /// ctmark = (ctmark & ~ctmask) ^ (mark & nfmask)
    case saveMark(nfmask: UInt32, ctmask: UInt32)
    /// mark = (mark & ~nfmask) ^ (ctmark & ctmask)
    case restoreMark(nfmask: UInt32, ctmask: UInt32)
}

/// `-j CT` options; only `--notrack` changes what pathsim computes, the rest is kept.
public struct CTTarget: Hashable, Sendable {
    public var notrack: Bool
    public var zone: UInt16?
    /// Other options (`--helper`, `--timeout`, `--ctevents`, ...) verbatim.
    public var otherArguments: [String]
    public init(notrack: Bool, zone: UInt16? = nil, otherArguments: [String] = []) {
        self.notrack = notrack
        self.zone = zone
        self.otherArguments = otherArguments
    }
}

/// What a rule does when it matches.
public enum Target: Hashable, Sendable {
    case accept
    case drop
    case `return`
    case reject(RejectKind)
    case jump(String)
    case goto(String)
    /// `-j LOG` and `-j NFLOG`: non-terminating; options kept in save order.
    case log(arguments: [String])
    case nflog(arguments: [String])
    /// `-j MARK`, in the one form iptables-save prints: mark = (mark & ~mask) ^ value.
    case mark(value: UInt32, mask: UInt32)
    case connmark(ConnmarkAction)
    case notrack
    case ct(CTTarget)
    case trace
    case dnat(NATRange, NATFlags)
    case snat(NATRange, NATFlags)
    case masquerade(ports: PortRange?, NATFlags)
    case redirect(ports: PortRange?, NATFlags)
    /// A target pathsim parses but cannot evaluate (NFQUEUE, TPROXY, SET, ...).
    case unsupported(name: String, arguments: [String])

    public var name: String {
        switch self {
        case .accept: return "ACCEPT"
        case .drop: return "DROP"
        case .return: return "RETURN"
        case .reject: return "REJECT"
        case .jump(let chain), .goto(let chain): return chain
        case .log: return "LOG"
        case .nflog: return "NFLOG"
        case .mark: return "MARK"
        case .connmark: return "CONNMARK"
        case .notrack: return "NOTRACK"
        case .ct: return "CT"
        case .trace: return "TRACE"
        case .dnat: return "DNAT"
        case .snat: return "SNAT"
        case .masquerade: return "MASQUERADE"
        case .redirect: return "REDIRECT"
        case .unsupported(let name, _): return name
        }
    }

    /// Whether the target needs connection tracking to be active in the namespace.
    public var needsConntrack: Bool {
        switch self {
        case .connmark, .notrack, .ct, .dnat, .snat, .masquerade, .redirect: return true
        default: return false
        }
    }
}
