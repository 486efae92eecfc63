import ArgumentParser
import ClusterYAML
import Explain
import FelixRenderer
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

    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var fixture: String { root.appendingPathComponent("Fixtures/snapshots/calico-2.6-web-deny-all").path }

    /// The seed's cluster objects: felix 2.6 renders exactly the dump's rules from them, which
    /// names the pods and the policy behind the dump's chains.
    static var cluster: String { root.appendingPathComponent("Fixtures/clusters/seed-web-deny-all-2.6/cluster.yaml").path }

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
        let explainer: Explainer
        do {
            let objects = try ClusterLoader.load(paths: [Self.cluster])
            let rendered = try FelixRenderer.render(objects, node: objects.nodeNames[0], options: RenderOptions(layout: .legacy))
            explainer = Explainer(context: .dump(ruleset: snapshot.ruleset, ipsets: snapshot.ipsets, provenance: rendered.provenance, cluster: objects))
        } catch {
            throw fail("\(error)", PathsimExit.missingInput)
        }
        var simulator = Simulator(ruleset: snapshot.ruleset, ipsets: snapshot.ipsets, network: snapshot.network, sysctls: snapshot.sysctls,
                                  options: SimulatorOptions(recordMisses: true))
        var firstTrace: PacketTrace?
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
                firstTrace = trace
                print(human.render(trace, index: 1))
            } else {
                print("\npacket \(index + 1): \(text)\n  verdict: \(PacketDescription.fate(trace.fate))")
            }
        }
        print("\nThe deciding chain after the three SYNs, as `iptables -nvxL cali-tw-cali96bc57f337a` prints it:\n")
        if let table = snapshot.ruleset.table(.filter) {
            print(IptablesListPrinter.list(table, chain: "cali-tw-cali96bc57f337a", lineNumbers: false, counters: .simulated(simulator)), terminator: "")
        }
        if let firstTrace {
            print("\nWhy (pathsim explain, with the cluster's objects from \(Self.cluster)):\n")
            print(ExplanationText.render(explainer.explain(firstTrace), indent: "  "))
        }
    }
}
