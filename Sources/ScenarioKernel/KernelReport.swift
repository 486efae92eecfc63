import Netfilter
import ScenarioSuite

/// The human report of a kernel run: a line per case, the first differing packet of a case
/// that differs, and a summary.
public enum KernelReport {
    public static func line(_ result: KernelCaseResult) -> String {
        let name = "\(result.suite) › \(result.caseName)"
        switch result.status {
        case .agrees: return "KERNEL AGREES \(name)"
        case .differs: return "KERNEL DIFFERS \(name)"
        case .skipped(let reason): return "KERNEL SKIPPED \(name) (\(reason))"
        }
    }

    /// pathsim's steps as `-` lines, the kernel's as `+` lines, common ones with a space.
    public static func detail(_ difference: PacketDifference) -> String {
        var lines = ["  packet \(difference.number): \(difference.spec)"]
        if difference.pathsimAccepted != difference.kernelAccepted {
            lines.append("  - verdict \(verdict(difference.pathsimAccepted)) (pathsim)")
            lines.append("  + verdict \(verdict(difference.kernelAccepted)) (kernel)")
        }
        lines += LineDiff.lines(difference.pathsimSteps.map(\.description), difference.kernelSteps.map(\.description)).map { "  " + $0 }
        return lines.joined(separator: "\n")
    }

    public static func summary(_ results: [KernelCaseResult]) -> String {
        let agree = results.filter(\.agrees).count
        let differ = results.filter(\.differs).count
        let skipped = results.count - agree - differ
        let packets = results.reduce(0) { $0 + $1.packets }
        let steps = results.reduce(0) { $0 + $1.steps }
        return "kernel: \(results.count) cases: \(agree) agree, \(differ) differ, \(skipped) skipped; \(packets) packets, \(steps) kernel steps compared"
    }

    static func verdict(_ accepted: Bool) -> String { accepted ? "accepted" : "dropped" }
}
