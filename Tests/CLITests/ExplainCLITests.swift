import Foundation
import Testing

/// `pathsim explain`, and `--explain` / `--format svg|html` on trace and replay, end to end.
@Suite struct ExplainCLITests {
    let cli = CLITests()
    static let seedCluster = CLITests.root.appendingPathComponent("Fixtures/clusters/seed-web-deny-all-2.6/cluster.yaml").path
    static let staleVeth = CLITests.root.appendingPathComponent("Fixtures/snapshots/explain-stale-veth").path

    func json(_ line: Substring) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func explainJSONOnTheBareDumpAndWithTheCluster() throws {
        let bare = try cli.run(["explain", "--snapshot", CLITests.seed, "--pkt", CLITests.syn, "--format", "json"])
        #expect(bare.status == 0)
        let bareObject = try json(Substring(bare.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(bareObject["cause"] as? String == "end-of-tier")
        #expect((bareObject["unknowns"] as? [String])?.isEmpty == false)

        let rich = try cli.run(["explain", "--snapshot", CLITests.seed, "--cluster", Self.seedCluster, "--felix-version", "2.6", "--pkt", CLITests.syn, "--format", "json"])
        #expect(rich.status == 0)
        let object = try json(Substring(rich.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let policy = try #require(object["policy"] as? [String: Any])
        #expect(policy["name"] as? String == "default/web-deny-all")
        #expect((object["endpoint"] as? [String: Any])?["name"] as? String == "default/web-667bdcb4d8-cpvbb")
        #expect((object["decidingStep"] as? [String: Any])?["rule"] as? Int == 7)
        #expect((object["proposals"] as? [[String: Any]])?.first?["yaml"] is String)
    }

    @Test func aSnapshotPathsimRenderedCarriesItsProvenance() throws {
        let result = try cli.run(["explain", "--snapshot", Self.staleVeth, "--pkt", "in=calibaee662cd2c tcp 10.70.1.30:40000 > 10.70.1.10:8080 flags=S"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("KubernetesNetworkPolicy default/web-allow-client (tier default): no rule matched"))
        #expect(result.stdout.contains("is not in ipset cali40s:"))
    }

    @Test func traceExplainAddsTheExplanation() throws {
        let human = try cli.run(["trace", "--snapshot", CLITests.seed, "--pkt", CLITests.syn, "--explain"])
        #expect(human.status == 0)
        #expect(human.stdout.contains("verdict: dropped"))
        #expect(human.stdout.contains("  why: the workload on cali96bc57f337a is selected by policy default.web-deny-all"))
        let lines = try cli.run(["trace", "--snapshot", CLITests.seed, "--pkt", CLITests.syn, "--explain", "--format", "json"])
        let object = try json(try #require(lines.stdout.split(separator: "\n").first))
        #expect((object["explanation"] as? [String: Any])?["cause"] as? String == "end-of-tier")
    }

    @Test func replayExplainsTheDroppedFrames() throws {
        let result = try cli.run(["replay", "--snapshot", CLITests.seed, CLITests.capture("sll2.pcap"), "--format", "json", "--explain"])
        #expect(result.status == 0)
        let objects = try result.stdout.split(separator: "\n").map(json)
        let dropped = objects.filter { $0["verdict"] as? String == "drop" }
        #expect(!dropped.isEmpty)
        #expect(dropped.allSatisfy { ($0["explanation"] as? [String: Any])?["cause"] is String })
        #expect(objects.filter { $0["verdict"] as? String == "accept" }.allSatisfy { $0["explanation"] == nil })
    }

    @Test func pictureFormatsWriteSelfContainedFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pathsim-explain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let svg = directory.appendingPathComponent("seed.svg").path
        let result = try cli.run(["explain", "--snapshot", CLITests.seed, "--cluster", Self.seedCluster, "--felix-version", "2.6", "--pkt", CLITests.syn, "--format", "svg", "-o", svg])
        #expect(result.status == 0)
        let text = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(text.hasPrefix("<svg") || text.hasPrefix("<?xml"))
        #expect(text.contains("deciding-step"))
        #expect(text.contains("KubernetesNetworkPolicy default/web-deny-all"))
        let html = try cli.run(["trace", "--snapshot", CLITests.seed, "--pkt", CLITests.syn, "--format", "html"])
        #expect(html.status == 0)
        #expect(html.stdout.contains("<!DOCTYPE html>") || html.stdout.contains("<!doctype html>"))
        #expect(!html.stdout.contains("<script"))
    }

    @Test func explainNeedsAPacket() throws {
        let result = try cli.run(["explain", "--snapshot", CLITests.seed])
        #expect(result.status == 64)
        #expect(result.stderr.contains("explain needs at least one --pkt"))
    }
}

/// `pathsim diff`: two worlds, one set of packets.
@Suite struct DiffCLITests {
    let cli = CLITests()
    static let seedCluster = CLITests.root.appendingPathComponent("Fixtures/clusters/seed-web-deny-all/cluster.yaml").path
    static let proposal = CLITests.root.appendingPathComponent("Fixtures/clusters/what-if/allow-client-to-web.yaml").path

    @Test func aProposalAppliedOpensTheFlow() throws {
        let result = try cli.run(["diff", "--cluster", Self.seedCluster, "--after-cluster", Self.seedCluster, "--after-cluster", Self.proposal,
                                  "--pkt", CLITests.syn, "--format", "json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["flows"] as? Int == 1)
        #expect((object["counts"] as? [String: Int]) == ["dropped → accepted": 1])
        let human = try cli.run(["diff", "--cluster", Self.seedCluster, "--after-cluster", Self.seedCluster, "--after-cluster", Self.proposal, "--pkt", CLITests.syn])
        #expect(human.stdout.contains("1 flow, 1 packet: 1 changed, 0 unchanged"))
        #expect(human.stdout.contains("after:  KubernetesNetworkPolicy default/allow-client-to-web, ingress rule 1 allows it"))
    }

    @Test func aCaptureCanBeTheTraffic() throws {
        let result = try cli.run(["diff", "--snapshot", CLITests.seed, "--after-snapshot", CLITests.seed, "--pcap", CLITests.capture("sll2.pcap")])
        #expect(result.status == 0)
        #expect(result.stdout.contains("0 changed"))
    }

    @Test func diffNeedsTheAfterWorld() throws {
        let result = try cli.run(["diff", "--snapshot", CLITests.seed, "--pkt", CLITests.syn])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--after-snapshot DIR or --after-cluster PATH"))
    }
}

/// `--across-nodes`: a pod on one node to a pod on another, through the pool's tunnel.
@Suite struct AcrossNodesCLITests {
    let cli = CLITests()
    static func cluster(_ name: String) -> String { CLITests.root.appendingPathComponent("Fixtures/clusters/\(name)/cluster.yaml").path }
    static let syn = "in=calia7a3e029a7b tcp 10.244.1.10:41000 > 10.244.2.20:80 flags=S"

    @Test func explainNamesTheDestinationNodesPolicyAcrossIPIP() throws {
        let result = try cli.run(["explain", "--cluster", Self.cluster("two-nodes"), "--across-nodes", "--from", "default/client", "--pkt", Self.syn, "--format", "json"])
        #expect(result.status == 0)
        let line = try #require(result.stdout.split(separator: "\n").first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["delivered"] as? Bool == false)
        let explanation = try #require(object["explanation"] as? [String: Any])
        #expect(explanation["decidingHop"] as? Int == 3)
        let hops = try #require(explanation["hops"] as? [[String: Any]])
        #expect(hops.map { $0["node"] as? String } == ["node-1", "node-1", "node-2", "node-2"])
        #expect(hops.map { $0["role"] as? String } == ["source node", "encapsulated (outer packet) leaving", "encapsulated (outer packet) arriving", "destination node"])
        let outer = try #require(hops[1]["explanation"] as? [String: Any])
        #expect((outer["decidingStep"] as? [String: Any])?["comments"] as? [String] == ["Allow IPIP packets to other Calico hosts"])
        let last = try #require(hops[3]["explanation"] as? [String: Any])
        #expect(last["cause"] as? String == "end-of-tier")
        #expect((last["policy"] as? [String: Any])?["name"] as? String == "default/web-deny-all")
        #expect((last["endpoint"] as? [String: Any])?["name"] as? String == "default/web-667bdcb4d8-cpvbb")
    }

    @Test func traceFollowsVXLANToTheWebPod() throws {
        let result = try cli.run(["trace", "--cluster", Self.cluster("two-nodes-vxlan"), "--across-nodes", "--pkt", Self.syn, "--explain"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("hop 2: node node-1, encapsulated (outer packet) leaving"))
        #expect(result.stdout.contains("outcome: reached default/web-667bdcb4d8-cpvbb on node-2 (out cali96bc57f337a)"))
        #expect(result.stdout.contains("KubernetesNetworkPolicy default/web-allow-client, ingress rule 1 allows it"))
    }

    @Test func aPictureSpansBothNodes() throws {
        let result = try cli.run(["explain", "--cluster", Self.cluster("two-nodes"), "--across-nodes", "--pkt", Self.syn, "--format", "svg"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("node node-1") && result.stdout.contains("node node-2"))
        #expect(result.stdout.contains("deciding-step"))
    }

    @Test func anUnknownPodIsAClearError() throws {
        let result = try cli.run(["explain", "--cluster", Self.cluster("two-nodes"), "--across-nodes", "--from", "default/nope", "--pkt", Self.syn])
        #expect(result.status == 65)
        #expect(result.stderr.contains("no workload default/nope"))
    }
}
