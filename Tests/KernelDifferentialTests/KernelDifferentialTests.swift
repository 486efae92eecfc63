import KernelOracle
import Netfilter
import Testing

/// pathsim against the real kernel: the same rules, sets and packets, compared on every
/// step of every packet's path and on every counter.
@Suite(.serialized) struct KernelDifferentialTests {
    @Test(OracleSupport.requiresKernel) func handcraftedCasesAgreeWithTheKernel() throws {
        let oracle = try KernelOracle()
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
