import CalicoModel
import ClusterYAML
import Foundation
import Testing

/// One malformed input per kind of load error in Fixtures/clusters/malformed; each file's first
/// line says `# expect: LINE: message`, the exact message the loader must give. A file without
/// that line must load as an empty cluster.
@Suite struct MalformedCatalogueTests {
    static let files = FixtureFiles.list("clusters/malformed", suffix: ".yaml")

    @Test func catalogueCoversTheRequiredCases() {
        let names = Set(Self.files.map { URL(fileURLWithPath: $0).lastPathComponent })
        for name in ["yaml-syntax-error.yaml", "wrong-type.yaml", "unknown-kind.yaml", "unknown-api-version.yaml", "bad-port.yaml",
                     "bad-action.yaml", "typo-field.yaml", "v1-policy.yaml", "missing-name.yaml", "tabs-indentation.yaml", "empty.yaml",
                     "bad-service.yaml", "bad-endpoint-slice.yaml"] {
            #expect(names.contains(name), "\(name)")
        }
    }

    @Test(arguments: files)
    func reportsFileLineAndMessage(_ relative: String) throws {
        let path = FixtureFiles.url(relative).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let header = text.split(separator: "\n").first(where: { $0.hasPrefix("# expect: ") }) else {
            #expect(try ClusterLoader.load(paths: [path]) == Cluster())
            return
        }
        let spec = header.dropFirst("# expect: ".count)
        let colon = try #require(spec.firstIndex(of: ":"))
        let line = try #require(Int(spec[..<colon]))
        let message = String(spec[spec.index(colon, offsetBy: 2)...])
        do {
            _ = try ClusterLoader.load(paths: [path])
            Issue.record("\(relative) loaded without error")
        } catch {
            #expect(error.file == path)
            #expect(error.line == line)
            #expect(error.message == message)
            #expect(error.description == "\(path):\(line): \(message)")
        }
        // The same text given directly fails the same way.
        #expect(throws: ClusterLoadError(file: "inline", line: line, message: message)) {
            try ClusterLoader.load(yaml: text, file: "inline")
        }
    }

    static let inlineCases: [(yaml: String, line: Int, message: String)] = [
        ("apiVersion: v1\nkind: Namespace\n", 1, "missing required field \"metadata\""),
        ("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"\"\n", 4, "metadata.name: expected a non-empty name"),
        ("kind: Namespace\nmetadata: {name: a}\n", 1, "missing required field \"apiVersion\": expected v1 for kind Namespace"),
        ("apiVersion: projectcalico.org/v3\nkind: Pod\nmetadata: {name: a}\n", 1, "unknown apiVersion \"projectcalico.org/v3\" for kind Pod: expected v1"),
        ("apiVersion: v1\nkind: profile\nmetadata: {name: a}\n", 2,
         "kind \"profile\" with apiVersion v1 is a Calico v1 object (calicoctl 1.x/2.x): expected a Kubernetes NetworkPolicy (networking.k8s.io/v1) or a projectcalico.org/v3 object (calicoctl convert turns v1 objects into v3)"),
        ("- 1\n- 2\n", 1, "expected a Kubernetes or Calico object (a mapping with apiVersion and kind), found an integer"),
        ("apiVersion: v1\nkind: List\nitems: {a: b}\n", 3, "items: expected a sequence, found a mapping"),
        ("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: a}\nspec:\n  ingress:\n  - protocol: TCP\n", 6,
         "spec.ingress[0]: missing required field \"action\""),
        ("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: a}\nspec:\n  selectr: all()\n", 5,
         "unknown field \"selectr\" in spec: expected one of tier, order, selector, namespaceSelector, serviceAccountSelector, types, ingress, egress, preDNAT, doNotTrack, applyOnForward, performanceHints"),
        ("apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  preDNAT: true\n", 5,
         "unknown field \"preDNAT\" in spec: expected one of tier, order, selector, serviceAccountSelector, types, ingress, egress, performanceHints"),
        ("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: a}\nspec:\n  egress:\n  - action: Allow\n    destination:\n      prots: [80]\n", 8,
         "unknown field \"prots\" in spec.egress[0].destination: expected one of nets, notNets, selector, notSelector, namespaceSelector, serviceAccounts, ports, notPorts"),
        ("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: a}\nspec:\n  egress:\n  - action: Allow\n    protocol: TCP\n    destination:\n      ports: [80-90]\n", 9,
         "spec.egress[0].destination.ports[0]: expected a port number, a range \"first:last\" or a port name, found \"80-90\""),
        ("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: a}\nspec:\n  egress:\n  - action: Allow\n    protocol: TCP\n    destination:\n      ports: [\"1:2:3\"]\n", 9,
         "spec.egress[0].destination.ports[0]: expected a range \"first:last\" of port numbers from 0 to 65535, found \"1:2:3\""),
        ("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: a}\nspec:\n  egress:\n  - action: Allow\n    ipVersion: 5\n", 7,
         "spec.egress[0].ipVersion: expected 4 or 6, found 5"),
        ("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: a}\nspec:\n  egress:\n  - action: Allow\n    protocol: 256\n", 7,
         "spec.egress[0].protocol: expected an integer from 0 to 255, found 256"),
        ("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: a}\nspec:\n  egress:\n  - action: Allow\n    icmp: {type: 8}\n", 7,
         "spec.egress[0].icmp: expected icmp only in a rule with protocol ICMP or ICMPv6"),
        ("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: a}\nspec:\n  types: [ingress]\n", 5,
         "spec.types[0]: expected Ingress or Egress, found \"ingress\""),
        ("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: a}\nspec:\n  order: \"10\"\n", 5,
         "spec.order: expected a number, found a string"),
        ("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: a}\nspec:\n  preDNAT: true\n", 5,
         "spec.preDNAT: expected applyOnForward: true with preDNAT: true"),
        ("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: a}\nspec:\n  ingress:\n  - action: Allow\n    http: {methods: [GET]}\n", 7,
         "spec.ingress[0].http: expected no http match: application-layer policy is not simulated"),
        ("apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: t}\nspec: {defaultAction: Allow}\n", 4,
         "spec.defaultAction: expected Deny or Pass, found \"Allow\""),
        ("apiVersion: projectcalico.org/v3\nkind: WorkloadEndpoint\nmetadata: {name: w}\nspec:\n  node: a\n", 4,
         "spec: missing required field \"interfaceName\""),
        ("apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\n", 1, "missing required field \"spec\""),
        ("apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec:\n  chainInsertMode: Prepend\n", 5,
         "spec.chainInsertMode: expected Insert or Append, found \"Prepend\""),
        ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  ingress:\n  - to: []\n", 6,
         "unknown field \"to\" in spec.ingress[0]: expected one of from, ports"),
        ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  podSelector:\n    matchLabel: {app: web}\n", 6,
         "unknown field \"matchLabel\" in spec.podSelector: expected one of matchLabels, matchExpressions"),
        ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  podSelectr: {}\n", 5,
         "unknown field \"podSelectr\" in spec: expected one of podSelector, policyTypes, ingress, egress"),
        ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  ingress:\n  - ports:\n    - port: 0\n", 7,
         "spec.ingress[0].ports[0].port: expected an integer from 1 to 65535, found 0"),
        ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  ingress:\n  - ports:\n    - port: Web_Port\n", 7,
         "spec.ingress[0].ports[0].port: expected an integer or a port name (at most 15 lower-case letters, digits and '-', with at least one letter), found \"Web_Port\""),
        ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  ingress:\n  - ports:\n    - {port: 90, endPort: 80}\n", 7,
         "spec.ingress[0].ports[0].endPort: expected endPort to be at least port 90, found 80"),
        ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  ingress:\n  - ports:\n    - {protocol: ICMP}\n", 7,
         "spec.ingress[0].ports[0].protocol: expected one of TCP, UDP, SCTP, found \"ICMP\""),
        ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  egress:\n  - to:\n    - {}\n", 7,
         "spec.egress[0].to[0]: expected at least one of podSelector, namespaceSelector, ipBlock"),
        ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  egress:\n  - to:\n    - ipBlock: {}\n", 7,
         "spec.egress[0].to[0].ipBlock: missing required field \"cidr\""),
        ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  podSelector:\n    matchExpressions:\n    - {key: app, operator: In}\n", 7,
         "spec.podSelector.matchExpressions[0]: expected values for operator In"),
        ("apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  type: Nodeport2\n", 5,
         "spec.type: expected one of ClusterIP, NodePort, LoadBalancer, ExternalName, found \"Nodeport2\""),
        ("apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  clusterIP: 10.96.0.300\n", 5,
         "spec.clusterIP: expected an IP address, \"None\" or \"\", found \"10.96.0.300\""),
        ("apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  externalTrafficPolcy: Local\n", 5,
         "unknown field \"externalTrafficPolcy\" in spec: expected one of type, clusterIP, clusterIPs, ports, selector, externalIPs, externalTrafficPolicy, internalTrafficPolicy, loadBalancerSourceRanges, loadBalancerIP, loadBalancerClass, healthCheckNodePort, sessionAffinity, sessionAffinityConfig, externalName, publishNotReadyAddresses, ipFamilies, ipFamilyPolicy, allocateLoadBalancerNodePorts, trafficDistribution"),
        ("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: a, labels: {kubernetes.io/service-name: s}}\n", 1,
         "missing required field \"addressType\""),
        ("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: a\naddressType: IPv4\n", 4,
         "metadata: expected the label kubernetes.io/service-name naming the slice's Service (kube-proxy ignores a slice without it)"),
        ("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: a, labels: {kubernetes.io/service-name: s}}\naddressType: IPv4\nendpoints:\n- addresses: [10.0.0.1]\n  conditions: {ready: yes-ish}\n", 7,
         "endpoints[0].conditions.ready: expected a boolean (true or false), found a string"),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - ports:\n    - containerPort: http\n", 7,
         "spec.containers[0].ports[0].containerPort: expected an integer, found a string"),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: [app]\n", 5, "metadata.labels: expected a mapping, found a sequence"),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - ports:\n    - containerPort: 99999999999999999999999\n", 7,
         "spec.containers[0].ports[0].containerPort: expected an integer, found 99999999999999999999999, which is too large"),
        ("apiVersion: v1\nkind: Namespace\nmetadata: &m {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: *nope\n", 7,
         "YAML syntax error: found undefined alias"),
        ("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n \tlabels: {}\n", 5,
         "YAML syntax error: found a tab character that violates indentation (while scanning a plain scalar at line 4); tabs are not allowed in YAML indentation, indent with spaces"),
        ("a: \"\\uD800\"\n", 1, "YAML syntax error: found invalid Unicode character escape code (while parsing a quoted scalar at line 1)"),
        ("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n\u{1}\n", 4, "YAML syntax error: control characters are not allowed (character U+0001)"),
    ]

    @Test(arguments: 0..<inlineCases.count)
    func inlineErrors(_ index: Int) {
        let (yaml, line, message) = Self.inlineCases[index]
        do {
            _ = try ClusterLoader.load(yaml: yaml, file: "case.yaml")
            Issue.record("case \(index) loaded: \(yaml)")
        } catch {
            #expect(error.line == line, "case \(index): \(error)")
            #expect(error.message == message, "case \(index): \(error)")
            #expect(error.file == "case.yaml")
        }
    }
}
