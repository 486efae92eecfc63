import Foundation
import IptablesSave
import KernelOracle
import Netfilter
import NodeSnapshot
import PacketSpec

/// One differential case: rules, sets and a packet sequence, run through the kernel and
/// through pathsim, compared step by step and counter by counter.
struct DifferentialCase {
    var name: String
    var iptablesSave: String
    var ipsetSave: String
    var packets: [PacketInput]
    /// iptables-legacy tables loaded beside the nf_tables ones (`iptables-legacy-restore`),
    /// before them (so the nf_tables chains, registered later, run first) or after.
    var legacySave: String?
    var legacyLoadedFirst = false
}

/// What disagreed, in words a failing test can print.
struct Disagreement: CustomStringConvertible {
    var caseName: String
    var detail: String
    var description: String { "\(caseName): \(detail)" }
}

struct DifferentialResult {
    var packets = 0
    var steps = 0
    var counters = 0
    /// Conntrack entries compared with the kernel's `conntrack -L`.
    var conntrackEntries = 0
    var disagreements: [Disagreement] = []
    /// Each packet as sent: what a capture replay of the case is checked against.
    var sends: [SentPacket] = []
    var kernelCounters: Ruleset?
}

/// One packet of a case: when it was sent (wall clock, as capture timestamps are), the
/// kernel's trace and pathsim's.
struct SentPacket {
    var start: Double
    var end: Double
    var kernel: KernelPacketResult
    var trace: PacketTrace
}

enum DifferentialRunner {
    /// The oracle node's network as pathsim sees it, loaded from the JSON the oracle captured.
    static func network(_ oracle: KernelOracle) throws -> NodeNetwork {
        let text = oracle.snapshot
        var interfaces = try IPJSON.addresses(text.addresses, file: "oracle ip-addr.json")
        for link in try IPJSON.links(text.links, file: "oracle ip-link.json") where !interfaces.contains(where: { $0.name == link.name }) {
            interfaces.append(link)
        }
        return NodeNetwork(interfaces: interfaces, routes: try IPJSON.routes(text.routes, file: "oracle ip-route.json"))
    }

    /// Packet specs in the `--pkt` grammar, completed as `pathsim trace` completes them.
    static func packets(_ specs: [String]) throws -> [PacketInput] {
        var sequencer = TCPSequencer()
        return try specs.enumerated().map { index, text in
            let spec = try PacketSpec.parse(text)
            return spec.input(sequencer.complete(spec), timestamp: Double(index) * 0.01)
        }
    }

    /// With `capturePath`, the node's traffic during the sends is captured there (LINUX_SLL2).
    static func run(_ testCase: DifferentialCase, oracle: KernelOracle, network: NodeNetwork, capturePath: String? = nil) throws -> DifferentialResult {
        var result = DifferentialResult()
        func disagree(_ detail: String) { result.disagreements.append(Disagreement(caseName: testCase.name, detail: detail)) }

        func loadLegacy() throws {
            guard let legacySave = testCase.legacySave else { return }
            let loaded = try oracle.runInNode(["iptables-legacy-restore"], stdin: legacySave)
            guard loaded.status == 0 else { throw KernelOracleError("iptables-legacy-restore: \(loaded.stderr)") }
        }
        if testCase.legacyLoadedFirst { try loadLegacy() }
        try oracle.load(iptablesSave: testCase.iptablesSave, ipsetSave: testCase.ipsetSave)
        if !testCase.legacyLoadedFirst { try loadLegacy() }
        let caseStart = Date().timeIntervalSince1970
        let capture = try capturePath.map { try oracle.startCapture(to: $0) }
        let ruleset = try IptablesSaveParser.parse(testCase.iptablesSave, file: "\(testCase.name).rules")
        let sets = testCase.ipsetSave.isEmpty ? [] : try IPSetSaveParser.parse(testCase.ipsetSave, file: "\(testCase.name).ipset")
        var sysctls = Sysctls()
        sysctls.ipForward = true
        // With `.allLocal` every packet the node sends is traced, its stack's answers from
        // closed ports included, which pathsim models with `closedPorts`.
        // With `.conntrackRelated` the oracle's own tracing table uses a `ct` expression,
        // which registers conntrack in the namespace whatever the iptables rules say.
        let legacyRuleset = try testCase.legacySave.map { try IptablesSaveParser.parse($0, file: "\(testCase.name).legacy.rules") }
        var simulator = Simulator(ruleset: ruleset, legacyRuleset: legacyRuleset, ipsets: sets, network: network, sysctls: sysctls,
                                  options: SimulatorOptions(conntrackAlwaysOn: oracle.localTracing == .conntrackRelated,
                                                           closedPorts: oracle.localTracing == .allLocal,
                                                           legacyRunsFirst: !testCase.legacyLoadedFirst))

        for (index, input) in testCase.packets.enumerated() {
            // pathsim first: it completes TCP numbers from the connection, and the kernel
            // must see the very same packet.
            let trace = simulator.process(input)
            let packet = trace.input.packet
            let start = Date().timeIntervalSince1970
            let kernel = try oracle.send(packet, from: input.ingress)
            result.sends.append(SentPacket(start: start, end: Date().timeIntervalSince1970, kernel: kernel, trace: trace))
            let kernelSteps = kernel.steps + kernel.otherSteps.flatMap { $0 }
            // nft monitor trace shows only nf_tables chains; the legacy ones are checked by counters.
            let pathsimSteps = trace.withGenerated.flatMap(\.steps).filter { $0.backend == .nftables }
            result.packets += 1
            result.steps += kernelSteps.count
            if kernelSteps != pathsimSteps {
                disagree("""
                packet \(index + 1) \(describe(input)):
                  kernel:  \(kernelSteps.map(\.description).joined(separator: " | "))
                  pathsim: \(pathsimSteps.map(\.description).joined(separator: " | "))
                  kernel trace:
                    \(kernel.rawLines.joined(separator: "\n    "))
                """)
            }
        }

        capture?.stop()
        let kernelCounters = try IptablesSaveParser.parse(try oracle.counters(), file: "kernel iptables-save -c")
        result.kernelCounters = kernelCounters
        let (compared, differences) = compareCounters(kernelCounters, with: simulator, side: "pathsim")
        result.counters += compared
        differences.forEach(disagree)
        if testCase.legacySave != nil {
            let saved = try oracle.runInNode(["iptables-legacy-save", "-c"])
            let legacyCounters = try IptablesSaveParser.parse(saved.stdout, file: "kernel iptables-legacy-save -c")
            let (legacyCompared, legacyDifferences) = compareCounters(legacyCounters, with: simulator, side: "pathsim", backend: .legacy)
            result.counters += legacyCompared
            legacyDifferences.map { "legacy " + $0 }.forEach(disagree)
        }

        let kernelTable = try ConntrackListFile.parse(try oracle.conntrackList(), file: "kernel conntrack -L")
        // The kernel's timeouts run on the wall clock, pathsim's on the packets' timestamps.
        let slack = (Date().timeIntervalSince1970 - caseStart).rounded(.up) + 1
        let (entries, tableDifferences) = compareConntrack(kernelTable, with: simulator, slack: slack)
        result.conntrackEntries += entries
        tableDifferences.forEach(disagree)
        return result
    }

    /// The kernel's `conntrack -L` against the engine's table: tuples, TCP state, flags and
    /// mark exactly, seconds left within `slack`. One thing is not compared: a NAT port the
    /// kernel draws at random (`get_random_u16` in `nf_nat_l4proto_unique_tuple`), which
    /// pathsim marks `randomPort` on its entry.
    static func compareConntrack(_ kernel: [ConntrackEntry], with simulator: Simulator, slack: Double) -> (Int, [String]) {
        var ours = Dictionary(simulator.conntrack.sortedEntries.map { ($0.original, $0) }, uniquingKeysWith: { a, _ in a })
        var differences: [String] = []
        for theirs in kernel {
            let kernelLine = theirs.conntrackLine(now: 0)
            guard let mine = ours.removeValue(forKey: theirs.original) else {
                differences.append("conntrack: kernel has \(kernelLine), pathsim has no such entry")
                continue
            }
            let left = mine.expires - simulator.clock
            let sameFlags = theirs.status.intersection([.seenReply, .assured]) == mine.status.intersection([.seenReply, .assured])
            if !sameReply(theirs, mine) || theirs.tcpState != mine.tcpState || theirs.mark != mine.mark || !sameFlags
                || theirs.expires > left + 1 || theirs.expires < left - slack {
                differences.append("conntrack: kernel \(kernelLine)\n             pathsim \(mine.conntrackLine(now: simulator.clock))")
            }
        }
        for mine in ours.values.sorted(by: { $0.id < $1.id }) {
            differences.append("conntrack: pathsim has \(mine.conntrackLine(now: simulator.clock)), the kernel has no such entry")
        }
        return (kernel.count, differences)
    }

    static func sameReply(_ kernel: ConntrackEntry, _ ours: ConntrackEntry) -> Bool {
        if kernel.reply == ours.reply { return true }
        guard ours.nat.contains(.randomPort) else { return false }
        var a = kernel.reply, b = ours.reply
        a.destinationPort = 0
        b.destinationPort = 0
        if ours.proto == IPProtocolNumber.icmp {
            a.sourcePort = 0
            b.sourcePort = 0
        }
        return a == b
    }

    /// Every rule and policy counter of the kernel's `iptables-save -c` against the engine's:
    /// how many were compared, and the ones that differ.
    static func compareCounters(_ kernel: Ruleset, with simulator: Simulator, side: String, backend: Backend = .nftables) -> (Int, [String]) {
        var compared = 0
        var differences: [String] = []
        for table in kernel.tables {
            for chain in table.chains {
                if chain.isBuiltin {
                    compared += 1
                    let ours = simulator.policyCounter(table: table.name, chain: chain.name, backend: backend) ?? .zero
                    if ours != chain.policyCounter {
                        differences.append("policy counter \(table.name.rawValue):\(chain.name): kernel [\(chain.policyCounter.packets):\(chain.policyCounter.bytes)], \(side) [\(ours.packets):\(ours.bytes)]")
                    }
                }
                for (position, rule) in chain.rules.enumerated() {
                    compared += 1
                    let theirs = rule.counters ?? .zero
                    let ours = simulator.counter(table: table.name, chain: chain.name, rule: position, backend: backend) ?? .zero
                    if ours != theirs {
                        differences.append("counter \(table.name.rawValue):\(chain.name) #\(position + 1): kernel [\(theirs.packets):\(theirs.bytes)], \(side) [\(ours.packets):\(ours.bytes)]: \(IptablesSavePrinter.ruleText(rule, chain: chain.name))")
                    }
                }
            }
        }
        return (compared, differences)
    }

    static func describe(_ input: PacketInput) -> String {
        let p = input.packet
        let origin: String
        switch input.ingress {
        case .interface(let name): origin = "in=\(name)"
        case .local: origin = "local"
        }
        var text = "\(origin) \(IPProtocolNumber.name(p.proto)) \(p.source):\(p.sourcePort) > \(p.destination):\(p.destinationPort)"
        if p.proto == IPProtocolNumber.tcp { text += " flags=\(p.tcpFlags.tcpdumpLetters)" }
        if p.proto == IPProtocolNumber.icmp { text += " type=\(p.icmpType) id=\(p.icmpID)" }
        if p.mark != 0 { text += " mark=0x\(String(p.mark, radix: 16))" }
        return text
    }
}
