import Foundation
import Netfilter
import NodeSnapshot
import PacketSpec
import Testing

/// A snapshot of a node with rules in both iptables back ends.
@Suite struct MixedBackendSnapshotTests {
    let directory = packageRoot.appendingPathComponent("Fixtures/snapshots/mixed-backends").path

    @Test func theLegacyTablesLoadBesideTheNftOnesAndBothSeeThePacket() throws {
        let snapshot = try NodeSnapshot.load(directory: directory)
        let legacy = try #require(snapshot.legacyRuleset)
        #expect(legacy.tables.map(\.name) == [.mangle, .nat, .filter])
        var sim = Simulator(ruleset: snapshot.ruleset, legacyRuleset: legacy, network: snapshot.network, sysctls: snapshot.sysctls)
        var sequencer = TCPSequencer()
        let spec = try PacketSpec.parse("in=cali1f79f9e08f2 tcp 10.139.54.20:41000 > 10.139.54.158:22 flags=S")
        let trace = sim.process(spec.input(sequencer.complete(spec), timestamp: 0))
        // The legacy chains run first by default, and their DROP ends the packet.
        #expect(trace.steps.first?.backend == .legacy)
        #expect(trace.steps.last?.description == "legacy filter:FORWARD #1 drop")
        #expect(sim.counter(table: .filter, chain: "FORWARD", rule: 0, backend: .legacy)?.packets == 1)
    }

    @Test func aDumpThatMentionsLegacyTablesWithoutTheirFileSaysSo() throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("pathsim-mixed-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: directory, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try FileManager.default.removeItem(atPath: copy + "/" + NodeSnapshot.File.iptablesLegacySave)
        let snapshot = try NodeSnapshot.load(directory: copy)
        #expect(snapshot.legacyRuleset == nil)
        #expect(snapshot.defaultsUsed.contains { $0.contains("iptables-legacy-save.txt") && $0.contains("not simulated") })
    }

    @Test func aBrokenLegacyDumpNamesItsFileAndLine() throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("pathsim-mixed-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: directory, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j NOWHERE\nCOMMIT\n".write(toFile: copy + "/" + NodeSnapshot.File.iptablesLegacySave, atomically: true, encoding: .utf8)
        #expect(throws: SnapshotLoadError.self) { try NodeSnapshot.load(directory: copy) }
        do {
            _ = try NodeSnapshot.load(directory: copy)
        } catch {
            #expect("\(error)".contains("iptables-legacy-save.txt:3"), "\(error)")
        }
    }
}
