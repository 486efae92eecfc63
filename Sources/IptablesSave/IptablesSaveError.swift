/// A load error in an iptables-save, iptables-restore or ipset file.
///
/// It names the file and line, quotes the offending text and says what would have been
/// accepted, because the person reading it usually has to fix a dump by hand.
public struct IptablesSaveError: Error, CustomStringConvertible, Hashable, Sendable {
    public var file: String
    /// 1-based; 0 when the problem is not tied to one line.
    public var line: Int
    /// The offending line (or token when there is no line).
    public var text: String
    /// What is wrong, e.g. `unknown table "foo"`.
    public var problem: String
    /// What would have been accepted, if that can be said briefly.
    public var expected: String?

    public init(file: String, line: Int, text: String, problem: String, expected: String? = nil) {
        self.file = file
        self.line = line
        self.text = text
        self.problem = problem
        self.expected = expected
    }

    /// The problem and expectation together, without the location.
    public var message: String {
        if let expected { return "\(problem): expected \(expected)" }
        return problem
    }

    public var description: String {
        var result = "\(file):\(line): \(problem)"
        if !text.isEmpty { result += " in \"\(text)\"" }
        if let expected { result += ": expected \(expected)" }
        return result
    }
}
