import Foundation
import KernelOracle
import Netfilter
import Testing

/// pathsim against the real kernel: the same rules, sets and packets, compared on every
/// step of every packet's path and on every counter.
@Suite(.serialized) struct KernelDifferentialTests {
    @Test(OracleSupport.requiresKernel) func handcraftedCasesAgreeWithTheKernel() throws {
        try OracleSupport.exclusive {
            let oracle = try KernelOracle(localTracing: .allLocal)
            defer { oracle.shutdown() }
            let network = try DifferentialRunner.network(oracle)
            var total = DifferentialResult()
            for testCase in try HandcraftedCases.all() {
                let result = try DifferentialRunner.run(testCase, oracle: oracle, network: network)
                total.packets += result.packets
                total.steps += result.steps
                total.counters += result.counters
                total.disagreements += result.disagreements
            }
            print("kernel-differential handcrafted: \(total.packets) packets, \(total.steps) steps, \(total.counters) counters compared, \(total.disagreements.count) disagreements")
            for disagreement in total.disagreements { Issue.record("\(disagreement)") }
        }
    }

    /// Seeded random rulesets over every supported match and target, each with a packet
    /// sequence that exercises conntrack; `PATHSIM_RANDOM_RULESETS` changes how many.
    @Test(OracleSupport.requiresKernel) func randomRulesetsAgreeWithTheKernel() throws {
        try OracleSupport.exclusive {
            let count = Int(ProcessInfo.processInfo.environment["PATHSIM_RANDOM_RULESETS"] ?? "") ?? 200
            let firstSeed = UInt64(ProcessInfo.processInfo.environment["PATHSIM_RANDOM_FIRST_SEED"] ?? "") ?? 1000
            let oracle = try KernelOracle(localTracing: .allLocal)
            defer { oracle.shutdown() }
            let network = try DifferentialRunner.network(oracle)
            var total = DifferentialResult()
            var failedSeeds: [UInt64] = []
            // PATHSIM_RANDOM_SEEDS=1,2,3 re-runs chosen seeds (for example the ones a run reported).
        let chosen = ProcessInfo.processInfo.environment["PATHSIM_RANDOM_SEEDS"].map { $0.split(separator: ",").compactMap { UInt64($0) } }
        let seeds = chosen ?? Array(firstSeed..<(firstSeed + UInt64(count)))
        for seed in seeds {
                let generated = RandomRuleset.generate(seed: seed, packetCount: 24)
                if ProcessInfo.processInfo.environment["PATHSIM_RANDOM_DUMP"] != nil {
                    print("seed \(seed):\n\(generated.iptablesSave)\n\(generated.ipsetSave)")
                for (index, packet) in generated.packets.enumerated() { print("packet \(index + 1): \(packet)") }
                }
                let inputs = generated.packets.enumerated().map { index, packet in
                    PacketInput(packet: packet.packet, ingress: packet.ingress, timestamp: Double(index) * 0.01)
                }
                let testCase = DifferentialCase(name: "random seed \(seed)", iptablesSave: generated.iptablesSave, ipsetSave: generated.ipsetSave, packets: inputs)
                let result = try DifferentialRunner.run(testCase, oracle: oracle, network: network)
                total.packets += result.packets
                total.steps += result.steps
                total.counters += result.counters
                if !result.disagreements.isEmpty { failedSeeds.append(seed) }
                total.disagreements += result.disagreements
            }
            print("kernel-differential random: \(seeds.count) rulesets, \(total.packets) packets, \(total.steps) steps, \(total.counters) counters compared, \(total.disagreements.count) disagreements\(failedSeeds.isEmpty ? "" : " (seeds \(failedSeeds))")")
            for disagreement in total.disagreements.prefix(40) { Issue.record("\(disagreement)") }
        }
    }
}
