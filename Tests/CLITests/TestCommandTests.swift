import Foundation
import Testing

/// `pathsim test` end to end: exit codes, the line per case, the diff, JSON, JUnit and --update.
@Suite struct TestCommandTests {
    static let scenarios = CLITests.root.appendingPathComponent("Scenarios").path
    static let broken = CLITests.root.appendingPathComponent("Fixtures/scenarios-broken/wrong-expectations.yaml").path
    static let malformed = CLITests.root.appendingPathComponent("Fixtures/scenarios-broken/unknown-key.yaml").path

    @Test func theShippedSuitesPass() throws {
        let result = try CLITests().run(["test", Self.scenarios])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.contains("PASS seed-web-deny-all › three SYNs from client to web are dropped"))
        #expect(!lines.contains { $0.hasPrefix("FAIL") })
        #expect(lines.last?.contains("passed, 0 failed") == true)
    }

    @Test func aFailingCaseExitsOneWithItsDiff() throws {
        let result = try CLITests().run(["test", Self.broken])
        #expect(result.status == 1)
        #expect(result.stdout.contains("FAIL wrong-expectations › web-deny-all passes the SYN (it does not)\n"))
        #expect(result.stdout.contains("PASS wrong-expectations › a correct case beside the wrong one\n"))
        #expect(result.stdout.contains("    packet 1 verdict (line 10): expected accepted, got dropped\n"))
        #expect(result.stdout.contains("      - filter:cali-tw-cali96bc57f337a:1\n      + filter:cali-from-wl-dispatch:1\n"))
        #expect(result.stdout.hasSuffix(" 1 passed, 1 failed") || result.stdout.contains("2 cases in 1 suite: 1 passed, 1 failed"))
    }

    @Test func aMalformedScenarioExits65NamingFileAndLine() throws {
        let result = try CLITests().run(["test", Self.malformed])
        #expect(result.status == 65)
        #expect(result.stderr.contains("unknown-key.yaml:9: cases[0].expect: unknown key \"verdit\""))
        let missing = try CLITests().run(["test", "/no/such/scenarios"])
        #expect(missing.status == 66)
    }

    @Test func jsonPrintsAnObjectPerCaseAndASummary() throws {
        let result = try CLITests().run(["test", Self.broken, "--format", "json"])
        #expect(result.status == 1)
        let objects = try result.stdout.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.count == 3)
        #expect(objects[0]["status"] as? String == "fail")
        #expect(objects[0]["line"] as? Int == 6)
        let mismatch = try #require((objects[0]["mismatches"] as? [[String: Any]])?.first)
        #expect(mismatch["what"] as? String == "verdict" && mismatch["expected"] as? [String] == ["accepted"] && mismatch["actual"] as? [String] == ["dropped"])
        let packet = try #require((objects[1]["packets"] as? [[String: Any]])?.first)
        #expect(packet["cause"] as? String == "end-of-tier")
        #expect((packet["path"] as? [String])?.last == "filter:cali-tw-cali96bc57f337a:7")
        let summary = try #require(objects[2]["summary"] as? [String: Any])
        #expect(summary["cases"] as? Int == 2 && summary["failed"] as? Int == 1)
    }

    @Test func junitIsWrittenToTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pathsim-junit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = directory.appendingPathComponent("report.xml").path
        let result = try CLITests().run(["test", Self.broken, "--junit", report])
        #expect(result.status == 1)
        let xml = try String(contentsOfFile: report, encoding: .utf8)
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"pathsim\" tests=\"2\" failures=\"1\" errors=\"0\""))
        #expect(xml.contains("<testcase name=\"a correct case beside the wrong one\" classname=\"wrong-expectations\""))
    }

    @Test func updateRepairsACopyAndSaysWhatChanged() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pathsim-update-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("wrong.yaml").path
        let text = try String(contentsOfFile: Self.broken, encoding: .utf8)
            .replacingOccurrences(of: "../snapshots/", with: CLITests.root.appendingPathComponent("Fixtures/snapshots").path + "/")
        try text.write(toFile: copy, atomically: true, encoding: .utf8)
        let update = try CLITests().run(["test", copy, "--update"])
        #expect(update.status == 0)
        #expect(update.stderr.contains("updated \(copy) › web-deny-all passes the SYN (it does not): packet 1 verdict: accepted → dropped"))
        #expect(update.stderr.contains("counter filter:cali-tw-cali96bc57f337a:7: 0 → 1"))
        let updated = try String(contentsOfFile: copy, encoding: .utf8)
        #expect(updated.contains("    verdict: dropped\n    cause: end-of-tier\n    path:\n    - raw:PREROUTING:1\n"))
        #expect(updated.hasPrefix("# A scenario whose expectations are wrong on purpose"), "comments outside the rewritten blocks are kept")
        let again = try CLITests().run(["test", copy])
        #expect(again.status == 0, "\(again.stdout)")
    }
}
