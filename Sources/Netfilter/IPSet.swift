public enum IPSetType: String, CaseIterable, Hashable, Sendable {
    case hashIP = "hash:ip"
    case hashNet = "hash:net"
    case hashIPPort = "hash:ip,port"
    case hashNetPort = "hash:net,port"
    case hashIPPortIP = "hash:ip,port,ip"
    case hashIPPortNet = "hash:ip,port,net"
    case hashNetIface = "hash:net,iface"
    case bitmapIP = "bitmap:ip"
    case bitmapPort = "bitmap:port"
    case listSet = "list:set"

    /// How many `src`/`dst` flags a match must give; fewer never matches.
    public var dimensions: Int {
        switch self {
        case .hashIP, .hashNet, .bitmapIP, .bitmapPort: return 1
        case .hashIPPort, .hashNetPort, .hashNetIface: return 2
        case .hashIPPortIP, .hashIPPortNet: return 3
        case .listSet: return 0
        }
    }
}

/// A protocol and port as ipset keys them; ICMP uses type << 8 | code as the port.
public struct IPSetPort: Hashable, Sendable {
    public var proto: UInt8
    public var port: UInt16
    public init(proto: UInt8, port: UInt16) { self.proto = proto; self.port = port }
}

/// One element of a set, decoded from its `add` line.
public enum IPSetElement: Hashable, Sendable {
    case ip(IPv4Address)
    case net(IPv4Network)
    case ipPort(IPv4Address, IPSetPort)
    case netPort(IPv4Network, IPSetPort)
    case ipPortIP(IPv4Address, IPSetPort, IPv4Address)
    case ipPortNet(IPv4Address, IPSetPort, IPv4Network)
    case netIface(IPv4Network, String)
    case port(UInt16)
    case member(String)
}

public struct IPSetEntry: Hashable, Sendable {
    public var element: IPSetElement
    public var nomatch: Bool
    /// The element exactly as the dump wrote it, and the extensions after it
    /// (timeout, packets, bytes, comment), for printing back.
    public var text: String
    public var extensions: [String]
    public init(element: IPSetElement, nomatch: Bool, text: String, extensions: [String] = []) {
        self.element = element
        self.nomatch = nomatch
        self.text = text
        self.extensions = extensions
    }
}

public struct IPSet: Hashable, Sendable {
    public var name: String
    public var type: IPSetType
    public var family: AddressFamily
    /// The `create` options after the type, verbatim (`family inet hashsize 1024 ...`).
    public var options: [String]
    /// `hash:ip ... netmask N` stores network addresses.
    public var netmask: Int?
    public var entries: [IPSetEntry]
    public var location: SourceLocation?

    public init(name: String, type: IPSetType, family: AddressFamily = .ipv4, options: [String] = [], netmask: Int? = nil, entries: [IPSetEntry] = [], location: SourceLocation? = nil) {
        self.name = name
        self.type = type
        self.family = family
        self.options = options
        self.netmask = netmask
        self.entries = entries
        self.location = location
    }

    public static func == (lhs: IPSet, rhs: IPSet) -> Bool {
        lhs.name == rhs.name && lhs.type == rhs.type && lhs.family == rhs.family && lhs.options == rhs.options && lhs.entries == rhs.entries
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(name); hasher.combine(entries) }
}
