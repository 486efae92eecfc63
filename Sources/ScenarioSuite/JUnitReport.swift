import Foundation

/// JUnit XML as CI systems read it: `testsuites` > `testsuite` (one per scenario file) >
/// `testcase`, with a `failure` whose message is the first mismatch and whose text is the
/// whole diff. Checked against Fixtures/junit/junit.xsd.
public enum JUnitReport {
    public static func xml(_ results: [CaseResult], seconds: Double) -> String {
        var suites: [(file: String, name: String, results: [CaseResult])] = []
        for result in results {
            if let index = suites.firstIndex(where: { $0.file == result.file }) {
                suites[index].results.append(result)
            } else {
                suites.append((result.file, result.suite, [result]))
            }
        }
        let failures = results.filter { !$0.passed }.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"pathsim\" tests=\"\(results.count)\" failures=\"\(failures)\" errors=\"0\" time=\"\(time(seconds))\">\n"
        for suite in suites {
            let suiteFailures = suite.results.filter { !$0.passed }.count
            let suiteTime = suite.results.reduce(0) { $0 + $1.seconds }
            // The file goes on the suite only: the strictest common schema (Jenkins' junit-10)
            // allows no file or line on a testcase; a failure's text names the case's line.
            out += "  <testsuite name=\"\(escape(suite.name))\" file=\"\(escape(suite.file))\" tests=\"\(suite.results.count)\" failures=\"\(suiteFailures)\" errors=\"0\" skipped=\"0\" time=\"\(time(suiteTime))\">\n"
            for result in suite.results {
                let open = "    <testcase name=\"\(escape(result.caseName))\" classname=\"\(escape(suite.name))\" time=\"\(time(result.seconds))\""
                guard let first = result.mismatches.first else {
                    out += open + "/>\n"
                    continue
                }
                let message = "\(first.title): expected \(first.expected.joined(separator: ", ")), got \(first.actual.joined(separator: ", "))"
                out += open + ">\n"
                out += "      <failure message=\"\(escape(message))\" type=\"ScenarioMismatch\">\(escape(ScenarioReport.failureDetail(result, indent: "")))</failure>\n"
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    static func time(_ seconds: Double) -> String { String(format: "%.3f", seconds) }

    /// XML text and attribute escaping; characters XML 1.0 cannot hold become U+FFFD.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            case "\t", "\r": out.unicodeScalars.append(scalar)
            default:
                out.unicodeScalars.append(scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF ? "\u{FFFD}" : scalar)
            }
        }
        return out
    }
}
