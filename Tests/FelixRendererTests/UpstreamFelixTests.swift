import CalicoModel
import ClusterYAML
import FelixRenderer
import Testing

// felix's own unit-test expectations (projectcalico/calico felix/rules/*_test.go), reproduced
// through pathsim's public path: a cluster is written as YAML, rendered for its node, and the
// chains felix's tests spell out are read back from the iptables-save text. Upstream compares
// rule structs without hashes; here every `cali:` hash comment is removed before comparing.
// Where the upstream table has a row for a feature pathsim does not render (kube-proxy IPVS
// endpoint marks, BPF), that row is left out and named in the test.

/// A rendered node's rules, per table and chain, without felix's `cali:` hash comments.
struct RenderedTables {
    var chains: [String: [String: [String]]] = [:]

    init(_ rendered: RenderedNode) {
        var table = ""
        for line in lines(rendered.files["iptables-save.txt"]!) {
            if line.hasPrefix("*") { table = String(line.dropFirst()) }
            if line.hasPrefix(":") {
                let name = String(line.dropFirst().prefix { $0 != " " })
                chains[table, default: [:]][name, default: []] = []
            }
            guard line.hasPrefix("-A ") else { continue }
            let words = line.dropFirst(3)
            let chain = String(words.prefix { $0 != " " })
            var body = String(words.dropFirst(chain.count + 1))
            if let hash = body.range(of: #"-m comment --comment "cali:[A-Za-z0-9_-]{16}" ?"#, options: .regularExpression) {
                body.removeSubrange(hash)
            }
            chains[table, default: [:]][chain, default: []].append(body)
        }
    }

    func rules(_ table: String, _ chain: String) -> [String]? { chains[table]?[chain] }

    /// The chains of `table` named `root` or `root-<suffix>`.
    func family(_ table: String, _ root: String) -> Set<String> {
        Set((chains[table] ?? [:]).keys.filter { $0 == root || $0.hasPrefix(root + "-") })
    }
}

/// One node, node-a (eth0 192.168.0.10), plus `objects`.
func renderTables(_ objects: String, natOutgoing: Bool = true, layout: FelixLayout = .modern) throws -> RenderedTables {
    let yaml = """
        apiVersion: v1
        kind: Node
        metadata:
          name: node-a
        status:
          addresses:
          - type: InternalIP
            address: 192.168.0.10
        ---
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata:
          name: pool
        spec:
          cidr: 10.65.0.0/16
          natOutgoing: \(natOutgoing)

        """ + objects
    let cluster = try ClusterLoader.load(yaml: yaml, file: "test.yaml")
    return RenderedTables(try FelixRenderer.render(cluster, node: "node-a", options: RenderOptions(layout: layout)))
}

func workloadEndpoints(_ interfaces: [String]) -> String {
    """
    ---
    apiVersion: v1
    kind: Namespace
    metadata:
      name: default

    """ + interfaces.enumerated().map { index, interface in
        """
        ---
        apiVersion: projectcalico.org/v3
        kind: WorkloadEndpoint
        metadata:
          name: node--a-k8s-workload--\(index)-eth0
          namespace: default
        spec:
          node: node-a
          orchestrator: k8s
          pod: workload-\(index)
          endpoint: eth0
          interfaceName: \(interface)
          ipNetworks: [10.65.0.\(index + 2)/32]

        """
    }.joined()
}

func hostEndpoints(_ interfaces: [String]) -> String {
    interfaces.map { interface in
        """
        ---
        apiVersion: projectcalico.org/v3
        kind: HostEndpoint
        metadata:
          name: node-a-\(interface == "*" ? "all" : interface)
        spec:
          node: node-a
          interfaceName: "\(interface)"

        """
    }.joined()
}

func felixConfiguration(_ fields: String) -> String {
    """
    ---
    apiVersion: projectcalico.org/v3
    kind: FelixConfiguration
    metadata:
      name: default
    spec:
    \(fields.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))

    """
}

/// Upstream's rule constructors, as iptables-save prints them.
enum Upstream {
    static func inboundGoto(_ interface: String, _ target: String) -> String { "-i \(interface) -g \(target)" }
    static func outboundGoto(_ interface: String, _ target: String) -> String { "-o \(interface) -g \(target)" }
    static func goto(_ target: String) -> String { "-g \(target)" }
    static let unknownInterfaceDrop = #"-m comment --comment "Unknown interface" -j DROP"#
}

/// felix/rules/dispatch_test.go
@Suite("felix dispatch_test.go")
struct UpstreamDispatchTests {
    typealias Chains = [String: [String]]

    /// "workload rendering tests" with kubeIPVSEnabled false (pathsim renders no IPVS
    /// endpoint-mark chains, the `true` half of the table).
    static let workloadCases: [(name: String, interfaces: [String], chains: Chains)] = [
        ("nil map", [], [
            "cali-from-wl-dispatch": [Upstream.unknownInterfaceDrop],
            "cali-to-wl-dispatch": [Upstream.unknownInterfaceDrop],
        ]),
        ("single interface", ["cali1234"], [
            "cali-from-wl-dispatch": [Upstream.inboundGoto("cali1234", "cali-fw-cali1234"), Upstream.unknownInterfaceDrop],
            "cali-to-wl-dispatch": [Upstream.outboundGoto("cali1234", "cali-tw-cali1234"), Upstream.unknownInterfaceDrop],
        ]),
        ("interfaces sharing prefix", ["cali1234", "cali2333", "cali2444"], [
            "cali-from-wl-dispatch-2": [Upstream.inboundGoto("cali2333", "cali-fw-cali2333"), Upstream.inboundGoto("cali2444", "cali-fw-cali2444"),
                                        Upstream.unknownInterfaceDrop],
            "cali-from-wl-dispatch": [Upstream.inboundGoto("cali1234", "cali-fw-cali1234"), Upstream.inboundGoto("cali2+", "cali-from-wl-dispatch-2"),
                                      Upstream.unknownInterfaceDrop],
            "cali-to-wl-dispatch-2": [Upstream.outboundGoto("cali2333", "cali-tw-cali2333"), Upstream.outboundGoto("cali2444", "cali-tw-cali2444"),
                                      Upstream.unknownInterfaceDrop],
            "cali-to-wl-dispatch": [Upstream.outboundGoto("cali1234", "cali-tw-cali1234"), Upstream.outboundGoto("cali2+", "cali-to-wl-dispatch-2"),
                                    Upstream.unknownInterfaceDrop],
        ]),
        ("Multiple interfaces sharing multiple prefixes", ["cali11", "cali12", "cali13", "cali21", "cali22"], [
            "cali-from-wl-dispatch-1": ["cali11", "cali12", "cali13"].map { Upstream.inboundGoto($0, "cali-fw-\($0)") } + [Upstream.unknownInterfaceDrop],
            "cali-from-wl-dispatch-2": ["cali21", "cali22"].map { Upstream.inboundGoto($0, "cali-fw-\($0)") } + [Upstream.unknownInterfaceDrop],
            "cali-from-wl-dispatch": [Upstream.inboundGoto("cali1+", "cali-from-wl-dispatch-1"), Upstream.inboundGoto("cali2+", "cali-from-wl-dispatch-2"),
                                      Upstream.unknownInterfaceDrop],
            "cali-to-wl-dispatch-1": ["cali11", "cali12", "cali13"].map { Upstream.outboundGoto($0, "cali-tw-\($0)") } + [Upstream.unknownInterfaceDrop],
            "cali-to-wl-dispatch-2": ["cali21", "cali22"].map { Upstream.outboundGoto($0, "cali-tw-\($0)") } + [Upstream.unknownInterfaceDrop],
            "cali-to-wl-dispatch": [Upstream.outboundGoto("cali1+", "cali-to-wl-dispatch-1"), Upstream.outboundGoto("cali2+", "cali-to-wl-dispatch-2"),
                                    Upstream.unknownInterfaceDrop],
        ]),
        // Upstream: "Duplicate interfaces could occur during transient misconfigurations ...
        // we should still render something sensible."
        ("duplicate interface", ["cali1234", "cali1234"], [
            "cali-from-wl-dispatch": [Upstream.inboundGoto("cali1234", "cali-fw-cali1234"), Upstream.unknownInterfaceDrop],
            "cali-to-wl-dispatch": [Upstream.outboundGoto("cali1234", "cali-tw-cali1234"), Upstream.unknownInterfaceDrop],
        ]),
    ]

    @Test(arguments: 0..<workloadCases.count)
    func workloadDispatch(_ index: Int) throws {
        let (name, interfaces, expected) = Self.workloadCases[index]
        let tables = try renderTables(workloadEndpoints(interfaces))
        Self.check(name, tables, "filter", expected, roots: ["cali-from-wl-dispatch", "cali-to-wl-dispatch"])
    }

    /// The host-endpoint tables: interfaces → expected chains (without `root-` children named
    /// here there must be none). `forward` adds the `-hep-forward` pair (applyOnForward, which
    /// felix ≥3.x always renders); `defaultInterface` is the `*` host endpoint, whose chains
    /// end every dispatch chain (upstream's "with default interface name" table, with felix's
    /// real name for `*`).
    static func hostChains(_ interfaces: [String], forward: Bool, defaultInterface: String? = nil) -> Chains {
        var chains: Chains = [:]
        let pairs = [("cali-from-host-endpoint", "cali-fh-", true), ("cali-to-host-endpoint", "cali-th-", false)]
            + (forward ? [("cali-from-hep-forward", "cali-fhfw-", true), ("cali-to-hep-forward", "cali-thfw-", false)] : [])
        for (root, prefix, inbound) in pairs {
            func goto(_ interface: String, _ target: String) -> String {
                inbound ? Upstream.inboundGoto(interface, target) : Upstream.outboundGoto(interface, target)
            }
            let end = defaultInterface.map { [Upstream.goto(lengthLimited(prefix, $0))] } ?? []
            let groups = Dictionary(grouping: interfaces) { String($0.prefix(4)) }
            if groups.count == 1 || interfaces.count < 2 {
                chains[root] = interfaces.map { goto($0, prefix + $0) } + end
                continue
            }
            // Upstream's tables split one level below the common prefix "eth".
            var rootRules: [String] = []
            for key in groups.keys.sorted() {
                let members = groups[key]!
                if members.count == 1 {
                    rootRules.append(goto(members[0], prefix + members[0]))
                } else {
                    let child = "\(root)-\(key.dropFirst(3))"
                    rootRules.append(goto(key + "+", child))
                    chains[child] = members.map { goto($0, prefix + $0) } + end
                }
            }
            chains[root] = rootRules + end
        }
        return chains
    }

    /// felix's GetLengthLimitedID for these names: over 28 characters, the suffix becomes "_" and
    /// the start of base64url(SHA-256(suffix)) (python3: hashlib.sha256(b"any-interface-at-all")).
    static func lengthLimited(_ prefix: String, _ name: String) -> String {
        let known = ["any-interface-at-all": "_Nqh4HyA73udmyanQI"]
        guard prefix.count + name.count > 28, let hash = known[name] else { return prefix + name }
        return prefix + hash.prefix(28 - prefix.count)
    }

    static let hostInterfaceCases: [(name: String, interfaces: [String])] = [
        ("nil map", []),
        ("single interface", ["eth1234"]),
        ("interfaces sharing prefix", ["eth1234", "eth2333", "eth2444"]),
        ("Multiple interfaces sharing multiple prefixes", ["eth11", "eth12", "eth13", "eth21", "eth22"]),
    ]

    /// "host endpoint rendering tests apply on forward": the filter table.
    @Test(arguments: 0..<hostInterfaceCases.count)
    func hostDispatchApplyOnForward(_ index: Int) throws {
        let (name, interfaces) = Self.hostInterfaceCases[index]
        let tables = try renderTables(hostEndpoints(interfaces))
        Self.check(name, tables, "filter", Self.hostChains(interfaces, forward: true),
                   roots: ["cali-from-host-endpoint", "cali-to-host-endpoint", "cali-from-hep-forward", "cali-to-hep-forward"])
    }

    /// "host endpoint rendering tests apply on forward, with default interface name".
    @Test(arguments: 0..<hostInterfaceCases.count)
    func hostDispatchWithDefaultInterface(_ index: Int) throws {
        let (name, interfaces) = Self.hostInterfaceCases[index]
        let tables = try renderTables(hostEndpoints(interfaces + ["*"]))
        Self.check(name, tables, "filter", Self.hostChains(interfaces, forward: true, defaultInterface: "any-interface-at-all"),
                   roots: ["cali-from-host-endpoint", "cali-to-host-endpoint", "cali-from-hep-forward", "cali-to-hep-forward"])
    }

    /// "host endpoint rendering tests untracked": raw, for endpoints with doNotTrack policy
    /// (felix dispatches to a host endpoint in raw only when untracked policy applies to it).
    @Test(arguments: 0..<hostInterfaceCases.count)
    func hostDispatchUntracked(_ index: Int) throws {
        let (name, interfaces) = Self.hostInterfaceCases[index]
        let tables = try renderTables(hostEndpoints(interfaces) + Self.hostPolicy(doNotTrack: true))
        Self.check(name, tables, "raw", Self.hostChains(interfaces, forward: false), roots: ["cali-from-host-endpoint", "cali-to-host-endpoint"])
    }

    /// "host endpoint rendering tests preDNAT": mangle's from-host dispatch.
    @Test(arguments: 0..<hostInterfaceCases.count)
    func hostDispatchPreDNAT(_ index: Int) throws {
        let (name, interfaces) = Self.hostInterfaceCases[index]
        let tables = try renderTables(hostEndpoints(interfaces) + Self.hostPolicy(doNotTrack: false))
        let expected = Self.hostChains(interfaces, forward: false).filter { $0.key.hasPrefix("cali-from-") }
        Self.check(name, tables, "mangle", expected, roots: ["cali-from-host-endpoint"])
    }

    /// A policy for every host endpoint: doNotTrack (ingress and egress) or preDNAT (ingress).
    static func hostPolicy(doNotTrack: Bool) -> String {
        """
        ---
        apiVersion: projectcalico.org/v3
        kind: GlobalNetworkPolicy
        metadata:
          name: host-policy
        spec:
          selector: all()
          applyOnForward: true
          \(doNotTrack ? "doNotTrack: true" : "preDNAT: true")
          types: [Ingress\(doNotTrack ? ", Egress" : "")]
          ingress:
          - action: Allow
            protocol: TCP
            destination:
              ports: [22]
        \(doNotTrack ? "  egress:\n  - action: Allow\n" : "")
        """
    }

    static func check(_ name: String, _ tables: RenderedTables, _ table: String, _ expected: Chains, roots: [String]) {
        for (chain, rules) in expected {
            #expect(tables.rules(table, chain) == rules, "\(name): \(table) \(chain)")
        }
        for root in roots {
            let have = tables.family(table, root)
            let want = Set(expected.keys.filter { $0 == root || $0.hasPrefix(root + "-") })
            // An empty root chain is declared by felix either way; children must match exactly.
            #expect(have.subtracting([root]) == want.subtracting([root]), "\(name): \(table) chains under \(root)")
            if want.contains(root) == false { #expect(tables.rules(table, root) ?? [] == [], "\(name): \(table) \(root) should be empty") }
        }
    }
}

/// felix/rules/nat_test.go: `cali-nat-outgoing` for natOutgoing pools, with natOutgoingAddress,
/// natPortRange and iptablesNATOutgoingInterfaceFilter. Upstream's renderer has no
/// `--random-fully` (its features are off); pathsim renders felix's default on a modern kernel,
/// with it. iptables-save prints `-o` and `-p` before the `-m` matches felix wrote first.
@Suite("felix nat_test.go")
struct UpstreamNATTests {
    static let match = "-m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40network-ip-pools dst"

    static func natOutgoing(_ configuration: String, natOutgoing: Bool = true) throws -> [String]? {
        try renderTables(configuration.isEmpty ? "" : felixConfiguration(configuration), natOutgoing: natOutgoing).rules("nat", "cali-nat-outgoing")
    }

    @Test func activeRendersMasquerade() throws {
        #expect(try Self.natOutgoing("") == ["\(Self.match) -j MASQUERADE --random-fully"])
    }

    @Test func explicitSNATAddress() throws {
        #expect(try Self.natOutgoing("natOutgoingAddress: 192.168.0.1") == ["\(Self.match) -j SNAT --to-source 192.168.0.1 --random-fully"])
    }

    @Test func explicitPortRange() throws {
        #expect(try Self.natOutgoing("natPortRange: \"99:100\"") == [
            "-p tcp \(Self.match) -j MASQUERADE --to-ports 99-100 --random-fully",
            "-p tcp \(Self.match) -j RETURN",
            "-p udp \(Self.match) -j MASQUERADE --to-ports 99-100 --random-fully",
            "-p udp \(Self.match) -j RETURN",
            "\(Self.match) -j MASQUERADE --random-fully",
        ])
    }

    @Test func explicitPortRangeWithInterfaceFilter() throws {
        #expect(try Self.natOutgoing("natPortRange: \"99:100\"\niptablesNATOutgoingInterfaceFilter: cali-123") == [
            "-o cali-123 -p tcp \(Self.match) -j MASQUERADE --to-ports 99-100 --random-fully",
            "-o cali-123 -p tcp \(Self.match) -j RETURN",
            "-o cali-123 -p udp \(Self.match) -j MASQUERADE --to-ports 99-100 --random-fully",
            "-o cali-123 -p udp \(Self.match) -j RETURN",
            "-o cali-123 \(Self.match) -j MASQUERADE --random-fully",
        ])
    }

    @Test func explicitPortRangeAndSNATAddress() throws {
        #expect(try Self.natOutgoing("natPortRange: \"99:100\"\nnatOutgoingAddress: 192.168.0.1") == [
            "-p tcp \(Self.match) -j SNAT --to-source 192.168.0.1:99-100 --random-fully",
            "-p tcp \(Self.match) -j RETURN",
            "-p udp \(Self.match) -j SNAT --to-source 192.168.0.1:99-100 --random-fully",
            "-p udp \(Self.match) -j RETURN",
            "\(Self.match) -j SNAT --to-source 192.168.0.1 --random-fully",
        ])
    }

    @Test func inactiveRendersNothing() throws {
        #expect(try Self.natOutgoing("", natOutgoing: false) == [])
    }

    @Test func badPortRangeIsAnError() throws {
        #expect(throws: ClusterLoadError.self) { try Self.natOutgoing("natPortRange: \"100:99\"") }
        #expect(throws: ClusterLoadError.self) { try Self.natOutgoing("natPortRange: http") }
    }
}
