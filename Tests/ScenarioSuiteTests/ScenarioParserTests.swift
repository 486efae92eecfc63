import Explain
import ScenarioSuite
import Testing

/// Scenario files are read strictly: every mistake is an error naming the file, the line and
/// what was expected there, before any packet runs.
@Suite struct ScenarioParserTests {
    @Test func aWellFormedFileReadsIntoTypedCases() throws {
        let file = try parse("""
            \(seedWorld)
            cases:
            - name: three syns
              packets:
              - \(seedSyn)
              - handshake: in=cali1f79f9e08f2 tcp 10.139.54.20:41001 > 10.139.54.158:80
              expect:
              - packet: 1
                verdict: dropped
                cause: end-of-tier
                decidingRule: filter:cali-tw-cali96bc57f337a:7
                pathContains: [filter:FORWARD:policy, legacy filter:FORWARD:2]
                explanationNames: web-deny-all
              counters:
                filter:cali-tw-cali96bc57f337a:7: 3/180
                filter:FORWARD:policy: 0
              conntrack: tcp
            """)
        #expect(file.name == "test")
        let scenarioCase = try #require(file.cases.first)
        #expect(scenarioCase.packets.map(\.kind) == [.packet, .handshake])
        #expect(scenarioCase.packetCount == 4)
        #expect(scenarioCase.world.snapshot == rootPath("Fixtures/snapshots/calico-2.6-web-deny-all"))
        let expectation = try #require(scenarioCase.expectations.first)
        #expect(expectation.packet == 1 && expectation.verdict == "dropped" && expectation.cause == .endOfTier)
        #expect(expectation.decidingRule == StepReferenceText(table: "filter", chain: "cali-tw-cali96bc57f337a", position: 7))
        #expect(expectation.pathContains?.map(\.description) == ["filter:FORWARD:policy", "legacy filter:FORWARD:2"])
        #expect(expectation.explanationNames == ["web-deny-all"])
        #expect(scenarioCase.counters.map(\.packets) == [3, 0])
        #expect(scenarioCase.counters.map(\.bytes) == [180, nil])
        #expect(scenarioCase.conntrack == ["tcp"])
        #expect(scenarioCase.expectationsAsList)
    }

    @Test func namedWorldsAreSharedByName() throws {
        let file = try parse("""
            worlds:
              seed:
                snapshot: Fixtures/snapshots/calico-2.6-web-deny-all
                seed: 7
            world: seed
            cases:
            - name: a
              packets: ["\(seedSyn)"]
              expect: {verdict: dropped}
            - name: b
              world: seed
              packets: ["\(seedSyn)"]
              expect: {verdict: dropped}
            """)
        #expect(file.cases.allSatisfy { $0.world.seed == 7 })
    }

    @Test(arguments: [
        // YAML syntax: the line of the problem.
        ("cases:\n- name: a\n  packets: [\"x\"\n", "test.yaml:4: YAML syntax error"),
        // Unknown keys at every level.
        ("\(seedWorld)\nkases: []\n", "test.yaml:3: unknown key \"kases\"; expected one of description, worlds, world, cases"),
        ("world:\n  snapshots: x\ncases: []\n", "test.yaml:2: world: unknown key \"snapshots\""),
        ("\(seedWorld)\ncases:\n- name: a\n  packet: [\"\(seedSyn)\"]\n", "test.yaml:5: cases[0]: unknown key \"packet\""),
        ("\(seedWorld)\ncases:\n- name: a\n  packets: [\"\(seedSyn)\"]\n  expect:\n    verdit: dropped\n", "test.yaml:7: cases[0].expect: unknown key \"verdit\""),
        // Bad expectations.
        ("\(seedWorld)\ncases:\n- name: a\n  packets: [\"\(seedSyn)\"]\n  expect: {verdict: dropt}\n", "test.yaml:6: cases[0].expect.verdict: expected accepted, dropped, rejected, undetermined, found \"dropt\""),
        ("\(seedWorld)\ncases:\n- name: a\n  packets: [\"\(seedSyn)\"]\n  expect: {cause: policy}\n", "test.yaml:6: cases[0].expect.cause: expected a cause (policy-allow"),
        ("\(seedWorld)\ncases:\n- name: a\n  packets: [\"\(seedSyn)\"]\n  expect: {decidingRule: FORWARD:7}\n", "test.yaml:6: cases[0].expect.decidingRule: expected table:chain:position or table:chain:policy"),
        ("\(seedWorld)\ncases:\n- name: a\n  packets: [\"\(seedSyn)\"]\n  expect:\n    packet: 2\n    verdict: dropped\n", "test.yaml:7: expect.packet: 2 is not a packet of the case; expected 1...1"),
        ("\(seedWorld)\ncases:\n- name: a\n  packets: [\"\(seedSyn)\"]\n  counters:\n    filter:FORWARD:policy: lots\n", "test.yaml:7: cases[0].counters.filter:FORWARD:policy: expected packets or packets/bytes (3 or 3/180), found \"lots\""),
        ("\(seedWorld)\ncases:\n- name: a\n  packets: [\"\(seedSyn)\"]\n  counters:\n    FORWARD: 1\n", "test.yaml:7: cases[0].counters: expected a counter key table:chain:position"),
        // Packets.
        ("\(seedWorld)\ncases:\n- name: a\n  packets: [\"in=eth0 tcp 1.2.3.4:1 > 5.6.7.8\"]\n  expect: {verdict: dropped}\n", "test.yaml:5: cases[0].packets[0]: bad packet spec"),
        ("\(seedWorld)\ncases:\n- name: a\n  packets:\n  - handshake: in=eth0 tcp 1.2.3.4:1 > 5.6.7.8:80 flags=S\n  expect: {verdict: dropped}\n", "test.yaml:6: cases[0].packets[0].handshake: a handshake sets its own TCP flags"),
        ("\(seedWorld)\ncases:\n- name: a\n  packets:\n  - handshake: in=eth0 udp 1.2.3.4:1 > 5.6.7.8:80\n  expect: {verdict: dropped}\n", "test.yaml:6: cases[0].packets[0].handshake: a handshake is TCP"),
        ("\(seedWorld)\ncases:\n- name: a\n  packets:\n  - pcap: no-such.pcap\n  expect: {verdict: dropped}\n", "test.yaml:6: cases[0].packets[0].pcap: no capture file at"),
        ("\(seedWorld)\ncases:\n- name: a\n  packets:\n  - handshake: in=eth0 tcp 1.2.3.4:1 > 5.6.7.8:80\n    iface: eth0\n  expect: {verdict: dropped}\n", "test.yaml:7: cases[0].packets[0].iface: iface: goes with pcap: FILE"),
        // Structure.
        ("\(seedWorld)\ncases:\n- name: a\n  packets: [\"\(seedSyn)\"]\n", "test.yaml:4: cases[0]: case \"a\": expected at least one of expect:, counters:, conntrack:"),
        ("cases:\n- name: a\n  packets: [\"\(seedSyn)\"]\n  expect: {verdict: dropped}\n", "test.yaml:2: cases[0]: case \"a\" has no world: and the file has none"),
        ("\(seedWorld)\ncases:\n- name: a\n  world: other\n  packets: [\"\(seedSyn)\"]\n  expect: {verdict: dropped}\n", "test.yaml:5: cases[0].world: no world named \"other\""),
        ("\(seedWorld)\ncases:\n- name: a\n  packets: [\"\(seedSyn)\"]\n  expect: {verdict: dropped}\n- name: a\n  packets: [\"\(seedSyn)\"]\n  expect: {verdict: dropped}\n", "test.yaml:7: cases[1]: a case named \"a\" comes twice"),
        ("", "test.yaml: the file is empty"),
    ])
    func errorsNameFileLineAndWhatWasExpected(_ text: String, _ message: String) {
        let error = parseError(text)
        #expect(error?.hasPrefix(message) == true, "\(error ?? "no error")")
    }

    @Test func stepReferencesReadBackAsWritten() {
        for text in ["filter:cali-tw-cali96bc57f337a:7", "nat:KUBE-SVC-CDGGSHYLG3RE2FKL:2", "raw:PREROUTING:policy", "legacy filter:FORWARD:4", "filter:cali-pi-gnp/deny-ssh:1"] {
            #expect(StepReferenceText(text)?.description == text)
        }
        for text in ["filter:FORWARD", "bogus:FORWARD:1", "filter:FORWARD:0", "filter::1", "filter:FORWARD:x"] {
            #expect(StepReferenceText(text) == nil, "\(text)")
        }
    }
}
