import CalicoModel
import ClusterYAML
import Testing

@Suite struct KubernetesKindTests {
    /// The seed: a kubectl listing from a 2018 article, a bare sequence holding one extensions/v1beta1 policy.
    @Test func seedLoadsAsOneExtensionsPolicy() throws {
        let yaml = """
        - apiVersion: extensions/v1beta1
          kind: NetworkPolicy
          metadata:
            name: web-deny-all
            namespace: default
          spec:
            podSelector:
              matchLabels:
                app: web
            policyTypes:
            - Ingress
        """
        let cluster = try ClusterLoader.load(yaml: yaml, file: "seed.yaml")
        #expect(cluster.kubernetesPolicies.count == 1)
        #expect(cluster.calicoPolicies.isEmpty)
        let policy = try #require(cluster.kubernetesPolicies.first)
        #expect(policy == KubernetesNetworkPolicy(
            meta: ObjectMeta(name: "web-deny-all", namespace: "default", source: SourceLocation(file: "seed.yaml", line: 1)),
            apiVersion: "extensions/v1beta1",
            podSelector: LabelSelector(matchLabels: ["app": "web"]),
            ingress: [], egress: [], policyTypes: [.ingress]))
    }

    @Test func namespaceAndServiceAccount() throws {
        let yaml = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels:
            team: retail
            kubernetes.io/metadata.name: shop
          annotations:
            owner: alice
        status:
          phase: Active
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: api
          namespace: shop
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: builder
        """
        let cluster = try ClusterLoader.load(yaml: yaml, file: "ns.yaml")
        #expect(cluster.namespaces == [KubernetesNamespace(meta: ObjectMeta(
            name: "shop", labels: ["team": "retail", "kubernetes.io/metadata.name": "shop"], annotations: ["owner": "alice"],
            source: SourceLocation(file: "ns.yaml", line: 1)))])
        #expect(cluster.serviceAccounts.map(\.meta.qualifiedName) == ["shop/api", "default/builder"])
        #expect(cluster.serviceAccounts.map(\.meta.source?.line) == [13, 19])
    }

    @Test func podWithEveryField() throws {
        let yaml = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-1
          namespace: shop
          labels:
            app: web
          managedFields:
          - manager: kubectl
        spec:
          nodeName: node-a
          serviceAccountName: web-sa
          hostNetwork: false
          containers:
          - name: app
            image: nginx
            ports:
            - name: http
              containerPort: 8080
            - name: dns
              containerPort: 53
              protocol: UDP
            - containerPort: 9090
          - name: sidecar
            ports:
            - name: metrics
              containerPort: 9100
              protocol: TCP
        status:
          phase: Running
          podIP: 10.0.1.5
          podIPs:
          - ip: 10.0.1.5
          - ip: fd00::5
        """
        let pod = try #require(try ClusterLoader.load(yaml: yaml, file: "pod.yaml").pods.first)
        #expect(pod == KubernetesPod(
            meta: ObjectMeta(name: "web-1", namespace: "shop", labels: ["app": "web"], source: SourceLocation(file: "pod.yaml", line: 1)),
            nodeName: "node-a", ips: ["10.0.1.5", "fd00::5"], serviceAccountName: "web-sa",
            ports: [NamedPort(name: "http", proto: "TCP", port: 8080), NamedPort(name: "dns", proto: "UDP", port: 53),
                    NamedPort(name: "metrics", proto: "TCP", port: 9100)],
            hostNetwork: false, phase: "Running"))
    }

    @Test func podDefaults() throws {
        let yaml = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: bare
        spec:
          hostNetwork: true
          containers:
          - name: c
        status:
          podIP: 192.168.1.10
        """
        let pod = try #require(try ClusterLoader.load(yaml: yaml, file: "p.yaml").pods.first)
        #expect(pod.meta.namespace == "default")
        #expect(pod.serviceAccountName == "default")
        #expect(pod.hostNetwork)
        #expect(pod.ips == ["192.168.1.10"])
        #expect(pod.nodeName == nil)
        #expect(pod.phase == nil)
        #expect(pod.ports.isEmpty)
    }

    @Test func node() throws {
        let yaml = """
        apiVersion: v1
        kind: Node
        metadata:
          name: node-a
          labels:
            kubernetes.io/hostname: node-a
        spec:
          podCIDR: 10.244.1.0/24
          podCIDRs:
          - 10.244.1.0/24
          - fd00:1::/64
        status:
          addresses:
          - type: InternalIP
            address: 172.18.0.2
          - type: Hostname
            address: node-a
          - type: InternalIP
            address: fc00::2
        """
        let node = try #require(try ClusterLoader.load(yaml: yaml, file: "n.yaml").nodes.first)
        #expect(node == KubernetesNode(
            meta: ObjectMeta(name: "node-a", labels: ["kubernetes.io/hostname": "node-a"], source: SourceLocation(file: "n.yaml", line: 1)),
            internalIPs: ["172.18.0.2", "fc00::2"], podCIDRs: ["10.244.1.0/24", "fd00:1::/64"]))

        let single = try ClusterLoader.load(yaml: "apiVersion: v1\nkind: Node\nmetadata: {name: b}\nspec: {podCIDR: 10.0.0.0/24}\n", file: "x")
        #expect(single.nodes.first?.podCIDRs == ["10.0.0.0/24"])
        #expect(single.nodes.first?.internalIPs == [])
    }

    @Test func networkPolicyWithEveryField() throws {
        let yaml = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: api
          namespace: shop
          labels:
            tier: backend
        spec:
          podSelector:
            matchLabels:
              app: api
            matchExpressions:
            - key: env
              operator: In
              values: [prod, staging]
            - key: canary
              operator: DoesNotExist
          policyTypes:
          - Ingress
          - Egress
          ingress:
          - from:
            - podSelector:
                matchLabels:
                  app: web
              namespaceSelector:
                matchLabels:
                  team: shop
            - ipBlock:
                cidr: 10.0.0.0/8
                except:
                - 10.1.0.0/16
            ports:
            - protocol: TCP
              port: 8080
            - port: http
            - protocol: UDP
              port: 5000
              endPort: 5010
            - protocol: SCTP
          - {}
          egress:
          - to:
            - namespaceSelector: {}
          - ports:
            - port: 53
              protocol: UDP
        status: {}
        """
        let policy = try #require(try ClusterLoader.load(yaml: yaml, file: "np.yaml").kubernetesPolicies.first)
        typealias NP = KubernetesNetworkPolicy
        #expect(policy.apiVersion == "networking.k8s.io/v1")
        #expect(policy.meta == ObjectMeta(name: "api", namespace: "shop", labels: ["tier": "backend"], source: SourceLocation(file: "np.yaml", line: 1)))
        #expect(policy.podSelector == LabelSelector(matchLabels: ["app": "api"], matchExpressions: [
            .init(key: "env", op: .in, values: ["prod", "staging"]), .init(key: "canary", op: .doesNotExist),
        ]))
        #expect(policy.policyTypes == [.ingress, .egress])
        #expect(policy.ingress == [
            NP.Rule(peers: [
                NP.Peer(podSelector: LabelSelector(matchLabels: ["app": "web"]), namespaceSelector: LabelSelector(matchLabels: ["team": "shop"])),
                NP.Peer(ipBlock: NP.IPBlock(cidr: "10.0.0.0/8", except: ["10.1.0.0/16"])),
            ], ports: [
                NP.Port(proto: "TCP", port: .number(8080)),
                NP.Port(port: .name("http")),
                NP.Port(proto: "UDP", port: .number(5000), endPort: 5010),
                NP.Port(proto: "SCTP"),
            ]),
            NP.Rule(),
        ])
        #expect(policy.egress == [
            NP.Rule(peers: [NP.Peer(namespaceSelector: LabelSelector())]),
            NP.Rule(ports: [NP.Port(proto: "UDP", port: .number(53))]),
        ])
    }

    @Test func missingAndEmptyRuleListsAreBothEmpty() throws {
        let yaml = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: a}
        spec:
          podSelector: {}
          ingress: []
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: b}
        spec:
          podSelector: {}
          egress:
          policyTypes: []
        """
        let policies = try ClusterLoader.load(yaml: yaml, file: "x").kubernetesPolicies
        #expect(policies.map(\.ingress) == [[], []])
        #expect(policies.map(\.egress) == [[], []])
        #expect(policies.map(\.policyTypes) == [nil, nil])
        #expect(policies.map(\.podSelector.isEmpty) == [true, true])
        #expect(policies.map(\.meta.namespace) == ["default", "default"])
    }

    /// Label values YAML reads as numbers or booleans keep the form written.
    @Test func labelValuesAreCoercedToStrings() throws {
        let yaml = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          labels:
            version: 1.10
            replicas: 3
            canary: true
            legacy: no
            empty:
            quoted: "007"
          annotations:
            build: 42
        """
        let meta = try #require(try ClusterLoader.load(yaml: yaml, file: "x").pods.first?.meta)
        #expect(meta.labels == ["version": "1.10", "replicas": "3", "canary": "true", "legacy": "no", "empty": "", "quoted": "007"])
        #expect(meta.annotations == ["build": "42"])

        let selector = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: np}
        spec:
          podSelector:
            matchLabels: {version: 2, enabled: true}
            matchExpressions:
            - {key: tier, operator: NotIn, values: [1, 2.5]}
        """
        let policy = try #require(try ClusterLoader.load(yaml: selector, file: "x").kubernetesPolicies.first)
        #expect(policy.podSelector.matchLabels == ["version": "2", "enabled": "true"])
        #expect(policy.podSelector.matchExpressions == [.init(key: "tier", op: .notIn, values: ["1", "2.5"])])
    }
}
