import CalicoModel
import ClusterYAML
import Explain
import FelixRenderer
import Foundation
import Netfilter
import NodeSnapshot
import PacketSpec
import Testing
import WhatIf

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func fixture(_ path: String) -> String { packageRoot.appendingPathComponent("Fixtures/\(path)").path }

/// One rendered world: the engine to run and the explainer that names what decided.
struct World {
    var snapshot: NodeSnapshot
    var explainer: Explainer

    init(_ cluster: Cluster) throws {
        let rendered = try FelixRenderer.render(cluster, node: cluster.nodeNames[0])
        snapshot = try rendered.snapshot()
        explainer = Explainer(context: ExplainContext(ruleset: snapshot.ruleset, ipsets: snapshot.ipsets, provenance: rendered.provenance, cluster: cluster, node: rendered.node))
    }

    func simulator(_ connections: [ConntrackEntry] = []) -> Simulator {
        Simulator(ruleset: snapshot.ruleset, ipsets: snapshot.ipsets, network: snapshot.network, sysctls: snapshot.sysctls,
                  options: SimulatorOptions(recordMisses: true), conntrack: connections)
    }
}

@Suite("What-if: a policy change, flow by flow")
struct WhatIfTests {
    static let seed = "clusters/seed-web-deny-all/cluster.yaml"
    static let handshake = [
        "in=cali1f79f9e08f2 tcp 10.139.54.20:41000 > 10.139.54.158:80 flags=S t=0",
        "in=cali96bc57f337a tcp 10.139.54.158:80 > 10.139.54.20:41000 flags=S. t=0.001",
        "in=cali1f79f9e08f2 tcp 10.139.54.20:41000 > 10.139.54.158:80 flags=. t=0.002",
    ]

    static func cluster(adding files: [String] = [], withoutPolicies: Bool = false) throws -> Cluster {
        var cluster = try ClusterLoader.load(paths: [fixture(seed)])
        if withoutPolicies { cluster.kubernetesPolicies = [] }
        for file in files {
            let extra = try ClusterLoader.load(paths: [fixture(file)])
            cluster.kubernetesPolicies += extra.kubernetesPolicies
        }
        return cluster
    }

    static func inputs(_ specs: [String]) throws -> [PacketInput] {
        var sequencer = TCPSequencer()
        return try specs.map { text in
            let spec = try PacketSpec.parse(text)
            return spec.input(sequencer.complete(spec), timestamp: spec.timestamp ?? 0)
        }
    }

    static func compare(_ before: World, _ after: World, _ specs: [String]) throws -> WhatIfReport {
        var whatIf = WhatIf(before: before.simulator(), after: after.simulator(), beforeExplainer: before.explainer, afterExplainer: after.explainer,
                            afterWithConnections: { after.simulator($0) })
        return whatIf.compare(try inputs(specs))
    }

    @Test func theProposedPolicyOpensOneFlowAndLeavesTheOthers() throws {
        let before = try World(Self.cluster())
        let after = try World(Self.cluster(adding: ["clusters/what-if/allow-client-to-web.yaml"]))
        let report = try Self.compare(before, after, [Self.handshake[0],
                                                     "in=cali1f79f9e08f2 tcp 10.139.54.20:41001 > 10.139.54.158:8080 flags=S",
                                                     "in=cali1f79f9e08f2 icmp 10.139.54.20 > 10.139.54.158 type=8 code=0 id=7 seq=1"])
        #expect(report.flows == 3)
        #expect(report.counts == ["dropped → accepted": 1, "decided by another policy": 2])
        let opened = try #require(report.changed.first { $0.after.verdict == "accepted" })
        #expect(opened.flow == "tcp 10.139.54.20:41000 <> 10.139.54.158:80")
        #expect(opened.before.policy == "KubernetesNetworkPolicy default/web-deny-all")
        #expect(opened.after.policy == "KubernetesNetworkPolicy default/allow-client-to-web")
        #expect(opened.after.cause == "policy-allow")
        #expect(opened.establishedConnections == nil)
    }

    @Test func denyingAnOpenServiceKeepsConnectionsConntrackAlreadyHas() throws {
        let before = try World(Self.cluster(withoutPolicies: true))
        let after = try World(Self.cluster(adding: ["clusters/what-if/web-deny-all.yaml"], withoutPolicies: true))
        let report = try Self.compare(before, after, Self.handshake)
        #expect(report.flows == 1)
        #expect(report.packets == 3)
        let cut = try #require(report.changed.first)
        #expect(cut.before.verdict == "accepted" && cut.before.accepted == 3)
        #expect(cut.after.verdict == "dropped")
        #expect(cut.after.cause == "end-of-tier")
        #expect(cut.after.policy == nil || cut.after.policy == "KubernetesNetworkPolicy default/web-deny-all")
        // felix accepts ESTABLISHED before any policy: an open connection outlives the change.
        #expect(cut.establishedConnections == "kept")
    }

    @Test func anUnchangedWorldChangesNothing() throws {
        let world = try World(Self.cluster())
        let report = try Self.compare(world, world, Self.handshake)
        #expect(report.changed.isEmpty)
        #expect(report.counts.isEmpty)
    }

    @Test func theAnswerOfAFlowIsTheSameFlow() throws {
        let forward = try PacketSpec.parse("in=a tcp 10.0.0.1:1000 > 10.0.0.2:80 flags=S").packet
        let back = try PacketSpec.parse("in=b tcp 10.0.0.2:80 > 10.0.0.1:1000 flags=S.").packet
        #expect(FlowKey(forward) == FlowKey(back))
    }
}
