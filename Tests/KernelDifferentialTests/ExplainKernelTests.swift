import CalicoModel
import ClusterYAML
import Explain
import FelixRenderer
import Foundation
import KernelOracle
import Netfilter
import NodeSnapshot
import PacketSpec
import PolicyTestSupport
import Testing

// What `explain` proposes must be true of the kernel: for packets a seeded cluster's rendered
// rules drop on the oracle's node, the proposed policy (applied to the cluster, rendered again,
// up to three rounds when both ends' policies drop it) lets the packet through, and the kernel,
// loaded with the amended render, passes it too, with pathsim agreeing step for step.
//
// PATHSIM_EXPLAIN_KERNEL_CLUSTERS=N (default 12), PATHSIM_EXPLAIN_KERNEL_DROPS=N per cluster (default 4).

@Suite("Explain's proposals on the kernel", .serialized)
struct ExplainKernelTests {
    struct Amended {
        var cluster: Cluster
        var rounds: Int
        var causes: [ExplainCause]
        var proposals: [String]
    }

    /// Applies proposals until pathsim passes the packet; nil with the reason when it cannot.
    static func amend(_ cluster: Cluster, spec: String, node: String) throws -> Result<Amended, ProposalFailure> {
        var amended = Amended(cluster: cluster, rounds: 0, causes: [], proposals: [])
        for _ in 1...3 {
            let rendered = try FelixRenderer.render(amended.cluster, node: node)
            let snapshot = try rendered.snapshot()
            var simulator = Simulator(ruleset: snapshot.ruleset, ipsets: snapshot.ipsets, network: snapshot.network, sysctls: snapshot.sysctls,
                                      options: SimulatorOptions(recordMisses: true))
            let packetSpec = try PacketSpec.parse(spec)
            var sequencer = TCPSequencer()
            let trace = simulator.process(packetSpec.input(sequencer.complete(packetSpec), timestamp: 0))
            if trace.fate.isAccepted { return .success(amended) }
            let explanation = Explainer(context: ExplainContext(ruleset: snapshot.ruleset, ipsets: snapshot.ipsets, provenance: rendered.provenance,
                                                                cluster: amended.cluster, node: node)).explain(trace)
            amended.causes.append(explanation.cause)
            guard let yaml = explanation.proposals.compactMap(\.yaml).first(where: { $0.hasPrefix("apiVersion:") }) else {
                return .failure(ProposalFailure(text: "no policy proposed for \(explanation.cause.rawValue): \(explanation.summary)"))
            }
            let extra = try ClusterLoader.load(yaml: yaml, file: "proposal-\(amended.rounds + 1).yaml")
            amended.cluster.kubernetesPolicies += extra.kubernetesPolicies
            amended.cluster.calicoPolicies += extra.calicoPolicies
            amended.proposals.append(yaml)
            amended.rounds += 1
        }
        return .failure(ProposalFailure(text: "still dropped after 3 proposals: \(amended.causes.map(\.rawValue))"))
    }

    struct ProposalFailure: Error { var text: String }

    @Test(OracleSupport.requiresKernel) func proposalsLetDroppedPacketsThroughOnTheKernel() throws {
        try OracleSupport.exclusive {
            let environment = ProcessInfo.processInfo.environment
            let clusters = Int(environment["PATHSIM_EXPLAIN_KERNEL_CLUSTERS"] ?? "") ?? 12
            let perCluster = Int(environment["PATHSIM_EXPLAIN_KERNEL_DROPS"] ?? "") ?? 4
            let topology = RenderedPolicyKernelTests.topology
            let oracle = try KernelOracle(localTracing: .allLocal)
            defer { oracle.shutdown() }
            let network = try DifferentialRunner.network(oracle)
            var problems: [String] = []
            var checked = 0, rounds = 0, steps = 0
            var causes: [String: Int] = [:]
            for seed in UInt64(6000)..<UInt64(6000 + clusters) {
                let generated = ClusterGenerator.generate(seed: seed, topology: topology)
                let dropped = RenderedPolicyKernelTests.probes(generated, limit: 60).filter { !$0.expected }.prefix(perCluster)
                for probe in dropped {
                    let name = "seed \(seed): \(probe.spec)"
                    let amended: Amended
                    switch try Self.amend(generated.cluster, spec: probe.spec, node: topology.nodeUnderTest) {
                    case .success(let value): amended = value
                    case .failure(let failure):
                        problems.append("\(name): \(failure.text)\n\(generated.summary)")
                        continue
                    }
                    for cause in amended.causes { causes[cause.rawValue, default: 0] += 1 }
                    let rendered = try FelixRenderer.render(amended.cluster, node: topology.nodeUnderTest)
                    let testCase = DifferentialCase(name: name, iptablesSave: rendered.files[NodeSnapshot.File.iptablesSave] ?? "",
                                                    ipsetSave: rendered.files[NodeSnapshot.File.ipsetSave] ?? "",
                                                    packets: try DifferentialRunner.packets([probe.spec]))
                    let result = try DifferentialRunner.run(testCase, oracle: oracle, network: network)
                    checked += 1
                    rounds += amended.rounds
                    steps += result.steps
                    problems += result.disagreements.prefix(3).map { "\(name): \($0)" }
                    let kernel = result.sends.first?.kernel.original?.steps.last?.verdict
                    if kernel != .accept {
                        problems.append("""
                            \(name): the kernel still drops it after \(amended.rounds) proposal(s) (\(amended.causes.map(\.rawValue)))
                            \(amended.proposals.joined(separator: "---\n"))
                            kernel: \(result.sends.first?.kernel.steps.map(\.description).joined(separator: "\n  ") ?? "no trace")
                            """)
                    }
                }
            }
            print("explain kernel: \(checked) dropped packets made to pass by \(rounds) proposed policies (causes \(causes.sorted { $0.key < $1.key })), \(steps) steps compared, \(problems.count) problems")
            #expect(checked >= clusters, "too few dropped packets to check")
            for problem in problems.prefix(10) { Issue.record(Comment(rawValue: problem)) }
        }
    }
}
