import Foundation
import IptablesSave
import Netfilter
import NodeSnapshot
import PacketWire
import PcapIO
import Replay

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let seedSnapshot = packageRoot.appendingPathComponent("Fixtures/snapshots/calico-2.6-web-deny-all").path
let pcapFixtures = packageRoot.appendingPathComponent("Fixtures/pcap")

/// A small node for replay tests: eth0 192.168.0.10/24 (ifindex 2), two pods on cali
/// interfaces (3 and 4), forwarding on.
func testNode(rules: String) throws -> Simulator {
    let ruleset = try IptablesSaveParser.parse(rules, file: "test.rules")
    let network = NodeNetwork(
        interfaces: [
            NetworkInterface(name: "lo", index: 1, addresses: [InterfaceAddress(address: IPv4Address(127, 0, 0, 1), prefixLength: 8)]),
            NetworkInterface(name: "eth0", index: 2, macAddress: "02:00:00:00:00:02", addresses: [InterfaceAddress(address: IPv4Address(192, 168, 0, 10), prefixLength: 24)]),
            NetworkInterface(name: "caliaaa", index: 3),
            NetworkInterface(name: "calibbb", index: 4),
        ],
        routes: [
            Route(destination: IPv4Network(address: IPv4Address(0, 0, 0, 0), prefixLength: 0), device: "eth0", gateway: IPv4Address(192, 168, 0, 1)),
            Route(destination: IPv4Network(address: IPv4Address(192, 168, 0, 0), prefixLength: 24), device: "eth0"),
            Route(destination: IPv4Network(address: IPv4Address(10, 65, 0, 2), prefixLength: 32), device: "caliaaa"),
            Route(destination: IPv4Network(address: IPv4Address(10, 65, 0, 3), prefixLength: 32), device: "calibbb"),
            Route(destination: IPv4Network(address: IPv4Address(192, 168, 0, 10), prefixLength: 32), type: .local, table: "local", device: "eth0"),
            Route(destination: IPv4Network(address: IPv4Address(127, 0, 0, 0), prefixLength: 8), type: .local, table: "local", device: "lo"),
        ])
    var sysctls = Sysctls()
    sysctls.ipForward = true
    return Simulator(ruleset: ruleset, network: network, sysctls: sysctls)
}

func sll2Frame(_ packet: Packet, ifindex: UInt32, outgoing: Bool, number: Int, time: Double) -> CapturedFrame {
    SyntheticCapture.sll2Frame(packet, ifindex: ifindex, outgoing: outgoing, number: number, timestamp: time)
}

func tcp(_ source: IPv4Address, _ sport: UInt16, _ destination: IPv4Address, _ dport: UInt16, flags: TCPFlags, id: UInt16, seq: UInt32 = 1000) -> Packet {
    var p = Packet(source: source, destination: destination, proto: IPProtocolNumber.tcp, totalLength: 60)
    p.sourcePort = sport
    p.destinationPort = dport
    p.tcpFlags = flags
    p.sequence = seq
    p.window = 64240
    p.ipID = id
    return p
}

let podA = IPv4Address(10, 65, 0, 2)
let podB = IPv4Address(10, 65, 0, 3)
let remote = IPv4Address(192, 168, 0, 50)
let node = IPv4Address(192, 168, 0, 10)

extension Array where Element == ReplayEvent {
    var replayed: [ReplayedPacket] { compactMap { if case .replayed(let p) = $0 { return p } else { return nil } } }
    var disagreements: [CaptureDisagreement] { compactMap { if case .disagreement(let d) = $0 { return d } else { return nil } } }
    var copies: [(frame: Int, original: Int)] { compactMap { if case .egressCopy(let f, let o, _) = $0 { return (f, o) } else { return nil } } }
    var skipped: [(frame: Int, reason: String)] { compactMap { if case .skipped(let f, let r) = $0 { return (f, r) } else { return nil } } }
}
