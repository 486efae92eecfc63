import Netfilter

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
        lines += diff(difference.pathsimSteps.map(\.description), difference.kernelSteps.map(\.description)).map { "  " + $0 }
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

    /// A line diff by longest common subsequence (traces are short).
    static func diff(_ old: [String], _ new: [String]) -> [String] {
        let n = old.count, m = new.count
        var table = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                table[i][j] = old[i] == new[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var result: [String] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, old[i] == new[j] {
                result.append("  " + old[i]); i += 1; j += 1
            } else if j < m, i == n || table[i][j + 1] >= table[i + 1][j] {
                result.append("+ " + new[j]); j += 1
            } else {
                result.append("- " + old[i]); i += 1
            }
        }
        return result
    }
}
