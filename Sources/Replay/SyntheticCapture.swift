import Netfilter
import PacketWire
import PcapIO

/// A reproducible `tcpdump -i any -y LINUX_SLL2` capture of mixed traffic on a node, for
/// benchmarks: TCP connections (handshake, data, FIN), DNS over UDP, pings, and new
/// connections the node's policy drops. Outgoing copies of forwarded packets are written as
/// the node would send them, by running each packet through the engine while generating,
/// so a replay of the file finds no disagreement.
public struct SyntheticCapture {
    /// A workload: the client interface and address (a pod), a destination the rules drop,
    /// and an outside address reached through the uplink.
    public struct Hosts: Sendable {
        public var clientInterface: String
        public var client: IPv4Address
        public var blocked: IPv4Address
        public var blockedPort: UInt16
        public var outside: IPv4Address
        public var uplink: String

        public init(clientInterface: String, client: IPv4Address, blocked: IPv4Address, blockedPort: UInt16, outside: IPv4Address, uplink: String) {
            self.clientInterface = clientInterface
            self.client = client
            self.blocked = blocked
            self.blockedPort = blockedPort
            self.outside = outside
            self.uplink = uplink
        }
    }

    var simulator: Simulator
    let hosts: Hosts
    let writer: PcapWriter
    var random: SplitMix64
    var time = 1_700_000_000.0
    var frameNumber = 0
    var ipID: UInt16 = 1
    public private(set) var frames = 0

    public init(simulator: Simulator, hosts: Hosts, writer: PcapWriter, seed: UInt64 = 1) {
        self.simulator = simulator
        self.hosts = hosts
        self.writer = writer
        random = SplitMix64(seed: seed)
    }

    /// Writes flows until at least `count` frames are written.
    public mutating func write(frames count: Int) {
        var flow: UInt16 = 0
        while frames < count {
            flow &+= 1
            let port = 20000 &+ flow % 40000
            switch random.next() % 10 {
            case 0..<4: tcpConnection(port: port)
            case 4, 5: dns(port: port)
            case 6, 7: blockedSYN(port: port)
            case 8: ping(to: hosts.blocked, id: flow)
            default: ping(to: hosts.outside, id: flow)
            }
        }
    }

    mutating func tcpConnection(port: UInt16) {
        let c = UInt32(truncatingIfNeeded: random.next()), s = UInt32(truncatingIfNeeded: random.next())
        guard let out = send(tcp(hosts.client, port, hosts.outside, 443, [.syn], seq: c, ack: 0)) else { return }
        let back = (out.source, out.sourcePort)
        reply(tcp(hosts.outside, 443, back.0, back.1, [.syn, .ack], seq: s, ack: c &+ 1))
        _ = send(tcp(hosts.client, port, hosts.outside, 443, [.ack], seq: c &+ 1, ack: s &+ 1))
        _ = send(tcp(hosts.client, port, hosts.outside, 443, [.psh, .ack], seq: c &+ 1, ack: s &+ 1, payload: 100))
        reply(tcp(hosts.outside, 443, back.0, back.1, [.psh, .ack], seq: s &+ 1, ack: c &+ 101, payload: 1000))
        _ = send(tcp(hosts.client, port, hosts.outside, 443, [.fin, .ack], seq: c &+ 101, ack: s &+ 1001))
        reply(tcp(hosts.outside, 443, back.0, back.1, [.fin, .ack], seq: s &+ 1001, ack: c &+ 102))
        _ = send(tcp(hosts.client, port, hosts.outside, 443, [.ack], seq: c &+ 102, ack: s &+ 1002))
    }

    mutating func dns(port: UInt16) {
        var query = Packet(source: hosts.client, destination: hosts.outside, proto: IPProtocolNumber.udp, totalLength: 60)
        query.sourcePort = port
        query.destinationPort = 53
        guard let out = send(query) else { return }
        var answer = Packet(source: hosts.outside, destination: out.source, proto: IPProtocolNumber.udp, totalLength: 120)
        answer.sourcePort = 53
        answer.destinationPort = out.sourcePort
        reply(answer)
    }

    mutating func blockedSYN(port: UInt16) {
        _ = send(tcp(hosts.client, port, hosts.blocked, hosts.blockedPort, [.syn], seq: UInt32(truncatingIfNeeded: random.next()), ack: 0))
    }

    mutating func ping(to destination: IPv4Address, id: UInt16) {
        var request = Packet(source: hosts.client, destination: destination, proto: IPProtocolNumber.icmp, totalLength: 84)
        request.icmpType = ICMPType.echoRequest
        request.icmpID = id
        request.icmpSequence = 1
        guard let out = send(request), destination == hosts.outside else { return }
        var answer = Packet(source: destination, destination: out.source, proto: IPProtocolNumber.icmp, totalLength: 84)
        answer.icmpType = ICMPType.echoReply
        answer.icmpID = out.icmpID
        answer.icmpSequence = 1
        reply(answer)
    }

    func tcp(_ source: IPv4Address, _ sport: UInt16, _ destination: IPv4Address, _ dport: UInt16, _ flags: TCPFlags,
             seq: UInt32, ack: UInt32, payload: Int = 0) -> Packet {
        var p = Packet(source: source, destination: destination, proto: IPProtocolNumber.tcp, totalLength: UInt16(40 + payload))
        p.sourcePort = sport
        p.destinationPort = dport
        p.tcpFlags = flags
        p.sequence = seq
        p.acknowledgement = ack
        p.window = 64240
        p.dontFragment = true
        return p
    }

    /// From the client pod; returns the packet as it left the node, nil when dropped.
    mutating func send(_ packet: Packet) -> Packet? { pass(packet, in: hosts.clientInterface) }

    mutating func reply(_ packet: Packet) { _ = pass(packet, in: hosts.uplink) }

    mutating func pass(_ given: Packet, in interface: String) -> Packet? {
        var packet = given
        packet.ipID = ipID
        ipID &+= 1
        time += 0.000_01
        frame(packet, interface: interface, outgoing: false)
        let trace = simulator.process(PacketInput(packet: packet, ingress: .interface(interface), timestamp: time))
        guard case .sent(let out) = trace.fate else { return nil }
        var copy = trace.finalPacket
        copy.ttl &-= 1
        frame(copy, interface: out, outgoing: true)
        return copy
    }

    mutating func frame(_ packet: Packet, interface: String, outgoing: Bool) {
        let index = UInt32(simulator.network.interface(named: interface)?.index ?? 0)
        frameNumber += 1
        frames += 1
        writer.write(Self.sll2Frame(packet, ifindex: index, outgoing: outgoing, number: frameNumber, timestamp: time))
    }

    /// A LINUX_SLL2 frame as `tcpdump -i any` records it: the 20-byte header (protocol,
    /// interface index, ARPHRD_ETHER, packet type host or outgoing, a MAC) and the packet.
    public static func sll2Frame(_ packet: Packet, ifindex: UInt32, outgoing: Bool, number: Int, timestamp: Double) -> CapturedFrame {
        var bytes: [UInt8] = [0x08, 0x00, 0, 0, UInt8(ifindex >> 24), UInt8(ifindex >> 16 & 0xff), UInt8(ifindex >> 8 & 0xff), UInt8(ifindex & 0xff),
                              0x00, 0x01, outgoing ? 4 : 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]
        bytes += PacketEncoder.ipv4Bytes(packet)
        return CapturedFrame(number: number, timestamp: timestamp, data: bytes, originalLength: bytes.count, linkType: .linuxSLL2)
    }
}
