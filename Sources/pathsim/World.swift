import ArgumentParser
import Foundation
import IptablesSave
import Netfilter
import NodeSnapshot
import PacketSpec
import CalicoModel
import FelixRenderer
import ScenarioSuite

/// Options every command that simulates shares: where the node comes from and the packets.
struct WorldOptions: ParsableArguments {
    @Option(name: .long, help: "A node snapshot directory (iptables-save.txt, ipset-save.txt, ip-*.json, sysctl.txt).")
    var snapshot: String?

    @OptionGroup var rendered: ClusterOptions

    @Option(name: .long, help: ArgumentHelp("A packet, tcpdump-style; repeat for a sequence sharing one conntrack table.", valueName: "spec"))
    var pkt: [String] = []

    @Option(name: .long, help: "Seed for -m statistic --mode random.")
    var seed: UInt64 = 0

    @Flag(name: .long, help: "Exit with 69 if the rules use a match or target pathsim does not implement.")
    var strict = false

    @Option(name: .customLong("backend-order"), help: "With iptables-legacy-save.txt beside iptables-save.txt: which back end's chains run first at a hook, legacy-first (the legacy tables were created last; the default) or nft-first.")
    var backendOrder: BackendOrder = .legacyFirst

    @Flag(name: .long, help: "Model the node with no listening sockets: locally delivered TCP gets a RST, UDP an ICMP port unreachable, both traced through OUTPUT.")
    var closedPorts = false

    func loadSnapshot() throws -> NodeSnapshot { try loadWorld().snapshot }

    /// The node to simulate and what is known about it. With both --snapshot and --cluster the
    /// snapshot's rules run and the cluster names what they stand for.
    func loadWorld() throws -> LoadedWorld {
        var rendered: (rendered: RenderedNode, objects: Cluster)?
        if self.rendered.isSet {
            rendered = try self.rendered.renderWithObjects()
        }
        guard snapshot != nil || rendered != nil else { throw fail("expected --snapshot DIR, or --cluster PATH --node NAME", ExitCode(64)) }
        do {
            return try LoadedWorld.assemble(snapshot: snapshot, rendered: rendered)
        } catch {
            let missing = snapshot.map { !FileManager.default.fileExists(atPath: $0) } ?? false
            throw fail("\(error)", missing ? PathsimExit.missingInput : PathsimExit.badInput)
        }
    }

    func packets() throws -> [PacketInput] {
        var sequencer = TCPSequencer()
        var inputs: [PacketInput] = []
        for (index, text) in pkt.enumerated() {
            let spec: PacketSpec
            do {
                spec = try PacketSpec.parse(text)
            } catch {
                throw fail("packet \(index + 1): \(error)", PathsimExit.badInput)
            }
            let packet = sequencer.complete(spec)
            // Packets without t= are a millisecond apart: fast, as a hand-made sequence is.
            let time = spec.timestamp ?? (inputs.last.map { $0.timestamp + 0.001 } ?? 0)
            inputs.append(spec.input(packet, timestamp: time))
        }
        return inputs
    }

    /// Reports what pathsim cannot evaluate, with file and line, before any trace.
    func reportUnsupported(_ simulator: Simulator) throws {
        let features = simulator.unsupportedFeatures
        guard !features.isEmpty else { return }
        for feature in features { FileHandleOutput.standardError("pathsim: warning: \(feature)") }
        if strict { throw fail("\(features.count) unsupported feature(s) in the rules (--strict)", PathsimExit.unsupported) }
    }

    func simulator(_ snapshot: NodeSnapshot, recordMisses: Bool = false) throws -> Simulator {
        for note in snapshot.defaultsUsed { FileHandleOutput.standardError("pathsim: note: \(note)") }
        let simulator = Simulator(ruleset: snapshot.ruleset, legacyRuleset: snapshot.legacyRuleset, ipsets: snapshot.ipsets, network: snapshot.network, sysctls: snapshot.sysctls,
                                  options: SimulatorOptions(recordMisses: recordMisses, randomSeed: seed, closedPorts: closedPorts,
                                                            legacyRunsFirst: backendOrder == .legacyFirst),
                                  conntrack: snapshot.conntrack)
        try reportUnsupported(simulator)
        return simulator
    }
}

extension CounterSupplier {
    /// The engine's counters after a run.
    static func simulated(_ simulator: Simulator, backend: Backend = .nftables) -> CounterSupplier {
        CounterSupplier(
            rule: { table, chain, index, _ in simulator.counter(table: table, chain: chain, rule: index, backend: backend) ?? .zero },
            policy: { table, chain in simulator.policyCounter(table: table, chain: chain.name, backend: backend) ?? .zero }
        )
    }
}

/// Rule text by back end and position, for the trace renderers.
func ruleTextLookup(_ snapshot: NodeSnapshot) -> (Backend, TableName, String, Int) -> String {
    { backend, table, chain, position in
        let ruleset = backend == .legacy ? snapshot.legacyRuleset : snapshot.ruleset
        guard let rules = ruleset?.table(table)?.chain(chain)?.rules, position >= 1, position <= rules.count else { return "" }
        return IptablesSavePrinter.ruleText(rules[position - 1], chain: chain)
    }
}

/// The counters in iptables-save -c form; with both back ends the legacy tables' go to
/// PATH.legacy, as `iptables-legacy-save -c` would print them.
func saveCounters(_ simulator: Simulator, to path: String) throws {
    var files = [(path, IptablesSavePrinter.print(simulator.ruleset, options: .init(ruleCounters: .all, counters: .simulated(simulator), includeComments: false)))]
    if let legacy = simulator.legacyRuleset {
        files.append((path + ".legacy", IptablesSavePrinter.print(legacy, options: .init(ruleCounters: .all, counters: .simulated(simulator, backend: .legacy), includeComments: false))))
    }
    for (file, text) in files {
        do {
            try writeAtomically(text, to: file)
        } catch {
            throw fail("cannot write \(file): \(error.localizedDescription)", PathsimExit.internalError)
        }
    }
}

/// At the same hook and priority the kernel runs the chains registered last first.
enum BackendOrder: String, ExpressibleByArgument, CaseIterable {
    case legacyFirst = "legacy-first", nftFirst = "nft-first"
}
