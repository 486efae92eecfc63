import ArgumentParser
import Foundation
import IptablesSave
import Netfilter
import NodeSnapshot
import PacketSpec
import TraceFormat

/// The seed article's case: a Calico 2.6 node where the `web-deny-all` NetworkPolicy
/// selects the web pod, and a client pod's connections to it time out.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Why is this connection dropped? The web-deny-all case from Fixtures/, traced and counted."
    )

    @Option(name: .long, help: "Colour: auto (only on a terminal), always, never.")
    var color: String = "auto"

    static var fixture: String {
        let source = URL(fileURLWithPath: #filePath)
        let root = source.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("Fixtures/snapshots/calico-2.6-web-deny-all").path
    }

    static let packets = [
        "in=cali1f79f9e08f2 tcp 10.139.54.20:41000 > 10.139.54.158:80 flags=S len=60",
        "in=cali1f79f9e08f2 tcp 10.139.54.20:41000 > 10.139.54.158:80 flags=S len=60 t=1",
        "in=cali1f79f9e08f2 tcp 10.139.54.20:41000 > 10.139.54.158:80 flags=S len=60 t=3",
    ]

    mutating func run() throws {
        let directory = Self.fixture
        let snapshot: NodeSnapshot
        do {
            snapshot = try NodeSnapshot.load(directory: directory)
        } catch {
            throw fail("\(error)", PathsimExit.missingInput)
        }
        var simulator = Simulator(ruleset: snapshot.ruleset, ipsets: snapshot.ipsets, network: snapshot.network, sysctls: snapshot.sysctls)
        var sequencer = TCPSequencer()
        let human = TraceHuman(colour: (ColourChoice(rawValue: color) ?? .auto).enabled, verbose: false, ruleText: ruleTextLookup(snapshot))
        print("Node snapshot: \(directory)")
        print("A client pod (10.139.54.20, cali1f79f9e08f2) opens TCP connections to the web pod (10.139.54.158:80,")
        print("cali96bc57f337a), which the NetworkPolicy default/web-deny-all selects. wget times out; why?\n")
        for (index, text) in Self.packets.enumerated() {
            let spec = try PacketSpec.parse(text)
            let packet = sequencer.complete(spec)
            let trace = simulator.process(spec.input(packet, timestamp: spec.timestamp ?? 0))
            if index == 0 {
                print(human.render(trace, index: 1))
            } else {
                print("\npacket \(index + 1): \(text)\n  verdict: \(PacketDescription.fate(trace.fate))")
            }
        }
        print("\nThe deciding chain after the three SYNs, as `iptables -nvxL cali-tw-cali96bc57f337a` prints it:\n")
        if let table = snapshot.ruleset.table(.filter) {
            print(IptablesListPrinter.list(table, chain: "cali-tw-cali96bc57f337a", lineNumbers: false, counters: .simulated(simulator)), terminator: "")
        }
        print("""

        Why: the web pod's ingress chain cali-tw-cali96bc57f337a clears the pass mark ("Start of policies"),
        jumps to the policy chain cali-pi-default.web-deny-all, which has no rules (the policy allows no
        ingress), so no policy set the accept or pass mark, and "Drop if no policies passed packet" drops
        the SYN. To let the client in, add a NetworkPolicy that selects app=web with an ingress rule
        allowing the client (for example from pods with its labels on TCP port 80).
        """)
    }
}
