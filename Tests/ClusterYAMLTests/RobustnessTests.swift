import CalicoModel
@testable import ClusterYAML
import PolicyTestSupport
import Testing

/// Random mutations of a valid document never crash the loader: each either loads or gives an
/// error with a line inside the text.
@Suite struct RobustnessTests {
    static let document = """
    apiVersion: v1
    kind: List
    items:
    - apiVersion: v1
      kind: Pod
      metadata:
        name: web-1
        namespace: shop
        labels: {app: web, version: 1.10}
      spec:
        nodeName: node-a
        containers:
        - name: app
          ports:
          - {name: http, containerPort: 8080, protocol: TCP}
      status:
        podIP: 10.0.1.5
    - apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: api, namespace: shop}
      spec:
        podSelector:
          matchExpressions:
          - {key: app, operator: In, values: [api]}
        ingress:
        - from:
          - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
          ports:
          - {protocol: UDP, port: 5000, endPort: 5010}
          - port: http
    ---
    - apiVersion: projectcalico.org/v3
      kind: GlobalNetworkPolicy
      metadata: {name: security.gnp}
      spec:
        tier: security
        order: 10
        selector: has(host-endpoint)
        doNotTrack: true
        applyOnForward: true
        ingress:
        - action: Allow
          protocol: TCP
          source: {nets: [10.0.0.0/8], ports: ["1024:65535"]}
          destination: {ports: [80, http, "8000:8080"]}
        - action: deny
          protocol: ICMP
          icmp: {type: 8, code: 0}
          metadata: {annotations: {why: ping}}
    - apiVersion: projectcalico.org/v3
      kind: FelixConfiguration
      metadata: {name: default}
      spec:
        iptablesMarkMask: 0xffff0000
        failsafeInboundHostPorts: [{protocol: tcp, port: 22}]
        chainInsertMode: Insert
    - apiVersion: projectcalico.org/v3
      kind: WorkloadEndpoint
      metadata: {name: w, namespace: shop}
      spec: {node: node-a, interfaceName: cali1, ports: [{name: http, port: 8080}]}

    """

    @Test func theDocumentLoads() throws {
        let cluster = try ClusterLoader.load(yaml: Self.document, file: "valid.yaml")
        #expect(cluster.pods.count == 1)
        #expect(cluster.kubernetesPolicies.count == 1)
        #expect(cluster.calicoPolicies.count == 1)
        #expect(cluster.felixConfigurations.count == 1)
        #expect(cluster.workloadEndpoints.count == 1)
    }

    /// Byte flips, insertions, deletions, truncations and line swaps, from a fixed seed.
    @Test func randomMutationsNeverCrash() {
        var random = ClusterRandom(seed: 0x5eed_c1a5_7e12)
        let original = Array(Self.document.utf8)
        let lineCount = Self.document.split(separator: "\n", omittingEmptySubsequences: false).count
        let alphabet = Array(" \t\n-:[]{}#&*!|>'\"%@`,?~0123456789xX.aZ\u{0}".utf8) + [0xff, 0xc3, 0x80]
        var loaded = 0, failed = 0
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0...random.below(4) {
                guard !bytes.isEmpty else { break }
                let at = random.below(bytes.count)
                switch random.below(6) {
                case 0: bytes[at] = alphabet[random.below(alphabet.count)]
                case 1: bytes[at] ^= UInt8(1 << random.below(8))
                case 2: bytes.insert(alphabet[random.below(alphabet.count)], at: at)
                case 3: bytes.remove(at: at)
                case 4: bytes.removeSubrange(at...)
                default:
                    let length = min(random.below(40), bytes.count - at)
                    let chunk = bytes[at..<(at + length)]
                    bytes.insert(contentsOf: chunk, at: random.below(bytes.count))
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            do {
                _ = try ClusterLoader.load(yaml: text, file: "mutant.yaml")
                loaded += 1
            } catch {
                failed += 1
                #expect(error.file == "mutant.yaml")
                #expect(error.line >= 1 && error.line <= lineCount + 40, "\(error)")
                #expect(!error.message.isEmpty)
            }
        }
        #expect(loaded + failed == 3000)
        #expect(failed > 0)
    }

    /// Every prefix of the document, cut at each line and inside lines.
    @Test func truncationsNeverCrash() {
        let characters = Array(Self.document)
        var cut = 0
        while cut <= characters.count {
            let text = String(characters[..<cut])
            do { _ = try ClusterLoader.load(yaml: text, file: "t.yaml") } catch { #expect(error.line >= 1, "\(error)") }
            cut += 7
        }
    }

    @Test func hostileScalarsAreErrorsNotTraps() {
        let values = ["1:2:3:4:5:6:7:8:9:10:11:12:13:14:15", "0x" + String(repeating: "f", count: 40), "-9223372036854775809",
                      "9223372036854775807", String(repeating: "9", count: 400), "1e400", ".nan", "-.inf", "0o777777777777777777777777"]
        for value in values {
            for field in ["order: \(value)", "ingress: [{action: Allow, protocol: \(value)}]", "ingress: [{action: Allow, ipVersion: \(value)}]",
                          "ingress: [{action: Allow, protocol: TCP, destination: {ports: [\(value)]}}]"] {
                let yaml = "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: a}\nspec:\n  \(field)\n"
                do { _ = try ClusterLoader.load(yaml: yaml, file: "h.yaml") } catch { #expect(error.line == 5, "\(error)") }
            }
            let felix = "apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: a}\nspec:\n  iptablesMarkMask: \(value)\n  vxlanPort: \(value)\n"
            do { _ = try ClusterLoader.load(yaml: felix, file: "h.yaml") } catch { #expect(error.line == 5 || error.line == 6, "\(error)") }
        }
        // Deep nesting stops at libyaml's limit instead of exhausting the stack.
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        #expect(throws: ClusterLoadError.self) { try ClusterLoader.load(yaml: deep, file: "deep.yaml") }
    }
}

@Suite struct AliasTests {
    /// Lists of ten lists of ten lists … of namespaces: 10^9 objects written in a few hundred bytes.
    @Test func aliasBombsEndInAnError() {
        var yaml = "apiVersion: v1\nkind: List\nmetadata:\n  a0: &a0 {apiVersion: v1, kind: Namespace, metadata: {name: n}}\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            yaml += "  a\(level): &a\(level) {apiVersion: v1, kind: List, items: [\(refs)]}\n"
        }
        yaml += "items: [*a9]\n"
        do {
            var cluster = Cluster()
            // The same limit as the public entry points, smaller to keep the test quick.
            try ClusterLoader.load(yaml: yaml, file: "bomb.yaml", into: &cluster, objectBudget: 20_000)
            Issue.record("loaded")
        } catch {
            #expect(error.message == "expected fewer objects in one file: aliases repeat lists of lists beyond the limit", "\(error)")
            #expect(error.line == 4)
        }
    }
}
