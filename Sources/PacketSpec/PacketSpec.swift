import Netfilter

/// A packet as the user writes it on the command line, tcpdump-style:
///
///     in=cali1f79f9e08f2 tcp 10.139.54.20:41000 > 10.139.54.158:80 flags=S len=60
///     local icmp 192.168.0.10 > 10.65.0.3 type=8 id=5 seq=1
///
/// Grammar (tokens separated by spaces):
///
///     spec    := origin proto SRC[:PORT] ">" DST[:PORT] { key=value }
///     origin  := "in=" IFACE | "local"
///     proto   := tcp | udp | icmp | sctp | udplite | gre | NAME | NUMBER
///     key     := flags (tcpdump letters S F R P U E W, "." for ACK) | seq | ack | win
///              | type | code | id | seq (ICMP)  | len (IP total length) | payload
///              | mark | ttl | tos | ipid | frag (fragment offset, 8-byte units) | mf
///              | t (timestamp, seconds) | ct (established | related)
///              | quote=PROTO,SRC[:PORT],DST[:PORT]  (header an ICMP error quotes)
///              | cast (unicast | broadcast | multicast)
public struct PacketSpec: Hashable, Sendable {
    public var packet: Packet
    public var ingress: Ingress
    public var timestamp: Double?
    public var declaredState: DeclaredConntrackState?
    /// Fields left for pathsim to fill in as a TCP stack would.
    public var sequenceGiven: Bool
    public var acknowledgementGiven: Bool
    public var windowGiven: Bool
    public var ipIDGiven: Bool

    public static func parse(_ text: String) throws(PacketSpecError) -> PacketSpec {
        var tokens: [(text: Substring, offset: Int)] = []
        var index = text.startIndex
        var offset = 0
        while index < text.endIndex {
            if text[index] == " " || text[index] == "\t" {
                index = text.index(after: index)
                offset += 1
                continue
            }
            let start = index
            let startOffset = offset
            while index < text.endIndex, text[index] != " ", text[index] != "\t" {
                index = text.index(after: index)
                offset += 1
            }
            tokens.append((text[start..<index], startOffset))
        }
        func fail(_ at: Int, _ message: String) -> PacketSpecError {
            PacketSpecError(spec: text, offset: at, message: message)
        }
        var position = 0
        func next(_ expected: String) throws(PacketSpecError) -> (text: Substring, offset: Int) {
            guard position < tokens.count else { throw fail(text.count, "expected \(expected) at the end") }
            defer { position += 1 }
            return tokens[position]
        }

        let originToken = try next("an origin: in=IFACE or local")
        let ingress: Ingress
        if originToken.text == "local" {
            ingress = .local
        } else if originToken.text.hasPrefix("in="), originToken.text.count > 3 {
            ingress = .interface(String(originToken.text.dropFirst(3)))
        } else {
            throw fail(originToken.offset, "expected an origin, in=IFACE or local, found \"\(originToken.text)\"")
        }

        let protoToken = try next("a protocol (tcp, udp, icmp, or a number)")
        guard let proto = IPProtocolNumber.parse(String(protoToken.text)) else {
            throw fail(protoToken.offset, "expected a protocol (tcp, udp, icmp, a name from /etc/protocols or a number), found \"\(protoToken.text)\"")
        }
        let hasPorts = IPProtocolNumber.hasPorts(proto)

        func endpoint(_ token: (text: Substring, offset: Int), _ what: String) throws(PacketSpecError) -> (IPv4Address, UInt16) {
            var addressText = token.text
            var port: UInt16 = 0
            if let colon = token.text.firstIndex(of: ":") {
                guard hasPorts else { throw fail(token.offset, "\(what) has a port, but \(IPProtocolNumber.name(proto)) has no ports") }
                addressText = token.text[..<colon]
                guard let value = UInt16(token.text[token.text.index(after: colon)...]) else {
                    throw fail(token.offset + addressText.count + 1, "expected a port number 0-65535 after \"\(addressText):\"")
                }
                port = value
            } else if hasPorts {
                throw fail(token.offset, "expected \(what) as ADDRESS:PORT for \(IPProtocolNumber.name(proto)), found \"\(token.text)\"")
            }
            guard let address = IPv4Address(addressText) else {
                throw fail(token.offset, "expected \(what) as a dotted IPv4 address, found \"\(addressText)\"")
            }
            return (address, port)
        }
        let (source, sourcePort) = try endpoint(try next("a source address"), "the source")
        let arrow = try next("\">\"")
        guard arrow.text == ">" else { throw fail(arrow.offset, "expected \">\" between source and destination, found \"\(arrow.text)\"") }
        let (destination, destinationPort) = try endpoint(try next("a destination address"), "the destination")

        var packet = Packet(source: source, destination: destination, proto: proto, totalLength: 0)
        packet.sourcePort = sourcePort
        packet.destinationPort = destinationPort
        if proto == IPProtocolNumber.icmp { packet.icmpType = ICMPType.echoRequest }
        var spec = PacketSpec(packet: packet, ingress: ingress, timestamp: nil, declaredState: nil, sequenceGiven: false, acknowledgementGiven: false, windowGiven: false, ipIDGiven: false)
        var length: UInt16?
        var payload: Int?

        while position < tokens.count {
            let token = try next("key=value")
            guard let equals = token.text.firstIndex(of: "=") else {
                throw fail(token.offset, "expected key=value (flags, seq, ack, win, type, code, id, len, payload, mark, ttl, tos, ipid, frag, t, ct, quote), found \"\(token.text)\"")
            }
            let key = String(token.text[..<equals])
            let value = String(token.text[token.text.index(after: equals)...])
            let valueOffset = token.offset + key.count + 1
            func number<T: FixedWidthInteger>(_ type: T.Type) throws(PacketSpecError) -> T {
                let parsed: T? = value.hasPrefix("0x") ? T(value.dropFirst(2), radix: 16) : T(value)
                guard let parsed else { throw fail(valueOffset, "expected a number for \(key)= that fits \(T.bitWidth) bits, found \"\(value)\"") }
                return parsed
            }
            func requireProto(_ wanted: UInt8, _ name: String) throws(PacketSpecError) {
                guard proto == wanted else { throw fail(token.offset, "\(key)= applies to \(name) packets only") }
            }
            switch key {
            case "flags":
                try requireProto(IPProtocolNumber.tcp, "tcp")
                var flags: TCPFlags = []
                for (i, letter) in value.enumerated() {
                    switch letter {
                    case "S": flags.insert(.syn)
                    case "F": flags.insert(.fin)
                    case "R": flags.insert(.rst)
                    case "P": flags.insert(.psh)
                    case "U": flags.insert(.urg)
                    case "E": flags.insert(.ece)
                    case "W": flags.insert(.cwr)
                    case ".": flags.insert(.ack)
                    default: throw fail(valueOffset + i, "expected TCP flag letters S F R P U E W or . (ACK), found \"\(letter)\"")
                    }
                }
                spec.packet.tcpFlags = flags
            case "seq":
                if proto == IPProtocolNumber.icmp {
                    spec.packet.icmpSequence = try number(UInt16.self)
                } else {
                    try requireProto(IPProtocolNumber.tcp, "tcp or icmp")
                    spec.packet.sequence = try number(UInt32.self)
                    spec.sequenceGiven = true
                }
            case "ack":
                try requireProto(IPProtocolNumber.tcp, "tcp")
                spec.packet.acknowledgement = try number(UInt32.self)
                spec.acknowledgementGiven = true
            case "win":
                try requireProto(IPProtocolNumber.tcp, "tcp")
                spec.packet.window = try number(UInt16.self)
                spec.windowGiven = true
            case "type":
                try requireProto(IPProtocolNumber.icmp, "icmp")
                if let named = ICMPType.names.first(where: { $0.0 == value && $0.1 != 0xff }) {
                    spec.packet.icmpType = named.1
                    spec.packet.icmpCode = named.2 ?? 0
                } else {
                    spec.packet.icmpType = try number(UInt8.self)
                }
            case "code":
                try requireProto(IPProtocolNumber.icmp, "icmp")
                spec.packet.icmpCode = try number(UInt8.self)
            case "id":
                try requireProto(IPProtocolNumber.icmp, "icmp")
                spec.packet.icmpID = try number(UInt16.self)
            case "len":
                length = try number(UInt16.self)
            case "payload":
                payload = Int(try number(UInt16.self))
            case "mark":
                spec.packet.mark = try number(UInt32.self)
            case "ttl":
                spec.packet.ttl = try number(UInt8.self)
            case "tos":
                spec.packet.tos = try number(UInt8.self)
            case "ipid":
                spec.packet.ipID = try number(UInt16.self)
                spec.ipIDGiven = true
            case "frag":
                spec.packet.fragmentOffset = try number(UInt16.self)
            case "mf":
                spec.packet.moreFragments = try number(UInt8.self) != 0
            case "t":
                guard let seconds = Double(value), seconds >= 0 else { throw fail(valueOffset, "expected a timestamp in seconds for t=, found \"\(value)\"") }
                spec.timestamp = seconds
            case "ct":
                guard let state = DeclaredConntrackState(rawValue: value.lowercased()) else {
                    throw fail(valueOffset, "expected ct=established or ct=related, found \"\(value)\"")
                }
                spec.declaredState = state
            case "cast":
                guard let cast = LinkLayerCast(rawValue: value) else { throw fail(valueOffset, "expected cast=unicast, broadcast or multicast") }
                spec.packet.linkLayerCast = cast
            case "quote":
                try requireProto(IPProtocolNumber.icmp, "icmp")
                spec.packet.quoted = try quotedHeader(value, offset: valueOffset, spec: text)
            default:
                throw fail(token.offset, "unknown key \"\(key)\": expected flags, seq, ack, win, type, code, id, len, payload, mark, ttl, tos, ipid, frag, mf, t, ct, cast or quote")
            }
        }
        if proto == IPProtocolNumber.tcp, spec.packet.tcpFlags.isEmpty, !tokens.contains(where: { $0.text.hasPrefix("flags=") }) {
            throw fail(text.count, "a tcp packet needs flags= (for example flags=S for a SYN, flags=. for an ACK)")
        }
        let header = 20 + Packet.headerLength(proto: proto)
        let quotedBytes = spec.packet.quoted.map { min(Int($0.totalLength), 548) } ?? 0
        let defaultPayload = proto == IPProtocolNumber.icmp && !spec.packet.isICMPError ? 56 : quotedBytes
        let total = length.map(Int.init) ?? header + (payload ?? defaultPayload)
        guard total >= header, total <= 65535 else {
            throw fail(text.count, "len=\(total) is shorter than the \(header)-byte IP and \(IPProtocolNumber.name(proto)) headers")
        }
        spec.packet.totalLength = UInt16(total)
        return spec
    }

    /// The engine's input for this spec, with `packet` completed (see `TCPSequencer`).
    public func input(_ packet: Packet, timestamp: Double) -> PacketInput {
        PacketInput(packet: packet, ingress: ingress, timestamp: timestamp, declaredState: declaredState,
                    sequenceGiven: sequenceGiven, acknowledgementGiven: acknowledgementGiven)
    }

    static func quotedHeader(_ value: String, offset: Int, spec: String) throws(PacketSpecError) -> QuotedPacket {
        let parts = value.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 3, let proto = IPProtocolNumber.parse(String(parts[0])) else {
            throw PacketSpecError(spec: spec, offset: offset, message: "expected quote=PROTO,SRC[:PORT],DST[:PORT], found \"\(value)\"")
        }
        func endpoint(_ text: Substring) throws(PacketSpecError) -> (IPv4Address, UInt16) {
            let pieces = text.split(separator: ":")
            guard let address = pieces.first.flatMap({ IPv4Address($0) }), pieces.count <= 2,
                  let port = pieces.count == 2 ? UInt16(pieces[1]) : 0 else {
                throw PacketSpecError(spec: spec, offset: offset, message: "expected ADDRESS[:PORT] in quote=, found \"\(text)\"")
            }
            return (address, port)
        }
        let (source, sourcePort) = try endpoint(parts[1])
        let (destination, destinationPort) = try endpoint(parts[2])
        var quoted = QuotedPacket(source: source, destination: destination, proto: proto, sourcePort: sourcePort, destinationPort: destinationPort)
        quoted.totalLength = UInt16(20 + Packet.headerLength(proto: proto))
        if proto == IPProtocolNumber.icmp { quoted.icmpType = ICMPType.echoRequest }
        return quoted
    }
}
