import CalicoModel
import ClusterYAML
import FelixRenderer
import Foundation
import Netfilter
import NodeSnapshot
import PacketSpec
import Testing

/// Rendered snapshots of every cluster under Fixtures/clusters, kept as golden files
/// (PATHSIM_UPDATE_GOLDEN=1 rewrites them).
@Suite("Rendered clusters (golden files)")
struct RenderGoldenTests {
    static let cases: [(cluster: String, node: String, layout: FelixLayout)] = [
        ("seed-web-deny-all", "host30", .modern),
        ("seed-web-deny-all-2.6", "host30", .legacy),
        ("policy-examples", "node-a", .modern),
        ("host-endpoints", "node-a", .modern),
        ("calico-options", "node-a", .modern),
        ("legacy-options", "host30", .legacy),
    ]

    @Test(arguments: 0..<cases.count)
    func renderingMatchesGolden(_ index: Int) throws {
        let (cluster, node, layout) = Self.cases[index]
        let rendered = try renderFixture(cluster, node: node, layout: layout)
        for (file, text) in [("iptables-save.txt", rendered.files["iptables-save.txt"]!), ("ipset-save.txt", rendered.files["ipset-save.txt"]!),
                             // Object locations relative to the package, so the golden file holds on any checkout.
                             ("provenance.json", rendered.provenance.json().replacingOccurrences(of: packageRoot.path + "/", with: ""))] {
            let path = fixture("golden/render/\(cluster)/\(file)")
            if ProcessInfo.processInfo.environment["PATHSIM_UPDATE_GOLDEN"] == "1" {
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            }
            let golden = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text == golden, "\(cluster)/\(file) differs from the golden file")
        }
        // The snapshot loads: every jump target and set exists, every match is one pathsim knows.
        _ = try rendered.snapshot()
    }

    /// Every rendered rule is back-mapped; policy rules name their object and rule.
    @Test func provenanceNamesTheObjectBehindEveryRule() throws {
        let rendered = try renderFixture("policy-examples", node: "node-a")
        let ruleLines = rendered.files["iptables-save.txt"]!.split(separator: "\n").filter { $0.hasPrefix("-A ") }
        #expect(rendered.provenance.rules.count == ruleLines.count)
        let record = try #require(rendered.provenance.rules.first { $0.chain == "cali-pi-gnp/deny-ssh" && $0.position == 1 })
        #expect(record.origin.kind == "GlobalNetworkPolicy" && record.origin.name == "deny-ssh" && record.origin.ruleIndex == 0)
        #expect(record.origin.line != nil)
        let knp = try #require(rendered.provenance.rules.first { $0.chain == "cali-pi-_xkkHayCrFy5osyT5E7F" })
        #expect(knp.origin.summary.hasPrefix("KubernetesNetworkPolicy default/allow-client, ingress rule 1"))
    }

    /// A FelixConfiguration field pathsim does not render is named, with its line, not ignored.
    @Test func unrenderedFelixConfigurationFieldsAreReported() throws {
        var cluster = try ClusterLoader.load(paths: [fixture("clusters/seed-web-deny-all")])
        cluster.felixConfigurations += try ClusterLoader.load(yaml: """
            apiVersion: projectcalico.org/v3
            kind: FelixConfiguration
            metadata:
              name: default
            spec:
              logPrefix: calico-drop
              wireguardEnabled: true
            """, file: "felix.yaml").felixConfigurations
        let rendered = try FelixRenderer.render(cluster, node: "host30")
        #expect(rendered.assumptions.contains("felix.yaml:7: FelixConfiguration field wireguardEnabled is not supported by pathsim; the rules are rendered as if it were unset"))
        #expect(!rendered.assumptions.contains { $0.contains("logPrefix") })
    }

    /// felix 2.x has no tiers: a tiered policy in the legacy layout is an error naming it.
    @Test func tiersAreRefusedInTheLegacyLayout() throws {
        #expect { try renderFixture("calico-options", node: "node-a", layout: .legacy) } throws: { error in
            "\(error)".hasSuffix("cluster.yaml:121: policy security.quarantine is in tier \"security\"; felix 2.x has no tiers: render with the 3.32 layout (--felix-version 3.32)")
        }
    }

    /// The second seed article's five cases, traced through the rendered node.
    @Test(arguments: [
        ("in=eth0 tcp 203.0.113.5:40000 > 192.168.0.10:30080 flags=S", "drop", "mangle"),       // preDNAT NodePort from outside
        ("in=eth0 tcp 192.168.0.99:40000 > 192.168.0.10:30080 flags=S", "accept", ""),           // from the LAN
        ("in=eth0 tcp 10.70.1.1:40000 > 192.168.0.10:11211 flags=S", "untracked", ""),          // doNotTrack
        ("in=calibd0ecddfcf2 tcp 10.65.0.2:40000 > 198.51.100.7:443 flags=S", "drop", "filter"),  // applyOnForward deny
        ("in=eth0 tcp 192.168.0.99:40000 > 10.65.0.2:8080 flags=S", "drop", "filter"),           // workload policy
        ("in=eth0 tcp 203.0.113.5:40000 > 192.168.0.10:22 flags=S", "accept", ""),               // failsafe SSH
    ])
    func hostEndpointCases(_ spec: String, _ expected: String, _ table: String) throws {
        try Self.expectTrace("host-endpoints", spec, expected, table)
    }

    /// The calico-options cluster: tiers, Pass, service-account and namespace selectors, named
    /// ports and notPorts, REJECT as the deny action, custom failsafe ports, a `*` host endpoint
    /// with a profile.
    @Test(arguments: [
        ("in=cali18582a65b10 tcp 10.65.0.3:40000 > 10.65.0.2:8080 flags=S", "accept", ""),      // cart → checkout http (named port)
        ("in=cali18582a65b10 tcp 10.65.0.3:40000 > 10.65.0.2:9090 flags=S", "drop", "filter"),  // cart → checkout metrics (notPorts)
        ("in=eth0 tcp 198.51.100.7:40000 > 10.65.0.2:8080 flags=S", "drop", "filter"),          // security tier deny
        ("in=cali18582a65b10 tcp 10.65.0.3:40000 > 203.0.113.9:443 flags=S", "drop", "filter"), // security tier egress deny
        ("in=cali18582a65b10 udp 10.65.0.3:40000 > 203.0.113.9:53", "accept", ""),              // notProtocol UDP passes to cart-egress
        ("in=eth0 tcp 203.0.113.5:40000 > 192.168.0.10:22 flags=S", "accept", ""),              // custom failsafe
        ("in=eth0 tcp 203.0.113.5:40000 > 192.168.0.10:80 flags=S", "drop", "filter"),          // `*` host endpoint, profile allows 22/179 only
        ("in=eth0 tcp 203.0.113.5:40000 > 192.168.0.10:179 flags=S", "accept", ""),             // the profile's BGP rule
    ])
    func calicoOptionsCases(_ spec: String, _ expected: String, _ table: String) throws {
        try Self.expectTrace("calico-options", spec, expected, table)
    }

    static func expectTrace(_ cluster: String, _ spec: String, _ expected: String, _ table: String) throws {
        let snapshot = try renderFixture(cluster, node: "node-a").snapshot()
        var simulator = Simulator(ruleset: snapshot.ruleset, ipsets: snapshot.ipsets, network: snapshot.network, sysctls: snapshot.sysctls)
        var sequencer = TCPSequencer()
        let parsed = try PacketSpec.parse(spec)
        let trace = simulator.process(parsed.input(sequencer.complete(parsed), timestamp: 0))
        let description = "\(trace)"
        switch expected {
        case "drop": #expect((trace.verdict == .drop) && trace.steps.last?.table.rawValue == table, "\(description)")
        case "untracked": #expect(!(trace.verdict == .drop) && trace.steps.contains { $0.table == .raw && $0.chain.hasPrefix("cali-pi-") }, "\(description)")
        default: #expect(!(trace.verdict == .drop), "\(description)")
        }
    }
}
