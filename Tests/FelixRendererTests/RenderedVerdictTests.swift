import CalicoModel
import Digests
import FelixRenderer
import Foundation
import Netfilter
import NodeSnapshot
import PacketSpec
import PolicyTestSupport
import Testing

// The chains FelixRenderer renders, run through the engine, against Kubernetes semantics
// (KubernetesSemantics.swift): for seeded clusters, every ordered pair of endpoints with a pod
// on the node under test, every port the policies mention and one they do not, a new
// connection's first packet (TCP SYN or UDP) is traced on the node under test and, when the
// other end is a pod of the other node, on that node too. Each node must pass the packet iff
// the half of the policy it enforces allows it (the source pod's egress, the destination pod's
// ingress), so the two nodes together pass it iff `kubernetesAllows`.
//
// PATHSIM_RENDER_CLUSTERS=N (default 40), PATHSIM_RENDER_FIRST_SEED=S (default 1),
// PATHSIM_RENDER_SEEDS=3,17 (chosen seeds), PATHSIM_RENDER_DUMP=1 (print every cluster).

/// A pod's interface on its node: the WorkloadEndpoint's, else felix's default name for a
/// Kubernetes pod, `cali` + the first 11 hex digits of SHA-1("<namespace>.<pod>").
func podInterface(_ pod: PodPeer, in cluster: Cluster) -> String {
    if let wep = cluster.workloadEndpoints.first(where: { $0.meta.namespace == pod.namespace && $0.pod == pod.name }) {
        return wep.interfaceName
    }
    return "cali" + String(Hex.lowercase(SHA1.hash("\(pod.namespace).\(pod.name)")).prefix(11))
}

/// The node a pod runs on.
func podNode(_ pod: PodPeer, in cluster: Cluster) -> String? {
    cluster.pods.first { ($0.meta.namespace ?? "default") == pod.namespace && $0.meta.name == pod.name }?.nodeName
}

/// The rendered nodes of one cluster and layout, each with its own engine (conntrack table).
struct RenderedCluster {
    /// What one node did with a packet.
    struct Leg {
        var node: String
        var spec: String
        /// The half of Kubernetes semantics this node enforces.
        var expected: Bool
        var expectedInterface: String
        var trace: PacketTrace
        var passed: Bool { trace.fate == .sent(interface: expectedInterface) }
        var agrees: Bool { passed == expected && (trace.fate.isAccepted == passed) }
    }

    struct Outcome {
        var source: Peer
        var destination: Peer
        var probe: PortProbe
        var kubernetes: Bool
        var legs: [Leg]
        /// Every node on the way passed it.
        var endToEnd: Bool { legs.allSatisfy(\.passed) }
        var agrees: Bool { legs.allSatisfy(\.agrees) && endToEnd == kubernetes }
    }

    struct Node {
        var simulator: Simulator
        var sequencer = TCPSequencer()
        var clock = 0.0
        var nextPort = 30000

        /// A source port no earlier packet used, so every packet opens a new connection.
        mutating func takePort() -> Int {
            defer { nextPort = nextPort >= 60000 ? 30000 : nextPort + 1 }
            return nextPort
        }

        mutating func trace(_ spec: PacketSpec) -> PacketTrace {
            clock += 0.001
            return simulator.process(spec.input(sequencer.complete(spec), timestamp: clock))
        }
    }

    let cluster: Cluster
    let layout: FelixLayout
    private(set) var nodes: [String: Node] = [:]
    /// Which object produced each rendered rule, per node.
    private(set) var provenance: [String: RenderProvenance] = [:]
    /// Features of the rendered rules the engine cannot evaluate, per node.
    private(set) var unsupported: [String: [String]] = [:]

    init(cluster: Cluster, layout: FelixLayout) {
        self.cluster = cluster
        self.layout = layout
    }

    /// Renders `node` (once) and loads it into an engine.
    mutating func load(_ node: String) throws {
        if nodes[node] != nil { return }
        let rendered: RenderedNode
        do {
            rendered = try FelixRenderer.render(cluster, node: node, options: RenderOptions(layout: layout))
        } catch {
            throw RenderFailure(message: "render \(node) (\(layout)): \(error)")
        }
        let snapshot: NodeSnapshot
        do {
            snapshot = try rendered.snapshot()
        } catch {
            throw RenderFailure(message: "snapshot of \(node) (\(layout)) does not load: \(error)")
        }
        let simulator = Simulator(ruleset: snapshot.ruleset, ipsets: snapshot.ipsets, network: snapshot.network, sysctls: snapshot.sysctls)
        unsupported[node] = simulator.unsupportedFeatures.map { "\($0)" }
        nodes[node] = Node(simulator: simulator)
        provenance[node] = rendered.provenance
    }

    /// The first packet of a new connection from `source` to `destination`, on every node that
    /// hosts one of them.
    mutating func send(from source: Peer, to destination: Peer, probe: PortProbe) throws -> Outcome {
        let sourceNode = source.pod.flatMap { podNode($0, in: cluster) }
        let destinationNode = destination.pod.flatMap { podNode($0, in: cluster) }
        var legs: [Leg] = []
        for node in [sourceNode, destinationNode].compactMap({ $0 }).reduce(into: [String](), { if !$0.contains($1) { $0.append($1) } }) {
            try load(node)
            let fromHere = sourceNode == node, toHere = destinationNode == node
            let inInterface = fromHere ? podInterface(source.pod!, in: cluster) : "eth0"
            let outInterface = toHere ? podInterface(destination.pod!, in: cluster) : "eth0"
            var expected = true
            if fromHere { expected = expected && kubernetesEgressAllows(cluster: cluster, from: source, to: destination, proto: probe.proto, port: probe.port) }
            if toHere { expected = expected && kubernetesIngressAllows(cluster: cluster, from: source, to: destination, proto: probe.proto, port: probe.port) }
            let sourcePort = nodes[node]!.takePort()
            let spec = "in=\(inInterface) \(probe.proto.lowercased()) \(source.ip):\(sourcePort) > \(destination.ip):\(probe.port)"
                + (probe.proto == "TCP" ? " flags=S" : "")
            let trace = nodes[node]!.trace(try PacketSpec.parse(spec))
            legs.append(Leg(node: node, spec: spec, expected: expected, expectedInterface: outInterface, trace: trace))
        }
        let kubernetes = kubernetesAllows(cluster: cluster, from: source, to: destination, proto: probe.proto, port: probe.port)
        return Outcome(source: source, destination: destination, probe: probe, kubernetes: kubernetes, legs: legs)
    }

    /// A failure message: the packet, what each node did and should have done, and why.
    func explain(_ outcome: Outcome) -> String {
        var text = "\(outcome.source) → \(outcome.destination) \(outcome.probe): Kubernetes \(outcome.kubernetes ? "allows" : "denies")"
            + ", the rendered nodes \(outcome.endToEnd ? "pass" : "drop") it (\(layout))\n"
        text += KubernetesSemantics.explain(cluster: cluster, from: outcome.source, to: outcome.destination,
                                            proto: outcome.probe.proto, port: outcome.probe.port)
            .split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
        for leg in outcome.legs {
            text += "  on \(leg.node): pathsim trace --pkt '\(leg.spec)'\n"
            text += "    expected \(leg.expected ? "sent out \(leg.expectedInterface)" : "dropped"), got \(describe(leg.trace.fate))\(leg.agrees ? "" : "   <-- DISAGREES")\n"
            text += "    path:\n" + leg.trace.steps.map { step in
                let origin = step.rule.flatMap { provenance[leg.node]?.rule(table: step.table.rawValue, chain: step.chain, position: $0)?.origin }
                return "      \(step)" + (origin.map { $0.kind == "felix" ? "" : "   (\($0.summary))" } ?? "")
            }.joined(separator: "\n") + "\n"
            for note in leg.trace.notes { text += "    note: \(note)\n" }
            for hit in leg.trace.unsupported { text += "    unsupported: \(hit)\n" }
        }
        return text
    }

    func describe(_ fate: PacketFate) -> String {
        switch fate {
        case .delivered: "delivered locally"
        case .sent(let interface): "sent out \(interface)"
        case .droppedByRule(let step): "dropped by \(step)"
        case .droppedInRouting(let reason): "dropped in routing: \(reason.rawValue)"
        case .undetermined(let why): "undetermined: \(why)"
        }
    }
}

struct RenderFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Counts for the summary line.
struct VerdictStats {
    var clusters = 0
    var packets = 0
    var passed = 0
    var dropped = 0
    var probes = 0
    /// Connections where a node or the end-to-end verdict disagrees with Kubernetes.
    var disagreements = 0
    /// Failure messages (the first disagreements of each cluster, render and load errors).
    var failures: [String] = []
}

enum VerdictCheck {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static var seeds: [UInt64] {
        if let chosen = environment["PATHSIM_RENDER_SEEDS"] { return chosen.split(separator: ",").compactMap { UInt64($0) } }
        let count = Int(environment["PATHSIM_RENDER_CLUSTERS"] ?? "") ?? 40
        let first = UInt64(environment["PATHSIM_RENDER_FIRST_SEED"] ?? "") ?? 1
        return Array(first..<(first + UInt64(count)))
    }

    /// Every pair and probe of one generated cluster; failures are appended to `stats`.
    static func run(_ generated: GeneratedCluster, layout: FelixLayout, stats: inout VerdictStats) {
        stats.clusters += 1
        if environment["PATHSIM_RENDER_DUMP"] != nil { print(generated.summary) }
        var rendered = RenderedCluster(cluster: generated.cluster, layout: layout)
        var failures = 0
        do {
            for (source, destination) in generated.pairs {
                for probe in generated.probes {
                    let outcome = try rendered.send(from: source, to: destination, probe: probe)
                    stats.probes += 1
                    stats.packets += outcome.legs.count
                    if outcome.endToEnd { stats.passed += 1 } else { stats.dropped += 1 }
                    if !outcome.agrees {
                        failures += 1
                        stats.disagreements += 1
                        if failures <= 3 {
                            stats.failures.append("seed \(generated.seed), \(layout): \(rendered.explain(outcome))cluster:\n\(generated.summary)")
                        }
                    }
                }
            }
        } catch {
            stats.failures.append("seed \(generated.seed), \(layout): \(error)\ncluster:\n\(generated.summary)")
        }
        for (node, features) in rendered.unsupported.sorted(by: { $0.key < $1.key }) where !features.isEmpty {
            stats.failures.append("seed \(generated.seed), \(layout): the rules rendered for \(node) use what pathsim does not evaluate:\n  " + features.joined(separator: "\n  "))
        }
        if failures > 3 { stats.failures.append("seed \(generated.seed), \(layout): \(failures - 3) more disagreements") }
    }
}

@Suite("Rendered felix chains against Kubernetes NetworkPolicy semantics")
struct RenderedVerdictTests {
    @Test(arguments: [FelixLayout.modern, FelixLayout.legacy])
    func generatedClustersAgreeWithKubernetes(layout: FelixLayout) {
        var stats = VerdictStats()
        for seed in VerdictCheck.seeds {
            VerdictCheck.run(ClusterGenerator.generate(seed: seed), layout: layout, stats: &stats)
        }
        print("rendered-verdict \(layout == .modern ? "modern" : "legacy") (felix \(layout)): \(stats.clusters) clusters, \(stats.probes) connections (\(stats.passed) allowed, \(stats.dropped) denied end to end), \(stats.packets) packets traced, \(stats.disagreements) disagreements, \(stats.failures.count) problems reported")
        for failure in stats.failures.prefix(8) { Issue.record(Comment(rawValue: failure)) }
    }

    @Test func generatorIsDeterministicAndShaped() {
        for seed in UInt64(1)...30 {
            let a = ClusterGenerator.generate(seed: seed), b = ClusterGenerator.generate(seed: seed)
            #expect(a.cluster == b.cluster)
            #expect(a.localPods.count == 3)
            #expect(!a.remotePods.isEmpty)
            #expect((1...5).contains(a.cluster.kubernetesPolicies.count))
            #expect(a.probes.contains(PortProbe(proto: "TCP", port: 7777)))
            for pod in a.cluster.pods { #expect(pod.nodeName == (a.localPods.contains(PodPeer(pod)) ? "node-a" : "node-b")) }
        }
        #expect(ClusterGenerator.generate(seed: 1).cluster != ClusterGenerator.generate(seed: 2).cluster)
    }

    // MARK: Hand-written cases

    /// A connection and whether Kubernetes allows it (worked out by hand from the documentation).
    struct Expectation {
        var from: Peer
        var to: Peer
        var proto = "TCP"
        var port: Int
        var allowed: Bool
    }

    func check(_ cluster: Cluster, _ expectations: [Expectation], layout: FelixLayout, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [RenderedCluster.Outcome] {
        var rendered = RenderedCluster(cluster: cluster, layout: layout)
        var outcomes: [RenderedCluster.Outcome] = []
        for expectation in expectations {
            let probe = PortProbe(proto: expectation.proto, port: expectation.port)
            let outcome = try rendered.send(from: expectation.from, to: expectation.to, probe: probe)
            #expect(outcome.kubernetes == expectation.allowed, "evaluator: \(expectation.from) → \(expectation.to) \(probe)\n\(KubernetesSemantics.explain(cluster: cluster, from: expectation.from, to: expectation.to, proto: probe.proto, port: probe.port))", sourceLocation: sourceLocation)
            #expect(outcome.agrees && outcome.endToEnd == expectation.allowed, "\(rendered.explain(outcome))", sourceLocation: sourceLocation)
            outcomes.append(outcome)
        }
        for (node, features) in rendered.unsupported where !features.isEmpty {
            Issue.record("\(node): unsupported features \(features)", sourceLocation: sourceLocation)
        }
        return outcomes
    }

    static func pod(_ namespace: String, _ name: String, _ labels: [String: String], ip: String, node: String, ports: [NamedPort] = []) -> KubernetesPod {
        KubernetesPod(meta: ObjectMeta(name: name, namespace: namespace, labels: labels), nodeName: node, ips: [ip], ports: ports, phase: "Running")
    }

    static func namespace(_ name: String, _ labels: [String: String] = [:]) -> KubernetesNamespace {
        KubernetesNamespace(meta: ObjectMeta(name: name, labels: labels.merging(["kubernetes.io/metadata.name": name]) { a, _ in a }))
    }

    /// The seed article's node: web-deny-all (`podSelector: app=web`, `ingress: []`) on the
    /// web pod; client → web is dropped in web's to-workload chain, web → client is allowed.
    @Test(arguments: [FelixLayout.modern, FelixLayout.legacy])
    func seedWebDenyAll(layout: FelixLayout) throws {
        var cluster = Cluster()
        cluster.namespaces = [Self.namespace("default")]
        cluster.nodes = [KubernetesNode(meta: ObjectMeta(name: "k8s-node-1"), internalIPs: ["10.138.102.30"])]
        let client = Self.pod("default", "client", ["run": "client"], ip: "10.139.54.20", node: "k8s-node-1")
        let web = Self.pod("default", "web", ["app": "web"], ip: "10.139.54.158", node: "k8s-node-1")
        cluster.pods = [client, web]
        cluster.workloadEndpoints = [
            ClusterGenerator.workloadEndpoint(for: client, node: "k8s-node-1", interface: "cali1f79f9e08f2"),
            ClusterGenerator.workloadEndpoint(for: web, node: "k8s-node-1", interface: "cali96bc57f337a"),
        ]
        cluster.kubernetesPolicies = [KubernetesNetworkPolicy(meta: ObjectMeta(name: "web-deny-all", namespace: "default"),
                                                              podSelector: LabelSelector(matchLabels: ["app": "web"]))]
        let clientPeer = Peer.pod(PodPeer(client)), webPeer = Peer.pod(PodPeer(web))
        let outcomes = try check(cluster, [
            Expectation(from: clientPeer, to: webPeer, port: 80, allowed: false),
            Expectation(from: webPeer, to: clientPeer, port: 80, allowed: true),
            Expectation(from: .external("203.0.113.7"), to: webPeer, port: 80, allowed: false),
            Expectation(from: webPeer, to: .external("203.0.113.7"), port: 443, allowed: true),
        ], layout: layout)
        if case .droppedByRule(let step) = outcomes[0].legs.first?.trace.fate {
            #expect(step.table == .filter && step.chain == "cali-tw-cali96bc57f337a" && step.verdict == .drop, "dropped by \(step)")
        } else {
            Issue.record("client → web: expected a drop in cali-tw-cali96bc57f337a, got \(String(describing: outcomes[0].legs.first?.trace.fate))")
        }
    }

    /// The NetworkPolicy example of the Kubernetes documentation (test-network-policy).
    @Test(arguments: [FelixLayout.modern, FelixLayout.legacy])
    func documentationExample(layout: FelixLayout) throws {
        var cluster = Cluster()
        cluster.namespaces = [Self.namespace("default"), Self.namespace("myproject", ["project": "myproject"]), Self.namespace("other")]
        cluster.nodes = [KubernetesNode(meta: ObjectMeta(name: "node-a"), internalIPs: ["192.168.0.10"]),
                         KubernetesNode(meta: ObjectMeta(name: "node-b"), internalIPs: ["192.168.0.11"])]
        let db = Self.pod("default", "db", ["role": "db"], ip: "10.65.0.2", node: "node-a")
        let frontend = Self.pod("default", "frontend", ["role": "frontend"], ip: "10.65.0.3", node: "node-a")
        let projectPod = Self.pod("myproject", "anything", ["app": "x"], ip: "10.66.0.10", node: "node-b")
        let otherFrontend = Self.pod("other", "frontend", ["role": "frontend"], ip: "10.66.0.11", node: "node-b")
        cluster.pods = [db, frontend, projectPod, otherFrontend]
        cluster.kubernetesPolicies = [KubernetesNetworkPolicy(
            meta: ObjectMeta(name: "test-network-policy", namespace: "default"),
            podSelector: LabelSelector(matchLabels: ["role": "db"]),
            ingress: [.init(peers: [.init(ipBlock: .init(cidr: "172.17.0.0/16", except: ["172.17.1.0/24"])),
                                    .init(namespaceSelector: LabelSelector(matchLabels: ["project": "myproject"])),
                                    .init(podSelector: LabelSelector(matchLabels: ["role": "frontend"]))],
                            ports: [.init(proto: "TCP", port: .number(6379))])],
            egress: [.init(peers: [.init(ipBlock: .init(cidr: "10.0.0.0/24"))], ports: [.init(proto: "TCP", port: .number(5978))])],
            policyTypes: [.ingress, .egress])]
        let dbPeer = Peer.pod(PodPeer(db)), frontendPeer = Peer.pod(PodPeer(frontend))
        let projectPeer = Peer.pod(PodPeer(projectPod)), otherPeer = Peer.pod(PodPeer(otherFrontend))
        _ = try check(cluster, [
            Expectation(from: frontendPeer, to: dbPeer, port: 6379, allowed: true),
            Expectation(from: frontendPeer, to: dbPeer, port: 80, allowed: false),
            Expectation(from: frontendPeer, to: dbPeer, proto: "UDP", port: 6379, allowed: false),
            Expectation(from: projectPeer, to: dbPeer, port: 6379, allowed: true),
            Expectation(from: otherPeer, to: dbPeer, port: 6379, allowed: false),
            Expectation(from: .external("172.17.0.5"), to: dbPeer, port: 6379, allowed: true),
            Expectation(from: .external("172.17.1.5"), to: dbPeer, port: 6379, allowed: false),
            Expectation(from: dbPeer, to: .external("10.0.0.7"), port: 5978, allowed: true),
            Expectation(from: dbPeer, to: .external("10.0.0.7"), port: 80, allowed: false),
            Expectation(from: dbPeer, to: .external("10.0.1.7"), port: 5978, allowed: false),
            Expectation(from: dbPeer, to: frontendPeer, port: 6379, allowed: false),
            Expectation(from: frontendPeer, to: projectPeer, port: 6379, allowed: true),
        ], layout: layout)
    }

    /// Named ports resolve against the destination pod: `http` is 8080 on one pod and 80 on
    /// another, for ingress and for egress; an address that is no pod has no named port.
    @Test(arguments: [FelixLayout.modern, FelixLayout.legacy])
    func namedPortsResolveOnTheDestinationPod(layout: FelixLayout) throws {
        var cluster = Cluster()
        cluster.namespaces = [Self.namespace("default")]
        cluster.nodes = [KubernetesNode(meta: ObjectMeta(name: "node-a"), internalIPs: ["192.168.0.10"]),
                         KubernetesNode(meta: ObjectMeta(name: "node-b"), internalIPs: ["192.168.0.11"])]
        let web0 = Self.pod("default", "web-0", ["app": "web"], ip: "10.65.0.2", node: "node-a", ports: [NamedPort(name: "http", proto: "TCP", port: 8080)])
        let web1 = Self.pod("default", "web-1", ["app": "web"], ip: "10.66.0.10", node: "node-b", ports: [NamedPort(name: "http", proto: "TCP", port: 80)])
        let client = Self.pod("default", "client", ["app": "client"], ip: "10.65.0.3", node: "node-a")
        cluster.pods = [web0, web1, client]
        cluster.kubernetesPolicies = [
            KubernetesNetworkPolicy(meta: ObjectMeta(name: "web-http", namespace: "default"),
                                    podSelector: LabelSelector(matchLabels: ["app": "web"]),
                                    ingress: [.init(ports: [.init(port: .name("http"))])], policyTypes: [.ingress]),
            KubernetesNetworkPolicy(meta: ObjectMeta(name: "client-out", namespace: "default"),
                                    podSelector: LabelSelector(matchLabels: ["app": "client"]),
                                    egress: [.init(ports: [.init(proto: "TCP", port: .name("http"))])], policyTypes: [.egress]),
        ]
        let w0 = Peer.pod(PodPeer(web0)), w1 = Peer.pod(PodPeer(web1)), c = Peer.pod(PodPeer(client))
        _ = try check(cluster, [
            Expectation(from: c, to: w0, port: 8080, allowed: true),
            Expectation(from: c, to: w0, port: 80, allowed: false),
            Expectation(from: c, to: w1, port: 80, allowed: true),
            Expectation(from: c, to: w1, port: 8080, allowed: false),
            Expectation(from: c, to: .external("203.0.113.7"), port: 80, allowed: false),
            Expectation(from: .external("203.0.113.7"), to: w0, port: 8080, allowed: true),
            Expectation(from: .external("203.0.113.7"), to: w0, port: 80, allowed: false),
            Expectation(from: w1, to: w0, port: 8080, allowed: true),
            Expectation(from: w0, to: c, proto: "UDP", port: 53, allowed: true),
        ], layout: layout)
    }

    /// One peer with both selectors (AND) against two peers (OR); endPort ranges.
    @Test(arguments: [FelixLayout.modern, FelixLayout.legacy])
    func namespaceAndPodSelectorsAndRanges(layout: FelixLayout) throws {
        var cluster = Cluster()
        cluster.namespaces = [Self.namespace("prod", ["env": "prod"]), Self.namespace("dev", ["env": "dev"])]
        cluster.nodes = [KubernetesNode(meta: ObjectMeta(name: "node-a"), internalIPs: ["192.168.0.10"]),
                         KubernetesNode(meta: ObjectMeta(name: "node-b"), internalIPs: ["192.168.0.11"])]
        let db = Self.pod("prod", "db", ["app": "db"], ip: "10.65.0.2", node: "node-a")
        let cache = Self.pod("prod", "cache", ["app": "cache"], ip: "10.65.0.3", node: "node-a")
        let prodAPI = Self.pod("prod", "api", ["app": "api"], ip: "10.65.0.4", node: "node-a")
        let devAPI = Self.pod("dev", "api", ["app": "api"], ip: "10.66.0.10", node: "node-b")
        let devWeb = Self.pod("dev", "web", ["app": "web"], ip: "10.66.0.11", node: "node-b")
        cluster.pods = [db, cache, prodAPI, devAPI, devWeb]
        let prod = LabelSelector(matchLabels: ["env": "prod"]), api = LabelSelector(matchLabels: ["app": "api"])
        cluster.kubernetesPolicies = [
            // db: api pods of prod namespaces only (AND), TCP 5000-5432.
            KubernetesNetworkPolicy(meta: ObjectMeta(name: "db-and", namespace: "prod"), podSelector: LabelSelector(matchLabels: ["app": "db"]),
                                    ingress: [.init(peers: [.init(podSelector: api, namespaceSelector: prod)],
                                                    ports: [.init(proto: "TCP", port: .number(5000), endPort: 5432)])]),
            // cache: pods of prod namespaces, or api pods of the policy's namespace (OR), any port.
            KubernetesNetworkPolicy(meta: ObjectMeta(name: "cache-or", namespace: "prod"), podSelector: LabelSelector(matchExpressions: [.init(key: "app", op: .in, values: ["cache"])]),
                                    ingress: [.init(peers: [.init(namespaceSelector: LabelSelector(matchExpressions: [.init(key: "env", op: .notIn, values: ["prod"])])),
                                                            .init(podSelector: api)])]),
        ]
        let dbPeer = Peer.pod(PodPeer(db)), cachePeer = Peer.pod(PodPeer(cache)), prodAPIPeer = Peer.pod(PodPeer(prodAPI))
        let devAPIPeer = Peer.pod(PodPeer(devAPI)), devWebPeer = Peer.pod(PodPeer(devWeb))
        _ = try check(cluster, [
            Expectation(from: prodAPIPeer, to: dbPeer, port: 5432, allowed: true),
            Expectation(from: prodAPIPeer, to: dbPeer, port: 5000, allowed: true),
            Expectation(from: prodAPIPeer, to: dbPeer, port: 5433, allowed: false),
            Expectation(from: prodAPIPeer, to: dbPeer, port: 4999, allowed: false),
            Expectation(from: devAPIPeer, to: dbPeer, port: 5432, allowed: false),
            Expectation(from: cachePeer, to: dbPeer, port: 5432, allowed: false),
            Expectation(from: devWebPeer, to: cachePeer, port: 6379, allowed: true),
            Expectation(from: prodAPIPeer, to: cachePeer, port: 6379, allowed: true),
            Expectation(from: dbPeer, to: cachePeer, port: 6379, allowed: false),
            Expectation(from: .external("203.0.113.7"), to: cachePeer, port: 6379, allowed: false),
        ], layout: layout)
    }

    /// The evaluator alone, on selector operators and ipBlock, against the documentation.
    @Test func evaluatorSelectorsAndIPBlocks() {
        let labels = ["app": "web", "tier": "front"]
        #expect(KubernetesSemantics.selects(LabelSelector(), labels: [:]))
        #expect(KubernetesSemantics.selects(LabelSelector(matchLabels: ["app": "web"]), labels: labels))
        #expect(!KubernetesSemantics.selects(LabelSelector(matchLabels: ["app": "web", "tier": "back"]), labels: labels))
        #expect(KubernetesSemantics.selects(LabelSelector(matchExpressions: [.init(key: "app", op: .in, values: ["db", "web"])]), labels: labels))
        #expect(!KubernetesSemantics.selects(LabelSelector(matchExpressions: [.init(key: "role", op: .in, values: ["db"])]), labels: labels))
        #expect(KubernetesSemantics.selects(LabelSelector(matchExpressions: [.init(key: "role", op: .notIn, values: ["db"])]), labels: labels))
        #expect(!KubernetesSemantics.selects(LabelSelector(matchExpressions: [.init(key: "app", op: .notIn, values: ["web"])]), labels: labels))
        #expect(KubernetesSemantics.selects(LabelSelector(matchExpressions: [.init(key: "tier", op: .exists)]), labels: labels))
        #expect(!KubernetesSemantics.selects(LabelSelector(matchExpressions: [.init(key: "tier", op: .doesNotExist)]), labels: labels))
        #expect(KubernetesSemantics.selects(LabelSelector(matchExpressions: [.init(key: "role", op: .doesNotExist)]), labels: labels))
        let block = KubernetesNetworkPolicy.IPBlock(cidr: "172.17.0.0/16", except: ["172.17.1.0/24"])
        #expect(KubernetesSemantics.ipBlockContains(block, address: "172.17.0.1"))
        #expect(!KubernetesSemantics.ipBlockContains(block, address: "172.17.1.1"))
        #expect(!KubernetesSemantics.ipBlockContains(block, address: "172.18.0.1"))
        #expect(KubernetesSemantics.ipBlockContains(.init(cidr: "0.0.0.0/0"), address: "8.8.8.8"))
        #expect(KubernetesSemantics.ipBlockContains(.init(cidr: "10.65.0.2/32"), address: "10.65.0.2"))
        // policyTypes default: Ingress always, Egress only with egress rules.
        let plain = KubernetesNetworkPolicy(meta: ObjectMeta(name: "p", namespace: "default"))
        #expect(KubernetesSemantics.policyTypes(plain) == [.ingress])
        let withEgress = KubernetesNetworkPolicy(meta: ObjectMeta(name: "p", namespace: "default"), egress: [.init()])
        #expect(KubernetesSemantics.policyTypes(withEgress) == [.ingress, .egress])
    }
}
