import Foundation
import KernelOracle
import Netfilter
import Testing

/// `pathsim replay` against captures the kernel itself produced.
@Suite(.serialized) struct CaptureReplayTests {
    @Test(OracleSupport.requiresKernel) func replayOfTheNodesCaptureAgreesWithTheKernel() throws {
        try OracleSupport.exclusive {
            let environment = ProcessInfo.processInfo.environment
            let randomCount = Int(environment["PATHSIM_REPLAY_RULESETS"] ?? "") ?? 40
            let oracle = try KernelOracle(localTracing: .allLocal)
            defer { oracle.shutdown() }
            let network = try DifferentialRunner.network(oracle)
            var cases = try HandcraftedCases.all()
            for seed in UInt64(1000)..<UInt64(1000 + randomCount) where KernelDifferentialTests.knownGaps[seed] == nil {
                let generated = RandomRuleset.generate(seed: seed, packetCount: 24)
                let inputs = generated.packets.enumerated().map { index, packet in
                    PacketInput(packet: packet.packet, ingress: packet.ingress, timestamp: Double(index) * 0.01)
                }
                cases.append(DifferentialCase(name: "random seed \(seed)", iptablesSave: generated.iptablesSave, ipsetSave: generated.ipsetSave, packets: inputs))
            }
            // PATHSIM_REPLAY_KEEP=DIR keeps the captures (case-N.pcap, N as in the order run).
            let kept = environment["PATHSIM_REPLAY_KEEP"]
            let directory = kept.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory.appendingPathComponent("pathsim-replay-\(getpid())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { if kept == nil { try? FileManager.default.removeItem(at: directory) } }

            var total = CaptureReplayCheck.Outcome()
            var countersCompared = 0
            var disagreements: [Disagreement] = []
            for (index, testCase) in cases.enumerated() {
                let capture = directory.appendingPathComponent("case-\(index).pcap").path
                var result = try DifferentialRunner.run(testCase, oracle: oracle, network: network, capturePath: capture)
                if !result.disagreements.isEmpty {
                    // A late trace line; the kernel-differential suites report real ones.
                    let quiet = oracle.quietSeconds
                    oracle.quietSeconds = 0.3
                    result = try DifferentialRunner.run(testCase, oracle: oracle, network: network, capturePath: capture)
                    oracle.quietSeconds = quiet
                    guard result.disagreements.isEmpty else { continue }
                }
                let outcome = try CaptureReplayCheck.check(testCase, result: result, capture: capture, network: network)
                total.frames += outcome.frames
                total.packets += outcome.packets
                total.steps += outcome.steps
                total.counters += outcome.counters
                total.notCompared += outcome.notCompared
                total.unfaithful.merge(outcome.unfaithful, uniquingKeysWith: +)
                if !outcome.countersSkipped { countersCompared += 1 }
                disagreements += outcome.disagreements
            }
            print("kernel-differential replay: \(cases.count) captures, \(total.frames) frames, \(total.packets) packets compared (\(total.steps) steps), \(total.counters) counters compared (\(countersCompared) whole cases), \(total.notCompared) packets not compared after a packet no capture can show as the kernel saw it \(total.unfaithful.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }), \(disagreements.count) disagreements")
            for disagreement in disagreements.prefix(40) { Issue.record("\(disagreement)") }
            #expect(total.packets > 0)
        }
    }
}
