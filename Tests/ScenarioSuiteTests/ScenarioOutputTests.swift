import Foundation
import ScenarioSuite
import Testing

/// `--junit` reports validate against the JUnit schema, and `--update` repairs what it rewrites.
@Suite struct ScenarioOutputTests {
    static var xmllint: String? {
        ["/usr/bin/xmllint", "/usr/local/bin/xmllint", "/opt/homebrew/bin/xmllint"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Without xmllint the check is skipped on a developer machine, and fails in CI, where
    /// Tests/setup-machine.sh installs it.
    @Test(.enabled(if: xmllint != nil || ProcessInfo.processInfo.environment["CI"] != nil, "xmllint missing (Tests/setup-machine.sh installs libxml2-utils)"))
    func junitReportValidatesAgainstTheSchema() throws {
        let xmllint = try #require(Self.xmllint, "xmllint is required in CI: run Tests/setup-machine.sh")
        let files = try ScenarioRunner.load([rootPath("Fixtures/scenarios-broken/wrong-expectations.yaml"), rootPath("Scenarios/icmp.yaml")])
        let results = try ScenarioRunner.run(files)
        let xml = JUnitReport.xml(results, seconds: 1.5)
        #expect(xml.contains("<testsuites name=\"pathsim\" tests=\"7\" failures=\"1\" errors=\"0\" time=\"1.500\">"))
        #expect(xml.contains("<failure message=\"packet 1 verdict: expected accepted, got dropped\" type=\"ScenarioMismatch\">"))
        #expect(xml.contains("<testsuite name=\"icmp\" file=\"\(rootPath("Scenarios/icmp.yaml"))\" tests=\"5\" failures=\"0\" errors=\"0\""))
        #expect(!xml.contains(" line=\""), "Jenkins' junit-10 schema allows no line on a testcase")
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = directory.appendingPathComponent("junit.xml")
        try xml.write(to: report, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: xmllint)
        process.arguments = ["--noout", "--schema", rootPath("Fixtures/junit/junit.xsd"), report.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(message)")
    }

    @Test func xmlEscapesWhatItMust() throws {
        var result = try #require(try ScenarioRunner.run(ScenarioRunner.load([rootPath("Scenarios/icmp.yaml")])).first)
        result.caseName = "a <case> & \"quotes\"\u{1}"
        let xml = JUnitReport.xml([result], seconds: 0)
        #expect(xml.contains("name=\"a &lt;case&gt; &amp; &quot;quotes&quot;\u{FFFD}\""))
    }

    @Test func updateRewritesTheFailingBlocksAndThenPasses() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("seed.yaml").path
        let original = try String(contentsOfFile: rootPath("Scenarios/seed-web-deny-all.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "../Fixtures/", with: rootPath("Fixtures") + "/")
        // Break an expectation and a counter of the first case; the other cases stay as written.
        let broken = original
            .replacingOccurrences(of: "    decidingRule: filter:cali-tw-cali96bc57f337a:7\n    pathContains: [filter:cali-FORWARD:1",
                                  with: "    decidingRule: filter:cali-tw-cali96bc57f337a:6\n    pathContains: [filter:cali-FORWARD:1")
            .replacingOccurrences(of: "    filter:cali-tw-cali96bc57f337a:7: 3/180\n- name: the deny",
                                  with: "    filter:cali-tw-cali96bc57f337a:7: 2/120\n- name: the deny")
        #expect(broken != original)
        try broken.write(toFile: path, atomically: true, encoding: .utf8)
        let file = try ScenarioParser.load(path: path)
        let results = try ScenarioRunner.run([file])
        #expect(results.map(\.passed) == [false, true, true, true])
        let (updated, changes) = try ScenarioUpdate.update(text: broken, file: file, results: results)
        #expect(changes.map(\.text) == [
            "packet 3 decidingRule: filter:cali-tw-cali96bc57f337a:6 → filter:cali-tw-cali96bc57f337a:7",
            "counter filter:cali-tw-cali96bc57f337a:7: 2/120 → 3/180",
        ])
        // Comments, the world and the other cases are kept byte for byte.
        let header = broken.components(separatedBy: "cases:\n")[0]
        #expect(updated.hasPrefix(header))
        #expect(updated.components(separatedBy: "- name: the deny")[1] == broken.components(separatedBy: "- name: the deny")[1])
        #expect(updated.contains("  counters:\n    filter:cali-tw-cali96bc57f337a:7: 3/180\n"))
        try updated.write(toFile: path, atomically: true, encoding: .utf8)
        let again = try ScenarioRunner.run([ScenarioParser.load(path: path)])
        #expect(again.allSatisfy { $0.passed })
    }
}
