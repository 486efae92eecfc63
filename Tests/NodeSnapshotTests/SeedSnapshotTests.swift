import Foundation
import IptablesSave
import Netfilter
import NodeSnapshot
import PacketSpec
import Testing
import TraceFormat

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let seedDirectory = packageRoot.appendingPathComponent("Fixtures/snapshots/calico-2.6-web-deny-all").path

/// The seed article's node: Calico 2.6 with the web-deny-all NetworkPolicy on the web pod.
@Suite struct SeedSnapshotTests {
    func runSeed(_ count: Int) throws -> (Simulator, [PacketTrace], NodeSnapshot) {
        let snapshot = try NodeSnapshot.load(directory: seedDirectory)
        var simulator = Simulator(ruleset: snapshot.ruleset, ipsets: snapshot.ipsets, network: snapshot.network, sysctls: snapshot.sysctls)
        var sequencer = TCPSequencer()
        var traces: [PacketTrace] = []
        for index in 0..<count {
            let spec = try PacketSpec.parse("in=cali1f79f9e08f2 tcp 10.139.54.20:41000 > 10.139.54.158:80 flags=S len=60 t=\(index)")
            traces.append(simulator.process(spec.input(sequencer.complete(spec), timestamp: Double(index))))
        }
        return (simulator, traces, snapshot)
    }

    @Test func threeSynsEndAtDropIfNoPoliciesPassedPacket() throws {
        let (simulator, traces, snapshot) = try runSeed(3)
        #expect(snapshot.defaultsUsed.isEmpty)
        #expect(simulator.unsupportedFeatures.isEmpty)
        for trace in traces {
            #expect(trace.fate == .droppedByRule(TraceStep(table: .filter, chain: "cali-tw-cali96bc57f337a", rule: 7, verdict: .drop)))
        }
        #expect(simulator.counter(table: .filter, chain: "cali-tw-cali96bc57f337a", rule: 6) == Counter(packets: 3, bytes: 180))
        let listing = IptablesListPrinter.list(snapshot.ruleset.table(.filter)!, chain: "cali-tw-cali96bc57f337a", counters: CounterSupplier(
            rule: { table, chain, index, _ in simulator.counter(table: table, chain: chain, rule: index) ?? .zero },
            policy: { table, chain in simulator.policyCounter(table: table, chain: chain.name) ?? .zero }))
        let dropLine = try #require(listing.split(separator: "\n").first { $0.contains("Drop if no policies passed packet") })
        #expect(dropLine.hasPrefix("       3      180 DROP"))
    }

    /// The JSON contract of `pathsim trace --format json`, pinned by a golden file.
    @Test func firstSynTraceMatchesGolden() throws {
        let (_, traces, _) = try runSeed(1)
        let rendered = TraceJSON.object(traces[0], index: 1).rendered + "\n"
        let golden = packageRoot.appendingPathComponent("Fixtures/golden/seed-web-deny-all-syn.jsonl")
        if ProcessInfo.processInfo.environment["PATHSIM_RECORD_GOLDEN"] != nil {
            try rendered.write(to: golden, atomically: true, encoding: .utf8)
            Issue.record("recorded \(golden.path); run again without PATHSIM_RECORD_GOLDEN")
            return
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(rendered == expected)
    }
}
