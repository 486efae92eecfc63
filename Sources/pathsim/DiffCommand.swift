import ArgumentParser
import Explain
import Foundation
import Netfilter
import Replay
import TraceFormat
import WhatIf

enum DiffOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case human, json
}

/// What-if: the same packets through the node before and after a change.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Run the same packets (or a capture) through two worlds, before and after a change, and list the flows whose verdict or deciding policy changes.",
        discussion: """
        The before world is given as for trace (--snapshot and/or --cluster); the after world by --after-snapshot \
        and/or --after-cluster (rendered for the same --node and --felix-version). For each flow a change starts \
        dropping, the report says whether connections already open when the change lands are kept (conntrack \
        still lets their packets through) or cut: the after world is run again with the before world's conntrack table.
        Example: pathsim diff --cluster before.yaml --after-cluster after.yaml --node node-1 --pkt '...' --pkt '...'
        """
    )

    @OptionGroup var world: WorldOptions

    @Option(name: .customLong("after-snapshot"), help: "The node snapshot after the change.")
    var afterSnapshot: String?

    @Option(name: .customLong("after-cluster"), help: ArgumentHelp("Cluster objects after the change (YAML files or directories); repeatable.", valueName: "path"))
    var afterCluster: [String] = []

    @Option(name: .long, help: "Take the packets from this capture (pcap or pcapng) instead of --pkt.")
    var pcap: String?

    @Option(name: .long, help: "The interface every frame of --pcap was captured on (for captures that do not record it).")
    var iface: String?

    @Option(name: .long, help: "human or json.")
    var format: DiffOutputFormat = .human

    mutating func run() throws {
        guard afterSnapshot != nil || !afterCluster.isEmpty else { throw fail("diff needs the world after the change: --after-snapshot DIR or --after-cluster PATH", ExitCode(64)) }
        var afterWorld = world
        afterWorld.snapshot = afterSnapshot
        if !afterCluster.isEmpty { afterWorld.rendered.cluster = afterCluster }
        let before = try world.loadWorld()
        let after = try afterWorld.loadWorld()
        let beforeSimulator = try world.simulator(before.snapshot, recordMisses: true)
        let afterSimulator = try afterWorld.simulator(after.snapshot, recordMisses: true)
        let inputs = try pcap.map { try Self.captureInputs($0, iface: iface, simulator: beforeSimulator) } ?? world.packets()
        guard !inputs.isEmpty else { throw fail("diff needs packets: --pkt or --pcap", ExitCode.validationFailure) }
        let afterSnapshotLoaded = after.snapshot
        let options = afterSimulator.options
        var whatIf = WhatIf(before: beforeSimulator, after: afterSimulator,
                            beforeExplainer: Explainer(context: before.explainContext()), afterExplainer: Explainer(context: after.explainContext()),
                            afterWithConnections: { connections in
                                Simulator(ruleset: afterSnapshotLoaded.ruleset, legacyRuleset: afterSnapshotLoaded.legacyRuleset, ipsets: afterSnapshotLoaded.ipsets,
                                          network: afterSnapshotLoaded.network, sysctls: afterSnapshotLoaded.sysctls, options: options, conntrack: connections)
                            })
        let report = whatIf.compare(inputs)
        switch format {
        case .json: print(Self.json(report))
        case .human: print(Self.human(report))
        }
    }

    /// The packets of a capture, as the before world's replay reads them.
    static func captureInputs(_ path: String, iface: String?, simulator: Simulator) throws -> [PacketInput] {
        guard FileManager.default.fileExists(atPath: path) else { throw fail("\(path): no such file", PathsimExit.missingInput) }
        do {
            return try CaptureReplayer.packetInputs(path: path, interface: iface, simulator: simulator)
        } catch {
            throw fail("\(path): \(error)", PathsimExit.badInput)
        }
    }

    static func human(_ report: WhatIfReport) -> String {
        var lines = ["\(report.flows) flow\(report.flows == 1 ? "" : "s"), \(report.packets) packet\(report.packets == 1 ? "" : "s"): \(report.changed.count) changed, \(report.flows - report.changed.count) unchanged"]
        for (kind, count) in report.counts.sorted(by: { $0.key < $1.key }) { lines.append("  \(kind): \(count)") }
        for change in report.changed {
            lines.append("")
            lines.append("\(change.flow) (\(change.packets) packet\(change.packets == 1 ? "" : "s")): \(change.before.verdict) → \(change.after.verdict)")
            lines.append("  before: \(change.before.summary)")
            lines.append("  after:  \(change.after.summary)")
            if let established = change.establishedConnections {
                lines.append(established == "kept"
                             ? "  connections open when the change lands are kept: conntrack still accepts their packets (new ones are dropped)"
                             : "  connections open when the change lands are cut too")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ report: WhatIfReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(report)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
