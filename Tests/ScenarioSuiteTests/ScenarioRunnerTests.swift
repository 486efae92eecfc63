import Foundation
import ScenarioSuite
import Testing

/// The shipped suites pass, a wrong expectation fails with a diff a reader can act on, and a
/// world that cannot be loaded is an error of its file and line.
@Suite struct ScenarioRunnerTests {
    static let broken = rootPath("Fixtures/scenarios-broken/wrong-expectations.yaml")

    @Test func everyShippedScenarioPasses() throws {
        let files = try ScenarioRunner.discover([rootPath("Scenarios")])
        #expect(files.map { ($0 as NSString).lastPathComponent } == [
            "explain-causes.yaml", "host-endpoints.yaml", "icmp.yaml", "kube-proxy.yaml", "patterns.yaml",
            "seed-policies.yaml", "seed-web-deny-all.yaml", "upstream-matrix.yaml",
        ], "directories named clusters hold cluster objects, not scenarios")
        let results = try ScenarioRunner.run(ScenarioRunner.load(files))
        #expect(results.count > 250)
        for result in results where !result.passed {
            Issue.record("\(ScenarioReport.line(result))\n\(ScenarioReport.failureDetail(result))")
        }
    }

    @Test func resultsComeInFileAndCaseOrder() throws {
        let files = try ScenarioRunner.load([rootPath("Scenarios/upstream-matrix.yaml")])
        let results = try ScenarioRunner.run(files)
        #expect(results.map(\.caseName) == files[0].cases.map(\.name))
    }

    @Test func aWrongExpectationFailsWithAReadableDiff() throws {
        let results = try ScenarioRunner.run(ScenarioRunner.load([Self.broken]))
        #expect(results.map(\.passed) == [false, true])
        let detail = ScenarioReport.failureDetail(results[0])
        #expect(ScenarioReport.line(results[0]) == "FAIL wrong-expectations › web-deny-all passes the SYN (it does not)")
        #expect(detail.contains("packet 1 verdict (line 10): expected accepted, got dropped"))
        #expect(detail.contains("packet 1 cause (line 10): expected policy-allow, got end-of-tier"))
        #expect(detail.contains("packet 1 path (line 10): - expected, + actual"))
        // The diff: steps both have as context, the wrong one removed, the real ones added.
        #expect(detail.contains("""
                    filter:FORWARD:1
                    filter:cali-FORWARD:1
                  - filter:cali-tw-cali96bc57f337a:1
                  + filter:cali-from-wl-dispatch:1
            """))
        #expect(detail.contains("+ filter:cali-tw-cali96bc57f337a:7"))
        #expect(detail.contains("packet 1 explanationNames (line 10): missing \"allows it\" in the explanation"))
        #expect(detail.contains("counter filter:cali-tw-cali96bc57f337a:7 (line 19): expected 0, got 1"))
        #expect(detail.contains("dropped: the workload on cali96bc57f337a is selected by policy default.web-deny-all"))
    }

    @Test func aHandshakeStopsAtADroppedSynAndSaysSo() throws {
        let file = try parse("""
            \(seedWorld)
            cases:
            - name: handshake into web-deny-all
              packets:
              - handshake: in=cali1f79f9e08f2 tcp 10.139.54.20:41000 > 10.139.54.158:80
              expect:
              - packet: 1
                verdict: dropped
              - packet: 3
                verdict: accepted
            """)
        let result = try #require(try ScenarioRunner.run([file]).first)
        #expect(result.outcome.packets.map(\.number) == [1])
        #expect(result.mismatches.map(\.title) == ["packet 3 packet"])
        #expect(ScenarioReport.failureDetail(result).contains("the SYN (packet 1) was dropped, so packets 2 and 3 were not sent"))
    }

    @Test func countersOfMissingRulesAreMismatchesNotCrashes() throws {
        let file = try parse("""
            \(seedWorld)
            cases:
            - name: a
              packets: ["\(seedSyn)"]
              counters:
                filter:cali-tw-cali96bc57f337a:99: 1
                filter:no-such-chain:policy: 1
            """)
        let result = try #require(try ScenarioRunner.run([file]).first)
        #expect(result.mismatches.map(\.actual) == [["no such rule or chain policy"], ["no such rule or chain policy"]])
    }

    @Test func aWorldThatCannotLoadNamesItsLine() throws {
        let file = try parse("""
            description: a missing snapshot
            world:
              snapshot: Fixtures/snapshots/no-such-node
            cases:
            - name: a
              packets: ["\(seedSyn)"]
              expect: {verdict: dropped}
            """)
        #expect { try ScenarioRunner.run([file]) } throws: { error in
            "\(error)".hasSuffix("test.yaml:2: world: snapshot \(rootPath("Fixtures/snapshots/no-such-node")): no such directory")
        }
    }
}
