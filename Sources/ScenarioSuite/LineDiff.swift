/// A line diff by longest common subsequence: small inputs (paths of tens of steps), so the
/// quadratic table is fine and the output is the minimal one a reader expects.
public enum LineDiff {
    public enum Line: Hashable, Sendable {
        case same(String), removed(String), added(String)

        /// The line as diff -u marks it: `- `, `+ ` or two spaces.
        public var marked: String {
            switch self {
            case .same(let text): return "  " + text
            case .removed(let text): return "- " + text
            case .added(let text): return "+ " + text
            }
        }
    }

    public static func diff(_ old: [String], _ new: [String]) -> [Line] {
        let n = old.count, m = new.count
        var table = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                table[i][j] = old[i] == new[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var lines: [Line] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, old[i] == new[j] {
                lines.append(.same(old[i])); i += 1; j += 1
            } else if i < n, j == m || table[i + 1][j] >= table[i][j + 1] {
                lines.append(.removed(old[i])); i += 1
            } else {
                lines.append(.added(new[j])); j += 1
            }
        }
        return lines
    }

    /// The diff as marked lines.
    public static func lines(_ old: [String], _ new: [String]) -> [String] { diff(old, new).map(\.marked) }

    /// Whether `wanted` appears in `lines` in order, not necessarily adjacent.
    static func isSubsequence(_ wanted: [String], of lines: [String]) -> Bool {
        var remaining = wanted[...]
        for line in lines where remaining.first == line { remaining = remaining.dropFirst() }
        return remaining.isEmpty
    }
}
