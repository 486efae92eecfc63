import Netfilter

/// Decodes the element of an ipset `add` line into the model's elements, expanding ranges
/// and CIDRs the way the ipset tool does before talking to the kernel, and gives each
/// element the spelling `ipset save` prints for it.
public enum IPSetElementDecoder {
    /// Refuse an add line that would expand into more elements than this.
    public static let maximumExpansion = 65536

    public struct Failure: Error, Sendable {
        public var problem: String
        public var expected: String?
    }

    /// (element, save spelling) pairs for one `add` element text.
    public static func decode(_ text: String, type: IPSetType, netmask: Int? = nil) throws(Failure) -> [(IPSetElement, String)] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        func need(_ count: Int, _ shape: String) throws(Failure) {
            guard parts.count == count else { throw Failure(problem: "bad \(type.rawValue) element \"\(text)\"", expected: shape) }
        }
        switch type {
        case .hashIP, .bitmapIP:
            try need(1, "an address, ADDR/LEN or FROM-TO")
            var seen = Set<UInt32>()
            var result: [(IPSetElement, String)] = []
            for address in try addresses(parts[0]) {
                let value = netmask.map { address.value & IPv4Network.mask(prefixLength: $0) } ?? address.value
                if seen.insert(value).inserted { result.append((.ip(IPv4Address(value)), IPv4Address(value).description)) }
            }
            return result
        case .hashNet:
            try need(1, "ADDR[/LEN] or FROM-TO")
            return try networks(parts[0]).map { (.net($0), netText($0)) }
        case .hashIPPort:
            try need(2, "ADDR,[PROTO:]PORT")
            let ports = try self.ports(parts[1])
            return try addresses(parts[0]).flatMap { a in ports.map { (.ipPort(a, $0.0), "\(a),\($0.1)") } }
        case .hashNetPort:
            try need(2, "ADDR[/LEN],[PROTO:]PORT")
            let ports = try self.ports(parts[1])
            return try networks(parts[0]).flatMap { n in ports.map { (.netPort(n, $0.0), "\(netText(n)),\($0.1)") } }
        case .hashIPPortIP:
            try need(3, "ADDR,[PROTO:]PORT,ADDR")
            let ports = try self.ports(parts[1])
            let seconds = try addresses(parts[2])
            return try addresses(parts[0]).flatMap { a in ports.flatMap { p in seconds.map { (.ipPortIP(a, p.0, $0), "\(a),\(p.1),\($0)") } } }
        case .hashIPPortNet:
            try need(3, "ADDR,[PROTO:]PORT,ADDR[/LEN]")
            let ports = try self.ports(parts[1])
            let nets = try networks(parts[2])
            return try addresses(parts[0]).flatMap { a in ports.flatMap { p in nets.map { (.ipPortNet(a, p.0, $0), "\(a),\(p.1),\(netText($0))") } } }
        case .hashNetIface:
            try need(2, "ADDR[/LEN],IFACE")
            guard !parts[1].isEmpty else { throw Failure(problem: "missing interface in \"\(text)\"", expected: "ADDR[/LEN],IFACE") }
            return try networks(parts[0]).map { (.netIface($0, parts[1]), "\(netText($0)),\(parts[1])") }
        case .bitmapPort:
            try need(1, "PORT or FROM-TO")
            guard let range = ValueParsing.portRange(parts[0], separator: "-") else {
                throw Failure(problem: "bad port \"\(parts[0])\"", expected: "a port 0-65535 or FROM-TO")
            }
            return (range.lower...range.upper).map { (.port(UInt16($0)), String($0)) }
        case .listSet:
            try need(1, "a set name")
            return [(.member(parts[0]), parts[0])]
        }
    }

    static func netText(_ network: IPv4Network) -> String {
        network.mask == 0xffff_ffff ? network.address.description : network.description
    }

    static func addresses(_ text: String) throws(Failure) -> [IPv4Address] {
        if text.contains("-") {
            guard let range = ValueParsing.addressRange(text) else { throw Failure(problem: "bad address range \"\(text)\"", expected: "FROM-TO with FROM <= TO") }
            return try expand(range.lowerBound.value, range.upperBound.value, text)
        }
        guard let network = IPv4Network(text), network.prefixLength != nil else {
            throw Failure(problem: "bad address \"\(text)\"", expected: "a dotted-quad address, ADDR/LEN or FROM-TO")
        }
        return try expand(network.address.value, network.address.value | ~network.mask, text)
    }

    static func expand(_ low: UInt32, _ high: UInt32, _ text: String) throws(Failure) -> [IPv4Address] {
        guard UInt64(high) - UInt64(low) < UInt64(maximumExpansion) else {
            throw Failure(problem: "\"\(text)\" expands to \(UInt64(high) - UInt64(low) + 1) elements", expected: "at most \(maximumExpansion) elements per add line")
        }
        return (low...high).map { IPv4Address($0) }
    }

    /// `ADDR[/LEN]`, or `FROM-TO` split into the fewest CIDR blocks (as ipset does).
    static func networks(_ text: String) throws(Failure) -> [IPv4Network] {
        if text.contains("-") {
            guard let range = ValueParsing.addressRange(text) else { throw Failure(problem: "bad address range \"\(text)\"", expected: "FROM-TO with FROM <= TO") }
            var result: [IPv4Network] = []
            var low = UInt64(range.lowerBound.value)
            let high = UInt64(range.upperBound.value)
            while low <= high {
                var length = 32
                while length > 0 {
                    let size = UInt64(1) << UInt64(33 - length)
                    if low % size != 0 || low + size - 1 > high { break }
                    length -= 1
                }
                result.append(IPv4Network(address: IPv4Address(UInt32(low)), prefixLength: length))
                low += UInt64(1) << UInt64(32 - length)
                guard result.count <= maximumExpansion else { throw Failure(problem: "\"\(text)\" expands to too many networks", expected: "a smaller range") }
            }
            return result
        }
        guard let network = IPv4Network(text), let length = network.prefixLength else {
            throw Failure(problem: "bad network \"\(text)\"", expected: "ADDR or ADDR/LEN (1-32)")
        }
        guard length > 0 else { throw Failure(problem: "zero prefix length in \"\(text)\"", expected: "a prefix length 1-32") }
        return [network]
    }

    /// ipset's own ICMP names (lib/icmp.c), which `ipset save` prints for type/code pairs.
    public static let icmpNames: [(String, UInt8, UInt8)] = [
        ("echo-reply", 0, 0), ("network-unreachable", 3, 0), ("host-unreachable", 3, 1), ("protocol-unreachable", 3, 2),
        ("port-unreachable", 3, 3), ("fragmentation-needed", 3, 4), ("source-route-failed", 3, 5), ("network-unknown", 3, 6),
        ("host-unknown", 3, 7), ("host-isolated", 3, 8), ("network-prohibited", 3, 9), ("host-prohibited", 3, 10),
        ("TOS-network-unreachable", 3, 11), ("TOS-host-unreachable", 3, 12), ("communication-prohibited", 3, 13),
        ("host-precedence-violation", 3, 14), ("precedence-cutoff", 3, 15), ("source-quench", 4, 0),
        ("network-redirect", 5, 0), ("host-redirect", 5, 1), ("TOS-network-redirect", 5, 2), ("TOS-host-redirect", 5, 3),
        ("echo-request", 8, 0), ("router-advertisement", 9, 0), ("router-solicitation", 10, 0),
        ("ttl-zero-during-transit", 11, 0), ("ttl-zero-during-reassembly", 11, 1), ("ip-header-bad", 12, 0),
        ("required-option-missing", 12, 1), ("timestamp-request", 13, 0), ("timestamp-reply", 14, 0),
        ("address-mask-request", 17, 0), ("address-mask-reply", 18, 0),
    ]

    /// `[PROTO:]PORT[-PORT]`; a bare port or service name is TCP, ICMP takes TYPE/CODE or a name.
    static func ports(_ text: String) throws(Failure) -> [(IPSetPort, String)] {
        var proto = IPProtocolNumber.tcp
        var portText = text
        if let colon = text.firstIndex(of: ":") {
            let name = String(text[..<colon])
            guard let number = IPProtocolNumber.parse(name) else {
                throw Failure(problem: "unknown protocol \"\(name)\" in \"\(text)\"", expected: "tcp, udp, sctp, udplite, icmp or another protocol name")
            }
            proto = number
            portText = String(text[text.index(after: colon)...])
        }
        let protoName = IPProtocolNumber.name(proto)
        if proto == IPProtocolNumber.icmp {
            var type: UInt8
            var code: UInt8
            if let named = icmpNames.first(where: { $0.0.lowercased() == portText.lowercased() }) {
                (type, code) = (named.1, named.2)
            } else {
                let pieces = portText.split(separator: "/", omittingEmptySubsequences: false)
                guard pieces.count == 2, let t = UInt8(pieces[0]), let c = UInt8(pieces[1]) else {
                    throw Failure(problem: "bad ICMP type \"\(portText)\"", expected: "an ICMP name such as echo-request or TYPE/CODE")
                }
                (type, code) = (t, c)
            }
            let name = icmpNames.first { $0.1 == type && $0.2 == code }?.0 ?? "\(type)/\(code)"
            return [(IPSetPort(proto: proto, port: UInt16(type) << 8 | UInt16(code)), "icmp:\(name)")]
        }
        guard IPProtocolNumber.hasPorts(proto) else {
            guard portText.isEmpty || portText == "0" else {
                throw Failure(problem: "protocol \(protoName) has no ports in \"\(text)\"", expected: "\(protoName):0")
            }
            return [(IPSetPort(proto: proto, port: 0), "\(protoName):0")]
        }
        guard let range = ValueParsing.portRange(portText, separator: "-") else {
            throw Failure(problem: "bad port \"\(portText)\"", expected: "a port 0-65535, a service name or FROM-TO")
        }
        return (range.lower...range.upper).map { (IPSetPort(proto: proto, port: UInt16($0)), "\(protoName):\($0)") }
    }
}
