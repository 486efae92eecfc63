import CalicoModel
import FelixRenderer
import Foundation
import KernelOracle
import Netfilter
import NodeSnapshot
import PolicyTestSupport
import Testing

// Rendered felix chains on the real kernel: seeded clusters whose node under test is the
// oracle's node (192.168.0.10, its three pods 10.65.0.2-4 pinned to the oracle's cali
// interfaces with WorkloadEndpoints; the other node's pods in 10.66.0.0/24 behind eth0) are
// rendered with FelixRenderer in both layouts, loaded into the oracle (iptables-nft-restore and
// `ipset restore`), and the first packet of new connections (TCP SYN, UDP) is injected. For
// each packet the kernel's verdict must equal pathsim's and the half of Kubernetes semantics
// this node enforces (the source pod's egress if it is local, the destination pod's ingress if
// it is local), which is `kubernetesAllows` itself when the other end is a local pod or an
// external address. DifferentialRunner also compares every step of every path and every counter.
//
// PATHSIM_RENDER_KERNEL_CLUSTERS=N (default 10), PATHSIM_RENDER_KERNEL_PACKETS=N per cluster and
// layout (default 40), PATHSIM_RENDER_KERNEL_FIRST_SEED=S (default 5000),
// PATHSIM_RENDER_KERNEL_SEEDS=5001,5007 (chosen seeds), PATHSIM_RENDER_DUMP=1 (print clusters).

@Suite("Rendered policy on the kernel", .serialized)
struct RenderedPolicyKernelTests {
    static let topology: ClusterTopology = {
        var topology = ClusterTopology()
        topology.nodeAddress = KernelOracle.nodeAddress.description
        topology.localPodIPs = KernelOracle.workloads.map(\.address.description)
        topology.localInterfaces = KernelOracle.workloads.map(\.interface)
        return topology
    }()

    /// One injected packet and what it should do on the oracle's node.
    struct Probe {
        var source: Peer
        var destination: Peer
        var port: PortProbe
        var spec: String
        var expectedInterface: String
        /// The half of Kubernetes semantics this node enforces.
        var expected: Bool
        var kubernetes: Bool
        /// Both ends' policy is enforced here (no remote pod): `expected` is `kubernetes`.
        var wholeDecisionHere: Bool
    }

    /// Up to `limit` probes of a cluster, chosen with the cluster's seed round-robin from the
    /// groups (kind of pair: pod to pod here, to the other node, to an external address and
    /// back; expected to pass or to be dropped), so every kind and both verdicts are sent.
    static func probes(_ generated: GeneratedCluster, limit: Int) -> [Probe] {
        let cluster = generated.cluster
        var all: [Probe] = []
        var port = 30000
        for (source, destination) in generated.pairs {
            for probe in generated.probes {
                let fromHere = generated.isLocal(source), toHere = generated.isLocal(destination)
                let inInterface = fromHere ? generated.pinnedInterface(source.pod!)! : KernelOracle.uplink
                let outInterface = toHere ? generated.pinnedInterface(destination.pod!)! : KernelOracle.uplink
                var expected = true
                if fromHere { expected = expected && kubernetesEgressAllows(cluster: cluster, from: source, to: destination, proto: probe.proto, port: probe.port) }
                if toHere { expected = expected && kubernetesIngressAllows(cluster: cluster, from: source, to: destination, proto: probe.proto, port: probe.port) }
                port += 1
                let spec = "in=\(inInterface) \(probe.proto.lowercased()) \(source.ip):\(port) > \(destination.ip):\(probe.port)"
                    + (probe.proto == "TCP" ? " flags=S" : "")
                all.append(Probe(source: source, destination: destination, port: probe, spec: spec, expectedInterface: outInterface, expected: expected,
                                 kubernetes: kubernetesAllows(cluster: cluster, from: source, to: destination, proto: probe.proto, port: probe.port),
                                 wholeDecisionHere: (fromHere || source.pod == nil) && (toHere || destination.pod == nil)))
            }
        }
        func kind(_ peer: Peer) -> String { peer.pod == nil ? "external" : generated.isLocal(peer) ? "local" : "remote" }
        var groups: [String: [Probe]] = [:]
        for probe in all { groups["\(kind(probe.source))→\(kind(probe.destination)) \(probe.expected)", default: []].append(probe) }
        var random = ClusterRandom(seed: generated.seed &* 31 &+ 7)
        var keys = groups.keys.sorted()
        var chosen: [Probe] = []
        while chosen.count < limit, !keys.isEmpty {
            for key in keys where chosen.count < limit {
                chosen.append(groups[key]!.remove(at: random.int(0...(groups[key]!.count - 1))))
            }
            keys.removeAll { groups[$0]!.isEmpty }
        }
        return chosen
    }

    @Test(OracleSupport.requiresKernel) func renderedClustersAgreeWithKernelAndKubernetes() throws {
        try OracleSupport.exclusive {
            let environment = ProcessInfo.processInfo.environment
            let count = Int(environment["PATHSIM_RENDER_KERNEL_CLUSTERS"] ?? "") ?? 10
            let limit = Int(environment["PATHSIM_RENDER_KERNEL_PACKETS"] ?? "") ?? 40
            let firstSeed = UInt64(environment["PATHSIM_RENDER_KERNEL_FIRST_SEED"] ?? "") ?? 5000
            let chosen = environment["PATHSIM_RENDER_KERNEL_SEEDS"].map { $0.split(separator: ",").compactMap { UInt64($0) } }
            let seeds = chosen ?? Array(firstSeed..<(firstSeed + UInt64(count)))
            let oracle = try KernelOracle(localTracing: .allLocal)
            defer { oracle.shutdown() }
            let network = try DifferentialRunner.network(oracle)
            let clock = ContinuousClock()
            let start = clock.now
            var cases = 0, packets = 0, steps = 0, counters = 0, entries = 0, passed = 0, wholeDecisions = 0
            var retried: [String] = []
            var problems: [String] = []
            for seed in seeds {
                let generated = ClusterGenerator.generate(seed: seed, topology: Self.topology)
                if environment["PATHSIM_RENDER_DUMP"] != nil { print(generated.summary) }
                for layout in [FelixLayout.modern, .legacy] {
                    let name = "rendered seed \(seed) \(layout)"
                    let rendered: RenderedNode
                    do {
                        rendered = try FelixRenderer.render(generated.cluster, node: Self.topology.nodeUnderTest, options: RenderOptions(layout: layout))
                    } catch {
                        problems.append("\(name): render failed: \(error)\n\(generated.summary)")
                        continue
                    }
                    if let mismatch = Self.networkMismatch(rendered, oracle: network) {
                        problems.append("\(name): the rendered node's network differs from the oracle's: \(mismatch)")
                    }
                    let probes = Self.probes(generated, limit: limit)
                    let testCase = DifferentialCase(name: name, iptablesSave: rendered.files[NodeSnapshot.File.iptablesSave] ?? "",
                                                    ipsetSave: rendered.files[NodeSnapshot.File.ipsetSave] ?? "",
                                                    packets: try DifferentialRunner.packets(probes.map(\.spec)))
                    var result: DifferentialResult
                    do {
                        result = try DifferentialRunner.run(testCase, oracle: oracle, network: network)
                        if !result.disagreements.isEmpty {
                            // A trace line later than the quiet window looks like a disagreement;
                            // run the case again, slowly, before believing it.
                            retried.append(name)
                            let quiet = oracle.quietSeconds
                            oracle.quietSeconds = 0.3
                            defer { oracle.quietSeconds = quiet }
                            result = try DifferentialRunner.run(testCase, oracle: oracle, network: network)
                        }
                    } catch {
                        problems.append("\(name): loading the rendered rules into the kernel or sending failed: \(error)\n\(generated.summary)")
                        continue
                    }
                    cases += 1
                    packets += result.packets
                    steps += result.steps
                    counters += result.counters
                    entries += result.conntrackEntries
                    problems += result.disagreements.prefix(5).map { "\($0)\ncluster:\n\(generated.summary)" }
                    for (probe, sent) in zip(probes, result.sends) {
                        let kernelVerdict = sent.kernel.original?.steps.last?.verdict
                        let kernelPassed = kernelVerdict == .accept
                        let pathsimPassed = sent.trace.fate == .sent(interface: probe.expectedInterface)
                        if kernelPassed { passed += 1 }
                        if probe.wholeDecisionHere { wholeDecisions += 1 }
                        if probe.wholeDecisionHere, probe.expected != probe.kubernetes {
                            problems.append("\(name): \(probe.spec): the evaluator's halves disagree with kubernetesAllows")
                        }
                        guard kernelVerdict == nil || kernelPassed != probe.expected || pathsimPassed != probe.expected else { continue }
                        problems.append("""
                            \(name): \(probe.source) → \(probe.destination) \(probe.port): this node should \(probe.expected ? "pass" : "drop") it\
                            \(probe.wholeDecisionHere ? "" : " (its half of the decision; Kubernetes overall: \(probe.kubernetes ? "allowed" : "denied"))")
                              packet: \(probe.spec)
                              kernel: \(kernelVerdict.map { $0 == .accept ? "passed" : "dropped" } ?? "no trace")\(sent.kernel.sendError.map { " (send: \($0))" } ?? "")
                                \(sent.kernel.steps.map(\.description).joined(separator: "\n    "))
                              pathsim: \(sent.trace.fate)
                                \(sent.trace.steps.map(\.description).joined(separator: "\n    "))
                            \(KubernetesSemantics.explain(cluster: generated.cluster, from: probe.source, to: probe.destination, proto: probe.port.proto, port: probe.port.port))
                            cluster:
                            \(generated.summary)
                            """)
                    }
                }
            }
            print("rendered-policy kernel: \(seeds.count) clusters, \(cases) rendered rulesets, \(packets) packets (\(passed) passed by the kernel, \(wholeDecisions) decided wholly on this node), \(steps) steps, \(counters) counters and \(entries) conntrack entries compared, \(problems.count) problems, in \(clock.now - start); retried after a possibly late trace: \(retried)")
            for problem in problems.prefix(10) { Issue.record(Comment(rawValue: problem)) }
        }
    }

    /// nil when the rendered snapshot's interfaces, addresses and unicast routes of the main
    /// table are the oracle node's (so pathsim's view of the rendered node is the kernel's node).
    static func networkMismatch(_ rendered: RenderedNode, oracle: NodeNetwork) -> String? {
        let snapshot: NodeSnapshot
        do { snapshot = try rendered.snapshot() } catch { return "snapshot does not load: \(error)" }
        func addresses(_ network: NodeNetwork) -> [String] {
            network.interfaces.flatMap { interface in interface.addresses.map { "\(interface.name) \($0.address)/\($0.prefixLength)" } }.sorted()
        }
        func routes(_ network: NodeNetwork) -> [String] {
            network.routes.filter { $0.table == "main" && $0.type == .unicast }
                .map { "\($0.destination) dev \($0.device ?? "-") via \($0.gateway.map { "\($0)" } ?? "-")" }.sorted()
        }
        var differences: [String] = []
        let names = Set(snapshot.network.interfaces.map(\.name)), oracleNames = Set(oracle.interfaces.map(\.name))
        if names != oracleNames { differences.append("interfaces \(names.sorted()) vs \(oracleNames.sorted())") }
        if addresses(snapshot.network) != addresses(oracle) { differences.append("addresses \(addresses(snapshot.network)) vs \(addresses(oracle))") }
        if routes(snapshot.network) != routes(oracle) { differences.append("routes \(routes(snapshot.network)) vs \(routes(oracle))") }
        return differences.isEmpty ? nil : differences.joined(separator: "; ")
    }
}

/// The evaluator and the generator are copies (test targets cannot share source files without
