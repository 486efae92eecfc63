import CalicoModel
import ClusterPath
import ClusterYAML
import Foundation
import Netfilter
import PacketSpec

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func fixture(_ path: String) -> String { packageRoot.appendingPathComponent("Fixtures/\(path)").path }

func loadCluster(_ name: String) throws -> Cluster { try ClusterLoader.load(paths: [fixture("clusters/\(name)")]) }

/// A packet written as `pathsim --pkt` takes it, without the origin (the tracer puts it on the pod's veth).
func packet(_ text: String) throws -> Packet { try PacketSpec.parse("local " + text).packet }

/// Each hop as `node role: table:chain #rule verdict …`, for failure messages.
func describe(_ result: ClusterPathResult) -> String {
    result.hops.map { hop in
        "\(hop.node) \(hop.role.rawValue) [\(hop.note ?? "")] \(hop.trace.fate):\n    " + hop.trace.steps.map(\.description).joined(separator: "\n    ")
    }.joined(separator: "\n") + "\n→ \(result.outcome)"
}

/// The comments of the rule a step names, from the node's rendered ruleset.
func comments(of step: TraceStep, in hop: ClusterHop) -> [String] {
    guard let position = step.rule, let chain = hop.snapshot.ruleset.table(step.table)?.chain(step.chain), chain.rules.indices.contains(position - 1) else { return [] }
    return chain.rules[position - 1].comments
}
