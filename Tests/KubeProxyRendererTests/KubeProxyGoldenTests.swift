import CalicoModel
import ClusterYAML
import FelixRenderer
import Foundation
import KubeProxyRenderer
import Netfilter
import NodeSnapshot
import PacketSpec
import Testing

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func fixture(_ path: String) -> String { packageRoot.appendingPathComponent("Fixtures/\(path)").path }

/// felix's node with kube-proxy's rules merged in, as `pathsim render --cluster` writes it.
func renderNode(_ cluster: Cluster, node: String, options: KubeProxyOptions = KubeProxyOptions()) throws -> RenderedNode {
    var rendered = try FelixRenderer.render(cluster, node: node)
    let kubeProxy = try KubeProxyRenderer.render(cluster, node: node, options: options)
    let felix = rendered.files["iptables-save.txt"]!
    let first = FelixHookPlacement.rulesFirst(felixIptablesSave: felix, modernLayout: rendered.layout == .modern,
                                              insertMode: cluster.felixConfiguration(forNode: node).chainInsertMode != .append)
    let merged = try IptablesSaveMerge.merge(base: felix, kubeProxy: kubeProxy, rulesFirst: first)
    rendered.files["iptables-save.txt"] = merged.iptablesSave
    for index in rendered.provenance.rules.indices {
        let record = rendered.provenance.rules[index]
        rendered.provenance.rules[index].position = merged.position(table: record.table, chain: record.chain, base: record.position)
    }
    rendered.assumptions += kubeProxy.assumptions
    return rendered
}

/// Fixtures/clusters/kube-proxy rendered for node-1 (felix 3.32 and kube-proxy), kept as golden
/// files (PATHSIM_UPDATE_GOLDEN=1 rewrites them), and packets traced through it.
@Suite("kube-proxy cluster (golden files and traces)")
struct KubeProxyGoldenTests {
    static let cluster: Cluster = try! ClusterLoader.load(paths: [fixture("clusters/kube-proxy")])

    @Test func renderingMatchesGolden() throws {
        let rendered = try renderNode(Self.cluster, node: "node-1")
        for (file, text) in [("iptables-save.txt", rendered.files["iptables-save.txt"]!), ("ipset-save.txt", rendered.files["ipset-save.txt"]!),
                             ("provenance.json", rendered.provenance.json().replacingOccurrences(of: packageRoot.path + "/", with: ""))] {
            let path = fixture("golden/render/kube-proxy/\(file)")
            if ProcessInfo.processInfo.environment["PATHSIM_UPDATE_GOLDEN"] == "1" {
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            }
            let golden = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text == golden, "kube-proxy/\(file) differs from the golden file")
        }
        let snapshot = try rendered.snapshot()
        // Every rule of the merged text loads and every module is evaluated, session affinity's
        // -m recent included (two --set and two --rcheck rules).
        let rules = snapshot.ruleset.tables.flatMap(\.chains).flatMap(\.rules)
        let unsupported = rules.filter { rule in
            rule.matches.contains { if case .unsupported = $0 { return true } else { return false } }
        }
        #expect(unsupported.isEmpty)
        let recent = rules.flatMap(\.matches).compactMap { match -> RecentMatch? in
            if case .recent(let recent) = match { return recent } else { return nil }
        }
        #expect(recent.map(\.command) == [.set, .set, .check, .check])
        #expect(recent.filter { $0.command == .check }.allSatisfy { $0.seconds == 600 && $0.reap && $0.side == .source && $0.mask == .broadcast })
        #expect(rendered.assumptions.contains("kube-proxy: cluster CIDR 10.64.0.0/10 taken from IPPool default-ipv4-ippool (kube-proxy's --cluster-cidr); other traffic to a cluster IP is masqueraded"))
        #expect(rendered.assumptions.contains("kube-proxy: node IP 192.168.0.10 (Node node-1 InternalIP), for loadBalancerSourceRanges that include the node"))
    }

    /// felix's hook jumps stay on top, kube-proxy's follow, felix's appended rules come last;
    /// nat POSTROUTING is appended by felix, so KUBE-POSTROUTING runs first.
    @Test func mergeOrderInBuiltinChains() throws {
        let text = try renderNode(Self.cluster, node: "node-1").files["iptables-save.txt"]!
        func rules(_ table: String, _ chain: String) -> [String] {
            let block = text.components(separatedBy: "*\(table)\n")[1].components(separatedBy: "COMMIT")[0]
            return block.split(separator: "\n").filter { $0.hasPrefix("-A \(chain) ") }.map { String($0.split(separator: " ").last!) }
        }
        #expect(rules("filter", "FORWARD") == ["cali-FORWARD", "KUBE-PROXY-FIREWALL", "KUBE-FORWARD", "KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES", "ACCEPT", "0x10000/0x10000"])
        #expect(rules("filter", "INPUT") == ["cali-INPUT", "KUBE-PROXY-FIREWALL", "KUBE-NODEPORTS", "KUBE-EXTERNAL-SERVICES", "KUBE-FIREWALL"])
        #expect(rules("nat", "PREROUTING") == ["cali-PREROUTING", "KUBE-SERVICES"])
        #expect(rules("nat", "POSTROUTING") == ["KUBE-POSTROUTING", "cali-POSTROUTING"])
        // With chainInsertMode Append, felix's hooks follow kube-proxy's everywhere.
        var appended = Self.cluster
        appended.felixConfigurations = [FelixConfiguration(meta: ObjectMeta(name: "default"))]
        appended.felixConfigurations[0].chainInsertMode = .append
        let appendedText = try renderNode(appended, node: "node-1").files["iptables-save.txt"]!
        #expect(appendedText.contains("-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES\n-A FORWARD -m comment --comment \"cali:"))
    }

    static func trace(_ specs: [String]) throws -> [PacketTrace] {
        let snapshot = try renderNode(cluster, node: "node-1").snapshot()
        var simulator = Simulator(ruleset: snapshot.ruleset, ipsets: snapshot.ipsets, network: snapshot.network, sysctls: snapshot.sysctls)
        var sequencer = TCPSequencer()
        return try specs.enumerated().map { index, text in
            let spec = try PacketSpec.parse(text)
            return simulator.process(spec.input(sequencer.complete(spec), timestamp: Double(index) * 0.001))
        }
    }

    /// A pod to a ClusterIP: KUBE-SERVICES → KUBE-SVC → KUBE-SEP DNAT to the endpoint pod; its
    /// reply is ESTABLISHED and leaves with the ClusterIP as source.
    @Test func clusterIPToEndpointAndBack() throws {
        let traces = try Self.trace(["in=cali1f79f9e08f2 tcp 10.65.0.2:41000 > 10.96.0.10:80 flags=S",
                                     "in=cali96bc57f337a tcp 10.65.0.3:8080 > 10.65.0.2:41000 flags=S."])
        let chains = traces[0].steps.filter { $0.table == .nat }.map(\.chain)
        #expect(Array(chains.drop { $0 != "KUBE-SERVICES" }.prefix(3)) == ["KUBE-SERVICES", "KUBE-SVC-CDGGSHYLG3RE2FKL", "KUBE-SEP-CO3HLDFV5XKYN2I2"])
        #expect(traces[0].fate == .sent(interface: "cali96bc57f337a"))
        #expect(traces[0].finalPacket.destination.description == "10.65.0.3" && traces[0].finalPacket.destinationPort == 8080)
        #expect(traces[0].finalPacket.source.description == "10.65.0.2")
        #expect(traces[1].conntrackState?.contains(.established) == true)
        #expect(traces[1].fate == .sent(interface: "cali1f79f9e08f2"))
        #expect(traces[1].finalPacket.source.description == "10.96.0.10" && traces[1].finalPacket.sourcePort == 80)
        #expect(!traces[1].steps.contains { $0.table == .nat })
    }

    /// A NodePort (externalTrafficPolicy Cluster) from outside: marked in KUBE-EXT, DNATed to an
    /// endpoint, masqueraded to the node's address in KUBE-POSTROUTING.
    @Test func nodePortFromOutsideIsMasqueraded() throws {
        let trace = try Self.trace(["in=eth0 tcp 203.0.113.5:40000 > 192.168.0.10:30080 flags=S"])[0]
        let nat = trace.steps.filter { $0.table == .nat }
        #expect(nat.contains { $0.chain == "KUBE-NODEPORTS" && $0.target == "KUBE-EXT-IWCJJAMV7TQADP7P" })
        #expect(nat.contains { $0.chain == "KUBE-EXT-IWCJJAMV7TQADP7P" && $0.target == "KUBE-MARK-MASQ" })
        #expect(nat.contains { $0.chain == "KUBE-POSTROUTING" && $0.rule == 3 && $0.verdict == .accept })
        #expect(trace.verdict == .accept)
        #expect(trace.finalPacket.source.description == "192.168.0.10")
        #expect(["10.65.0.3", "10.66.0.10"].contains(trace.finalPacket.destination.description) && trace.finalPacket.destinationPort == 8080)
    }

    /// A Service without a ready endpoint: REJECT in filter KUBE-SERVICES, with the ICMP error
    /// the REJECT sends.
    @Test func serviceWithoutEndpointsRejects() throws {
        let trace = try Self.trace(["in=cali1f79f9e08f2 tcp 10.65.0.2:41001 > 10.96.0.99:80 flags=S"])[0]
        let last = try #require(trace.steps.last)
        #expect(trace.verdict == .drop && last.table == .filter && last.chain == "KUBE-SERVICES")
        #expect(trace.generated.count == 1 && trace.generated[0].input.packet.proto == IPProtocolNumber.icmp)
        // From outside to its NodePort: REJECT in KUBE-EXTERNAL-SERVICES.
        let nodePort = try Self.trace(["in=eth0 tcp 203.0.113.5:40002 > 192.168.0.10:30099 flags=S"])[0]
        #expect(nodePort.verdict == .drop && nodePort.steps.last?.chain == "KUBE-EXTERNAL-SERVICES")
    }

    /// externalTrafficPolicy Local with the only endpoint on node-2: no DNAT here, and filter
    /// drops it ("has no local endpoints"); a pod on this node still reaches it (short-circuit).
    @Test func externalTrafficPolicyLocalWithoutLocalEndpointDrops() throws {
        let traces = try Self.trace(["in=eth0 tcp 203.0.113.5:40001 > 192.168.0.10:30081 flags=S",
                                     "in=cali1f79f9e08f2 tcp 10.65.0.2:41002 > 192.168.0.10:30081 flags=S"])
        let last = try #require(traces[0].steps.last)
        #expect(traces[0].verdict == .drop && last.table == .filter && last.chain == "KUBE-EXTERNAL-SERVICES" && last.rule == 1)
        #expect(traces[1].verdict == .accept && traces[1].finalPacket.destination.description == "10.66.0.13")
    }
}
