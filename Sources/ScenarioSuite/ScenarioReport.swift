import Foundation
import TraceFormat

/// How `pathsim test` shows results: a line per case, a readable diff for a failure, JSON.
public enum ScenarioReport {
    public static func line(_ result: CaseResult) -> String {
        (result.passed ? "PASS " : "FAIL ") + "\(result.suite) › \(result.caseName)"
    }

    /// The failure in detail: each mismatch with its line in the scenario file, lists as a
    /// diff (`-` expected, `+` actual), and the explanation of each packet concerned.
    public static func failureDetail(_ result: CaseResult, indent: String = "    ") -> String {
        var out: [String] = ["\(indent)at \(result.file):\(result.line)"]
        for mismatch in result.mismatches {
            let head = "\(indent)\(mismatch.title) (line \(mismatch.line))"
            switch mismatch.style {
            case .value:
                out.append("\(head): expected \(mismatch.expected.joined(separator: ", ")), got \(mismatch.actual.joined(separator: "; "))")
            case .exactList:
                out.append("\(head): - expected, + actual")
                for line in LineDiff.lines(mismatch.expected, mismatch.actual) { out.append(indent + "  " + line) }
            case .containedList:
                out.append("\(head): - missing (expected in this order), the actual lines around them")
                for line in LineDiff.diff(mismatch.expected, mismatch.actual) {
                    if case .added(let text) = line { out.append(indent + "    " + text) } else { out.append(indent + "  " + line.marked) }
                }
            case .words:
                out.append("\(head): missing \(mismatch.expected.map { "\"\($0)\"" }.joined(separator: ", ")) in the explanation")
            }
        }
        var explained: Set<Int> = []
        for number in result.mismatches.compactMap(\.packet) where explained.insert(number).inserted {
            guard let packet = result.outcome.packet(number) else { continue }
            out.append("\(indent)packet \(number): \(packet.spec)")
            out.append("\(indent)  \(packet.explanation.verdict): \(packet.explanation.summary)")
        }
        for note in result.outcome.notes { out.append("\(indent)note: \(note)") }
        return out.joined(separator: "\n")
    }

    public static func summary(_ results: [CaseResult], seconds: Double) -> String {
        let failed = results.filter { !$0.passed }.count
        let suites = Set(results.map(\.file)).count
        return "\(results.count) case\(results.count == 1 ? "" : "s") in \(suites) suite\(suites == 1 ? "" : "s"): \(results.count - failed) passed, \(failed) failed"
            + String(format: " (%.2fs)", seconds)
    }

    /// One JSON object per case: its status, every mismatch, and each packet's verdict, cause,
    /// path and explanation summary.
    public static func json(_ result: CaseResult) -> String {
        let mismatches = result.mismatches.map { mismatch in
            JSONValue.object([
                ("line", .int(mismatch.line)), ("packet", mismatch.packet.map(JSONValue.int) ?? .null), ("what", .string(mismatch.what)),
                ("expected", .array(mismatch.expected.map(JSONValue.string))), ("actual", .array(mismatch.actual.map(JSONValue.string))),
            ])
        }
        let packets = result.outcome.packets.map { packet in
            JSONValue.object([
                ("packet", .int(packet.number)), ("spec", .string(packet.spec)), ("verdict", .string(packet.explanation.verdict)),
                ("cause", .string(packet.explanation.cause.rawValue)), ("path", .array(packet.path.map { .string($0.description) })),
                ("summary", .string(packet.explanation.summary)),
            ])
        }
        return JSONValue.object([
            ("suite", .string(result.suite)), ("case", .string(result.caseName)), ("file", .string(result.file)), ("line", .int(result.line)),
            ("status", .string(result.passed ? "pass" : "fail")), ("time", .string(String(format: "%.3f", result.seconds))),
            ("mismatches", .array(mismatches)), ("packets", .array(packets)), ("notes", .array(result.outcome.notes.map(JSONValue.string))),
        ]).rendered
    }

    public static func jsonSummary(_ results: [CaseResult], seconds: Double) -> String {
        let failed = results.filter { !$0.passed }.count
        return JSONValue.object([("summary", .object([
            ("cases", .int(results.count)), ("passed", .int(results.count - failed)), ("failed", .int(failed)),
            ("suites", .int(Set(results.map(\.file)).count)), ("time", .string(String(format: "%.3f", seconds))),
        ]))]).rendered
    }
}
