import Foundation
import ScenarioKernel
import ScenarioSuite
import Testing

// Every shipped scenario suite (Scenarios/) on the real kernel, as `pathsim test --kernel` runs
// it: each world's node built in namespaces from its snapshot, its rules loaded, each case's
// packets injected and the kernel's trace compared with pathsim's steps and verdict. No case
// may differ; skipped cases are printed with their reasons.
@Suite("Scenario suites on the kernel", .serialized)
struct ScenarioKernelTests {
    static var scenariosDirectory: String {
        let here = URL(fileURLWithPath: #filePath)
        return here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scenarios").path
    }

    @Test("Every shipped scenario case agrees with the kernel", OracleSupport.requiresKernel)
    func shippedScenariosAgreeWithKernel() throws {
        let files = try ScenarioRunner.load(ScenarioRunner.discover([Self.scenariosDirectory]))
        #expect(!files.isEmpty)
        let results = try OracleSupport.exclusive { try ScenarioKernelRunner.run(files) }
        #expect(results.count == files.reduce(0) { $0 + $1.cases.count })
        print("ScenarioKernelTests: " + KernelReport.summary(results))
        for result in results {
            if let reason = result.skipReason { print("ScenarioKernelTests: skipped \(result.suite) › \(result.caseName): \(reason)") }
        }
        for result in results {
            if case .differs(let difference) = result.status {
                Issue.record("\(KernelReport.line(result))\n\(KernelReport.detail(difference))\n  kernel trace:\n    \(difference.kernelTrace.joined(separator: "\n    "))")
            }
        }
        #expect(results.filter(\.agrees).count > 0)
    }
}
