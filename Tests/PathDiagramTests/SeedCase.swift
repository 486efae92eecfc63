import Foundation
import IptablesSave
import Netfilter
import NodeSnapshot
import PacketSpec
import PathDiagram

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func fixture(_ path: String) -> String { packageRoot.appendingPathComponent("Fixtures/\(path)").path }

/// The seed article's case: a client pod's SYN to the web pod that web-deny-all selects,
/// dropped in the web pod's ingress chain.
enum SeedCase {
    static let packet = "in=cali1f79f9e08f2 tcp 10.139.54.20:41000 > 10.139.54.158:80 flags=S len=60"
    static let decidingChain = "cali-tw-cali96bc57f337a"

    static func snapshot() throws -> NodeSnapshot {
        try NodeSnapshot.load(directory: fixture("snapshots/calico-2.6-web-deny-all"))
    }

    static func trace(_ text: String = packet, snapshot: NodeSnapshot) throws -> PacketTrace {
        var simulator = Simulator(ruleset: snapshot.ruleset, ipsets: snapshot.ipsets, network: snapshot.network, sysctls: snapshot.sysctls)
        let spec = try PacketSpec.parse(text)
        var sequencer = TCPSequencer()
        return simulator.process(spec.input(sequencer.complete(spec), timestamp: 0))
    }

    static func ruleText(_ snapshot: NodeSnapshot) -> @Sendable (Backend, TableName, String, Int) -> String {
        let nftables = snapshot.ruleset
        let legacy = snapshot.legacyRuleset
        return { backend, table, chain, position in
            let ruleset = backend == .legacy ? legacy : nftables
            guard let rules = ruleset?.table(table)?.chain(chain)?.rules, position >= 1, position <= rules.count else { return "" }
            return IptablesSavePrinter.ruleText(rules[position - 1], chain: chain)
        }
    }

    static func input() throws -> DiagramInput {
        let snapshot = try snapshot()
        let trace = try trace(snapshot: snapshot)
        let hops = [DiagramHop(node: "host30", trace: trace)]
        var labels: [StepKey: String] = [:]
        if let jump = trace.steps.firstIndex(where: { $0.target == "cali-pi-default.web-deny-all" }) {
            labels[StepKey(hop: 0, step: jump)] = "KubernetesNetworkPolicy default/web-deny-all, ingress"
        }
        if let drop = DiagramInput.droppingStep(in: hops) {
            labels[drop] = "no policy selecting the web pod allows this ingress"
        }
        return DiagramInput(
            title: "in=cali1f79f9e08f2 tcp 10.139.54.20:41000 > 10.139.54.158:80 [S]",
            hops: hops,
            deciding: DiagramInput.droppingStep(in: hops),
            stepLabels: labels,
            ruleText: ruleText(snapshot),
            summary: [
                "The web pod's ingress chain cali-tw-cali96bc57f337a clears the pass mark, jumps to the policy chain cali-pi-default.web-deny-all, which has no rules (the policy allows no ingress), so no policy set the accept or pass mark and \"Drop if no policies passed packet\" drops the SYN.",
                "To let the client in, add a NetworkPolicy selecting app=web with an ingress rule allowing the client on TCP port 80.",
            ])
    }
}
