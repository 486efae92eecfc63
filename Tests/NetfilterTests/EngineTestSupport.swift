import Foundation
import IptablesSave
import Netfilter
import PacketSpec

/// A small node for engine tests: eth0 192.168.0.10/24 (default via 192.168.0.1) and two
/// workload interfaces with host routes, as Calico sets them up.
let testNetwork = NodeNetwork(
    interfaces: [
        NetworkInterface(name: "lo", index: 1, addresses: [InterfaceAddress(address: IPv4Address(127, 0, 0, 1), prefixLength: 8)]),
        NetworkInterface(name: "eth0", index: 2, addresses: [InterfaceAddress(address: IPv4Address(192, 168, 0, 10), prefixLength: 24, broadcast: IPv4Address(192, 168, 0, 255))]),
        NetworkInterface(name: "cali1", index: 3),
        NetworkInterface(name: "cali2", index: 4),
    ],
    routes: [
        Route(destination: .all, device: "eth0", gateway: IPv4Address(192, 168, 0, 1)),
        Route(destination: IPv4Network("192.168.0.0/24")!, device: "eth0", preferredSource: IPv4Address(192, 168, 0, 10)),
        Route(destination: IPv4Network("10.65.0.2/32")!, device: "cali1"),
        Route(destination: IPv4Network("10.65.0.3/32")!, device: "cali2"),
    ]
)

func simulator(_ rules: String, sets: [IPSet] = [], sysctls: Sysctls = Sysctls()) throws -> Simulator {
    let ruleset = try IptablesSaveParser.parse(rules, file: "test.rules")
    try RulesetValidator.validate(ruleset, file: "test.rules")
    return Simulator(ruleset: ruleset, ipsets: sets, network: testNetwork, sysctls: sysctls)
}

/// Runs specs in order through one simulator, filling in TCP numbers as a stack would.
func run(_ simulator: inout Simulator, _ specs: [String]) throws -> [PacketTrace] {
    var sequencer = TCPSequencer()
    var time = 0.0
    return try specs.map { text in
        let spec = try PacketSpec.parse(text)
        time = spec.timestamp ?? time + 0.001
        return simulator.process(spec.input(sequencer.complete(spec), timestamp: time))
    }
}

func steps(_ trace: PacketTrace) -> [String] { trace.steps.map(\.description) }

/// A file under Fixtures/.
func fixture(_ path: String) -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return (try? String(contentsOf: root.appendingPathComponent("Fixtures/\(path)"), encoding: .utf8)) ?? ""
}
