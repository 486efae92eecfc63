import CalicoModel
import ClusterYAML
import Testing

@Suite struct CalicoKindTests {
    @Test func globalNetworkPolicyWithEveryField() throws {
        let yaml = """
        apiVersion: projectcalico.org/v3
        kind: GlobalNetworkPolicy
        metadata:
          name: security.host-protect
          labels:
            owner: sec
        spec:
          tier: security
          order: 10.5
          selector: has(host-endpoint)
          namespaceSelector: team == 'ops'
          serviceAccountSelector: role == 'admin'
          types:
          - Ingress
          - Egress
          preDNAT: false
          doNotTrack: true
          applyOnForward: true
          ingress:
          - action: Allow
            ipVersion: 4
            protocol: TCP
            notProtocol: 17
            source:
              nets: [10.0.0.0/8]
              notNets: [10.9.0.0/16]
              selector: app == 'web'
              notSelector: canary == 'true'
              namespaceSelector: all()
              serviceAccounts:
                names: [web, api]
                selector: team == 'shop'
              ports: [1024:65535]
              notPorts: ["2000:2100"]
            destination:
              ports: [80, "443", http, 8000:8080]
              notPorts: [8081]
            metadata:
              annotations:
                reason: web traffic
          - action: deny
            protocol: ICMP
            icmp: {type: 8, code: 0}
            notICMP: {type: 13}
          egress:
          - action: PASS
          - action: next-tier
          - action: log
            protocol: 132
            destination:
              ports: [9]
        """
        let policy = try #require(try ClusterLoader.load(yaml: yaml, file: "gnp.yaml").calicoPolicies.first)
        #expect(policy.kind == .globalNetworkPolicy)
        #expect(policy.meta == ObjectMeta(name: "security.host-protect", labels: ["owner": "sec"], source: SourceLocation(file: "gnp.yaml", line: 1)))
        #expect(policy.tier == "security")
        #expect(policy.order == 10.5)
        #expect(policy.selector == "has(host-endpoint)")
        #expect(policy.namespaceSelector == "team == 'ops'")
        #expect(policy.serviceAccountSelector == "role == 'admin'")
        #expect(policy.types == [.ingress, .egress])
        #expect(!policy.preDNAT && policy.doNotTrack && policy.applyOnForward)
        #expect(policy.ingress == [
            CalicoRule(action: .allow, ipVersion: 4, proto: .name("TCP"), notProtocol: .number(17),
                       source: EntityRule(nets: ["10.0.0.0/8"], notNets: ["10.9.0.0/16"], selector: "app == 'web'", notSelector: "canary == 'true'",
                                          namespaceSelector: "all()", serviceAccounts: .init(names: ["web", "api"], selector: "team == 'shop'"),
                                          ports: [.range(1024, 65535)], notPorts: [.range(2000, 2100)]),
                       destination: EntityRule(ports: [.single(80), .single(443), .named("http"), .range(8000, 8080)], notPorts: [.single(8081)]),
                       annotations: ["reason": "web traffic"], location: SourceLocation(file: "gnp.yaml", line: 20)),
            CalicoRule(action: .deny, proto: .name("ICMP"), icmp: .init(type: 8, code: 0), notICMP: .init(type: 13),
                       location: SourceLocation(file: "gnp.yaml", line: 41)),
        ])
        #expect(policy.egress == [
            CalicoRule(action: .pass, location: SourceLocation(file: "gnp.yaml", line: 46)),
            CalicoRule(action: .pass, location: SourceLocation(file: "gnp.yaml", line: 47)),
            CalicoRule(action: .log, proto: .number(132), destination: EntityRule(ports: [.single(9)]), location: SourceLocation(file: "gnp.yaml", line: 48)),
        ])
    }

    @Test func namespacedAndStagedPolicies() throws {
        let yaml = """
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata:
          name: allow-web
        spec:
          selector: app == 'web'
          ingress:
          - action: Allow
            protocol: tcp
            destination:
              ports: [80]
        ---
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata:
          name: egress-only
          namespace: shop
        spec:
          order: 100
          egress:
          - action: Deny
            protocol: udplite
        ---
        apiVersion: projectcalico.org/v3
        kind: StagedNetworkPolicy
        metadata:
          name: staged
          namespace: shop
        spec:
          stagedAction: Set
          selector: all()
        ---
        apiVersion: projectcalico.org/v3
        kind: StagedGlobalNetworkPolicy
        metadata:
          name: staged-global
          namespace: ignored
        spec:
          types: [Egress]
        ---
        apiVersion: projectcalico.org/v3
        kind: GlobalNetworkPolicy
        metadata:
          name: no-spec
        """
        let policies = try ClusterLoader.load(yaml: yaml, file: "p.yaml").calicoPolicies
        #expect(policies.map(\.kind) == [.networkPolicy, .networkPolicy, .stagedNetworkPolicy, .stagedGlobalNetworkPolicy, .globalNetworkPolicy])
        #expect(policies.map(\.meta.namespace) == ["default", "shop", "shop", nil, nil])
        #expect(policies.map(\.tier) == ["default", "default", "default", "default", "default"])
        #expect(policies.map(\.order) == [nil, 100, nil, nil, nil])
        #expect(policies.map(\.selector) == ["app == 'web'", "", "all()", "", ""])
        // Without `types`: Ingress, Egress only for egress-only rules, both when both.
        #expect(policies.map(\.types) == [[.ingress], [.egress], [.ingress], [.egress], [.ingress]])
        #expect(policies[0].ingress.first?.proto == .name("TCP"))
        #expect(policies[1].egress.first?.proto == .name("UDPLite"))
        #expect(policies.map(\.meta.source?.line) == [1, 13, 24, 33, 41])
    }

    @Test func tierAndProfile() throws {
        let yaml = """
        - apiVersion: projectcalico.org/v3
          kind: Tier
          metadata:
            name: security
          spec:
            order: 100
            defaultAction: Pass
        - apiVersion: projectcalico.org/v3
          kind: Tier
          metadata:
            name: default
        - apiVersion: projectcalico.org/v3
          kind: Profile
          metadata:
            name: kns.shop
          spec:
            ingress:
            - action: Allow
            egress:
            - action: Deny
              destination:
                nets: [169.254.169.254/32]
            labelsToApply:
              pcns.projectcalico.org/name: shop
              pcns.version: 2
        """
        let cluster = try ClusterLoader.load(yaml: yaml, file: "t.yaml")
        #expect(cluster.tiers == [
            Tier(meta: ObjectMeta(name: "security", source: SourceLocation(file: "t.yaml", line: 1)), order: 100, defaultAction: .pass),
            Tier(meta: ObjectMeta(name: "default", source: SourceLocation(file: "t.yaml", line: 8)), order: nil, defaultAction: .deny),
        ])
        #expect(cluster.profiles == [Profile(
            meta: ObjectMeta(name: "kns.shop", source: SourceLocation(file: "t.yaml", line: 12)),
            ingress: [CalicoRule(action: .allow, location: SourceLocation(file: "t.yaml", line: 18))],
            egress: [CalicoRule(action: .deny, destination: EntityRule(nets: ["169.254.169.254/32"]), location: SourceLocation(file: "t.yaml", line: 20))],
            labelsToApply: ["pcns.projectcalico.org/name": "shop", "pcns.version": "2"])])
    }

    @Test func workloadAndHostEndpoints() throws {
        let yaml = """
        apiVersion: projectcalico.org/v3
        kind: WorkloadEndpoint
        metadata:
          name: node--a-k8s-web--1-eth0
          namespace: shop
          labels:
            app: web
            projectcalico.org/namespace: shop
        spec:
          node: node-a
          orchestrator: k8s
          workload: ""
          pod: web-1
          endpoint: eth0
          interfaceName: cali0123456789a
          ipNetworks:
          - 10.0.1.5/32
          profiles:
          - kns.shop
          - ksa.shop.web
          serviceAccountName: web
          containerID: abc
          ports:
          - name: http
            port: 8080
            protocol: TCP
          - name: dns
            port: 53
            protocol: udp
        ---
        apiVersion: projectcalico.org/v3
        kind: WorkloadEndpoint
        metadata:
          name: minimal
        spec:
          node: node-b
          interfaceName: cali1
        ---
        apiVersion: projectcalico.org/v3
        kind: HostEndpoint
        metadata:
          name: node-a-eth0
          labels:
            role: gateway
        spec:
          node: node-a
          interfaceName: eth0
          expectedIPs: [172.18.0.2]
          profiles: [projectcalico-default-allow]
          ports:
          - name: ssh
            port: 22
        ---
        apiVersion: projectcalico.org/v3
        kind: HostEndpoint
        metadata:
          name: node-b-all
        spec:
          node: node-b
          interfaceName: "*"
        """
        let cluster = try ClusterLoader.load(yaml: yaml, file: "e.yaml")
        #expect(cluster.workloadEndpoints == [
            WorkloadEndpoint(
                meta: ObjectMeta(name: "node--a-k8s-web--1-eth0", namespace: "shop", labels: ["app": "web", "projectcalico.org/namespace": "shop"],
                                 source: SourceLocation(file: "e.yaml", line: 1)),
                node: "node-a", orchestrator: "k8s", workload: "", pod: "web-1", endpoint: "eth0", interfaceName: "cali0123456789a",
                ipNetworks: ["10.0.1.5/32"], profiles: ["kns.shop", "ksa.shop.web"], serviceAccountName: "web",
                ports: [NamedPort(name: "http", proto: "TCP", port: 8080), NamedPort(name: "dns", proto: "UDP", port: 53)]),
            WorkloadEndpoint(meta: ObjectMeta(name: "minimal", namespace: "default", source: SourceLocation(file: "e.yaml", line: 31)),
                             node: "node-b", interfaceName: "cali1"),
        ])
        #expect(cluster.hostEndpoints == [
            HostEndpoint(meta: ObjectMeta(name: "node-a-eth0", labels: ["role": "gateway"], source: SourceLocation(file: "e.yaml", line: 39)),
                         node: "node-a", interfaceName: "eth0", expectedIPs: ["172.18.0.2"], profiles: ["projectcalico-default-allow"],
                         ports: [NamedPort(name: "ssh", proto: "TCP", port: 22)]),
            HostEndpoint(meta: ObjectMeta(name: "node-b-all", source: SourceLocation(file: "e.yaml", line: 54)), node: "node-b", interfaceName: "*"),
        ])
    }

    @Test func ipPools() throws {
        let yaml = """
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata:
          name: default-ipv4-ippool
        spec:
          cidr: 10.244.0.0/16
          natOutgoing: true
          disabled: false
          ipipMode: CrossSubnet
          vxlanMode: never
          blockSize: 26
          nodeSelector: all()
        ---
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata:
          name: vxlan
        spec:
          cidr: 10.96.0.0/16
          vxlanMode: Always
          disabled: true
        """
        let pools = try ClusterLoader.load(yaml: yaml, file: "pool.yaml").ipPools
        #expect(pools == [
            IPPool(meta: ObjectMeta(name: "default-ipv4-ippool", source: SourceLocation(file: "pool.yaml", line: 1)), cidr: "10.244.0.0/16",
                   natOutgoing: true, disabled: false, ipipMode: .crossSubnet, vxlanMode: .never),
            IPPool(meta: ObjectMeta(name: "vxlan", source: SourceLocation(file: "pool.yaml", line: 14)), cidr: "10.96.0.0/16",
                   natOutgoing: false, disabled: true, ipipMode: .never, vxlanMode: .always),
        ])
    }

    @Test func felixConfigurationWithEveryField() throws {
        let yaml = """
        apiVersion: projectcalico.org/v3
        kind: FelixConfiguration
        metadata:
          name: default
        spec:
          iptablesMarkMask: "0xffff0000"
          defaultEndpointToHostAction: ACCEPT
          failsafeInboundHostPorts:
          - protocol: TCP
            port: 22
          - protocol: udp
            port: 68
            net: 0.0.0.0/0
          failsafeOutboundHostPorts: []
          chainInsertMode: Append
          iptablesFilterAllowAction: Return
          iptablesMangleAllowAction: Accept
          iptablesFilterDenyAction: Reject
          logPrefix: calico-packet
          ipipEnabled: true
          vxlanEnabled: false
          vxlanPort: 4789
          natOutgoingAddress: 192.0.2.1
          disableConntrackInvalidCheck: true
          interfacePrefix: cali
          logSeverityScreen: Info
          reportingInterval: 0s
        ---
        apiVersion: projectcalico.org/v3
        kind: FelixConfiguration
        metadata:
          name: node.node-a
        spec:
          iptablesMarkMask: 4294901760
        ---
        apiVersion: projectcalico.org/v3
        kind: FelixConfiguration
        metadata:
          name: node.node-b
        spec:
          iptablesMarkMask: 0xff000000
        """
        let configs = try ClusterLoader.load(yaml: yaml, file: "felix.yaml").felixConfigurations
        #expect(configs.count == 3)
        var expected = FelixConfiguration(meta: ObjectMeta(name: "default", source: SourceLocation(file: "felix.yaml", line: 1)))
        expected.iptablesMarkMask = 0xffff_0000
        expected.defaultEndpointToHostAction = "Accept"
        expected.failsafeInboundHostPorts = [.init(proto: "tcp", port: 22), .init(proto: "udp", port: 68, net: "0.0.0.0/0")]
        expected.failsafeOutboundHostPorts = []
        expected.chainInsertMode = .append
        expected.iptablesFilterAllowAction = "Return"
        expected.iptablesMangleAllowAction = "Accept"
        expected.iptablesFilterDenyAction = "Reject"
        expected.logPrefix = "calico-packet"
        expected.ipipEnabled = true
        expected.vxlanEnabled = false
        expected.vxlanPort = 4789
        expected.natOutgoingAddress = "192.0.2.1"
        expected.disableConntrackInvalidCheck = true
        expected.interfacePrefix = "cali"
        // Fields pathsim does not render are kept by name and line, so a rendering can name them.
        expected.unrenderedFields = [.init(name: "logSeverityScreen", line: 26), .init(name: "reportingInterval", line: 27)]
        #expect(configs[0] == expected)
        #expect(configs[1].iptablesMarkMask == 0xffff_0000)
        #expect(configs[1].failsafeInboundHostPorts == nil)
        #expect(configs[2].iptablesMarkMask == 0xff00_0000)
        // Through the model's own merging: node.node-a overrides the mask only.
        var cluster = Cluster()
        cluster.felixConfigurations = configs
        #expect(cluster.felixConfiguration(forNode: "node-a").chainInsertMode == .append)
    }

    @Test func portForms() throws {
        let yaml = """
        apiVersion: projectcalico.org/v3
        kind: GlobalNetworkPolicy
        metadata: {name: ports}
        spec:
          ingress:
          - action: Allow
            protocol: UDP
            destination:
              ports: [0, 65535, "53", "1:2", 1:30, dns-tcp, "0:65535"]
        """
        let rule = try #require(try ClusterLoader.load(yaml: yaml, file: "x").calicoPolicies.first?.ingress.first)
        #expect(rule.destination.ports == [.single(0), .single(65535), .single(53), .range(1, 2), .range(1, 30), .named("dns-tcp"), .range(0, 65535)])
    }

    @Test func actionsAreCaseInsensitive() throws {
        let actions = ["allow": CalicoRule.Action.allow, "ALLOW": .allow, "Deny": .deny, "deny": .deny, "pass": .pass, "next-tier": .pass, "Log": .log, "LOG": .log]
        for (spelling, action) in actions {
            let yaml = "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: a}\nspec:\n  ingress:\n  - action: \(spelling)\n"
            let rule = try #require(try ClusterLoader.load(yaml: yaml, file: "x").calicoPolicies.first?.ingress.first)
            #expect(rule.action == action, "\(spelling)")
        }
    }
}
