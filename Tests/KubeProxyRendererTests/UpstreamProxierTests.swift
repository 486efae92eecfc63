import CalicoModel
import IptablesSave
import KubeProxyRenderer
import Netfilter
import Testing

/// kube-proxy's own expectations, pkg/proxy/iptables/proxier_test.go `TestOverallIPTablesRules`
/// (upstream master, with nfacct counters and localhost NodePorts on as its fake proxier has
/// them; node "test-node" at 192.168.0.2, local detector 10.0.0.0/8).
///
/// The test expects the text kube-proxy hands to iptables-restore; pathsim renders what
/// iptables-save prints once the kernel holds it. The expected lines are therefore read with
/// pathsim's iptables-save parser and printed back, which turns the restore spelling into the
/// save spelling: `-s`/`-d`/`-p` move before the modules and single addresses get `/32`
/// (`-m tcp -p tcp -d 172.30.0.41 --dport 80` → `-d 172.30.0.41/32 -p tcp ... -m tcp --dport 80`),
/// `-j REJECT` gains its default `--reject-with icmp-port-unreachable`, and `MARK --or-mark` /
/// `--xor-mark` print as `--set-xmark 0x4000/0x4000` / `0x4000/0x0`, and the two `-m recent`
/// rules as libxt_recent saves them (`--set` or `--rcheck --seconds --reap` first, then `--name`,
/// `--mask 255.255.255.255 --rsource`).
@Suite("kube-proxy's proxier_test.go expectations")
struct UpstreamProxierTests {
    static func service(_ namespace: String, _ name: String, _ body: (inout KubernetesService) -> Void) -> KubernetesService {
        var service = KubernetesService(meta: ObjectMeta(name: name, namespace: namespace))
        body(&service)
        return service
    }

    static func slice(_ namespace: String, _ service: String, _ endpoints: [(String, String?)]) -> KubernetesEndpointSlice {
        KubernetesEndpointSlice(meta: ObjectMeta(name: "\(service)-1", namespace: namespace, labels: [KubernetesEndpointSlice.serviceNameLabel: service]),
                                endpoints: endpoints.map { KubernetesEndpointSlice.Endpoint(addresses: [$0.0], nodeName: $0.1) },
                                ports: [KubernetesEndpointSlice.Port(name: "p80", port: 80, proto: "TCP")])
    }

    static let overallCluster: Cluster = {
        var cluster = Cluster()
        cluster.nodes = [KubernetesNode(meta: ObjectMeta(name: "test-node"), internalIPs: ["192.168.0.2"])]
        cluster.services = [
            service("ns1", "svc1") { $0.clusterIPs = ["172.30.0.41"]; $0.ports = [.init(name: "p80", port: 80)] },
            service("ns2", "svc2") {
                $0.type = .loadBalancer; $0.externalTrafficPolicy = .local; $0.clusterIPs = ["172.30.0.42"]
                $0.ports = [.init(name: "p80", port: 80, nodePort: 3001)]
                $0.loadBalancerIngressIPs = ["1.2.3.4"]; $0.externalIPs = ["192.168.99.22"]; $0.healthCheckNodePort = 30000
            },
            service("ns3", "svc3") { $0.type = .nodePort; $0.clusterIPs = ["172.30.0.43"]; $0.ports = [.init(name: "p80", port: 80, nodePort: 3003)] },
            service("ns4", "svc4") {
                $0.type = .nodePort; $0.clusterIPs = ["172.30.0.44"]; $0.externalIPs = ["192.168.99.33"]
                $0.ports = [.init(name: "p80", port: 80, targetPort: .number(80))]
            },
            service("ns5", "svc5") {
                $0.type = .loadBalancer; $0.externalTrafficPolicy = .cluster; $0.clusterIPs = ["172.30.0.45"]
                $0.ports = [.init(name: "p80", port: 80, nodePort: 3002)]
                $0.loadBalancerIngressIPs = ["5.6.7.8"]; $0.healthCheckNodePort = 30000
                $0.loadBalancerSourceRanges = ["203.0.113.0/25"]; $0.clientIPAffinityTimeout = 10800
            },
            service("ns6", "svc6") { $0.clusterIPs = ["172.30.0.46"]; $0.ports = [.init(name: "p80", port: 80, targetPort: .number(80))] },
        ]
        cluster.endpointSlices = [
            slice("ns1", "svc1", [("10.180.0.1", nil)]),
            // No nodeName: a non-local endpoint, so the Local service has none here.
            slice("ns2", "svc2", [("10.180.0.2", nil)]),
            slice("ns3", "svc3", [("10.180.0.3", nil)]),
            slice("ns4", "svc4", [("10.180.0.4", nil), ("10.180.0.5", "test-node")]),
            slice("ns5", "svc5", [("10.180.0.3", nil)]),
        ]
        return cluster
    }()

    static let overallOptions = KubeProxyOptions(clusterCIDR: "10.0.0.0/8", nfacctCounters: true, randomFully: false)

    /// TestOverallIPTablesRules' expected restore input, verbatim.
    static let overallExpected = #"""
        *filter
        :KUBE-NODEPORTS - [0:0]
        :KUBE-SERVICES - [0:0]
        :KUBE-EXTERNAL-SERVICES - [0:0]
        :KUBE-FIREWALL - [0:0]
        :KUBE-FORWARD - [0:0]
        :KUBE-PROXY-FIREWALL - [0:0]
        -A KUBE-NODEPORTS -m comment --comment "ns2/svc2:p80 health check node port" -m tcp -p tcp --dport 30000 -j ACCEPT
        -A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT
        -A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j DROP
        -A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j DROP
        -A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP
        -A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
        -A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP
        -A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
        -A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A KUBE-PROXY-FIREWALL -m comment --comment "ns5/svc5:p80 traffic not accepted by KUBE-FW-NUKIZ6OKUXPJNT4C" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j DROP
        COMMIT
        *nat
        :KUBE-NODEPORTS - [0:0]
        :KUBE-SERVICES - [0:0]
        :KUBE-EXT-4SW47YFZTEDKD3PK - [0:0]
        :KUBE-EXT-GNZBNJ2PO5MGZ6GT - [0:0]
        :KUBE-EXT-NUKIZ6OKUXPJNT4C - [0:0]
        :KUBE-EXT-X27LE4BHSL4DOUIK - [0:0]
        :KUBE-FW-NUKIZ6OKUXPJNT4C - [0:0]
        :KUBE-MARK-MASQ - [0:0]
        :KUBE-POSTROUTING - [0:0]
        :KUBE-SEP-C6EBXVWJJZMIWKLZ - [0:0]
        :KUBE-SEP-I77PXRDZVX7PMWMN - [0:0]
        :KUBE-SEP-OYPFS5VJICHGATKP - [0:0]
        :KUBE-SEP-RS4RBKLTHTF2IUXJ - [0:0]
        :KUBE-SEP-SXIVWICOYRO3J4NJ - [0:0]
        :KUBE-SEP-UKSFD7AGPMPPLUHC - [0:0]
        :KUBE-SVC-4SW47YFZTEDKD3PK - [0:0]
        :KUBE-SVC-GNZBNJ2PO5MGZ6GT - [0:0]
        :KUBE-SVC-NUKIZ6OKUXPJNT4C - [0:0]
        :KUBE-SVC-X27LE4BHSL4DOUIK - [0:0]
        :KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]
        -A KUBE-NODEPORTS -m comment --comment ns2/svc2:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3001 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
        -A KUBE-NODEPORTS -m comment --comment ns2/svc2:p80 -m tcp -p tcp --dport 3001 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
        -A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3003 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-X27LE4BHSL4DOUIK
        -A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp --dport 3003 -j KUBE-EXT-X27LE4BHSL4DOUIK
        -A KUBE-NODEPORTS -m comment --comment ns5/svc5:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3002 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-NUKIZ6OKUXPJNT4C
        -A KUBE-NODEPORTS -m comment --comment ns5/svc5:p80 -m tcp -p tcp --dport 3002 -j KUBE-EXT-NUKIZ6OKUXPJNT4C
        -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
        -A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
        -A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 external IP" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
        -A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 loadbalancer IP" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
        -A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK
        -A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j KUBE-SVC-4SW47YFZTEDKD3PK
        -A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 external IP" -m tcp -p tcp -d 192.168.99.33 --dport 80 -j KUBE-EXT-4SW47YFZTEDKD3PK
        -A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 -j KUBE-SVC-NUKIZ6OKUXPJNT4C
        -A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 loadbalancer IP" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j KUBE-FW-NUKIZ6OKUXPJNT4C
        -A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
        -A KUBE-EXT-4SW47YFZTEDKD3PK -m comment --comment "masquerade traffic for ns4/svc4:p80 external destinations" -j KUBE-MARK-MASQ
        -A KUBE-EXT-4SW47YFZTEDKD3PK -j KUBE-SVC-4SW47YFZTEDKD3PK
        -A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "pod traffic for ns2/svc2:p80 external destinations" -s 10.0.0.0/8 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
        -A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "masquerade LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ
        -A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "route LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
        -A KUBE-EXT-NUKIZ6OKUXPJNT4C -m comment --comment "masquerade traffic for ns5/svc5:p80 external destinations" -j KUBE-MARK-MASQ
        -A KUBE-EXT-NUKIZ6OKUXPJNT4C -j KUBE-SVC-NUKIZ6OKUXPJNT4C
        -A KUBE-EXT-X27LE4BHSL4DOUIK -m comment --comment "masquerade traffic for ns3/svc3:p80 external destinations" -j KUBE-MARK-MASQ
        -A KUBE-EXT-X27LE4BHSL4DOUIK -j KUBE-SVC-X27LE4BHSL4DOUIK
        -A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 loadbalancer IP" -s 203.0.113.0/25 -j KUBE-EXT-NUKIZ6OKUXPJNT4C
        -A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "other traffic to ns5/svc5:p80 will be dropped by KUBE-PROXY-FIREWALL"
        -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
        -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
        -A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
        -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE
        -A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -s 10.180.0.5 -j KUBE-MARK-MASQ
        -A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.5:80
        -A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ
        -A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80
        -A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ
        -A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80
        -A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -s 10.180.0.2 -j KUBE-MARK-MASQ
        -A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.2:80
        -A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ
        -A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80
        -A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -s 10.180.0.4 -j KUBE-MARK-MASQ
        -A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.4:80
        -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
        -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC
        -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.5:80" -j KUBE-SEP-C6EBXVWJJZMIWKLZ
        -A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
        -A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 -> 10.180.0.2:80" -j KUBE-SEP-RS4RBKLTHTF2IUXJ
        -A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
        -A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --rcheck --seconds 10800 --reap -j KUBE-SEP-I77PXRDZVX7PMWMN
        -A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -j KUBE-SEP-I77PXRDZVX7PMWMN
        -A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
        -A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.180.0.3:80" -j KUBE-SEP-OYPFS5VJICHGATKP
        -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
        -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ
        COMMIT
        """#

    @Test func overallRulesMatchTestOverallIPTablesRules() throws {
        let rendered = try KubeProxyRenderer.render(Self.overallCluster, node: "test-node", options: Self.overallOptions)
        let expected = try IptablesSaveParser.parse(Self.overallExpected, file: "proxier_test.go")
        var compared = 0
        for table in expected.tables {
            for chain in table.chains {
                let want = chain.rules.map { IptablesSavePrinter.ruleText($0, chain: chain.name) }
                let have = rendered.table(table.name.rawValue)?.chain(chain.name)?.rules.map(\.text)
                #expect(have == want, "\(table.name.rawValue) \(chain.name)")
                compared += want.count
            }
        }
        #expect(compared == 65)
        // No chain beyond upstream's in the proxier's own tables, except the canaries its
        // monitor creates and the built-in chains it jumps from.
        for table in rendered.tables where table.name != "mangle" {
            let expectedChains = Set(expected.tables.first { $0.name.rawValue == table.name }!.chains.map(\.name))
            let extra = table.chains.filter { !$0.isBuiltin && !expectedChains.contains($0.name) }.map(\.name)
            #expect(extra == ["KUBE-KUBELET-CANARY", "KUBE-PROXY-CANARY"], "\(table.name)")
        }
    }

    /// The rules written on the built-in chains (the `EnsureRule(Prepend, ...)` jumps), as real
    /// nodes show them: the last jump ensured is on top, kubelet's KUBE-FIREWALL below them.
    @Test func jumpsFromBuiltinChains() throws {
        let rendered = try KubeProxyRenderer.render(Self.overallCluster, node: "test-node", options: Self.overallOptions)
        #expect(rendered.table("filter")?.chain("INPUT")?.rules.map(\.text) == [
            "-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL",
            "-A INPUT -m comment --comment \"kubernetes health check service ports\" -j KUBE-NODEPORTS",
            "-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES",
            "-A INPUT -j KUBE-FIREWALL",
        ])
        #expect(rendered.table("filter")?.chain("FORWARD")?.rules.map(\.text) == [
            "-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL",
            "-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD",
            "-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
            "-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES",
        ])
        #expect(rendered.table("filter")?.chain("OUTPUT")?.rules.map(\.text) == [
            "-A OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL",
            "-A OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
            "-A OUTPUT -j KUBE-FIREWALL",
        ])
        #expect(rendered.table("nat")?.chain("PREROUTING")?.rules.map(\.text) == ["-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES"])
        #expect(rendered.table("nat")?.chain("POSTROUTING")?.rules.map(\.text) == ["-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING"])
    }

    /// `--random-fully` when iptables has it; `--masquerade-all`; no local detector; localhost
    /// NodePorts off; nf_conntrack_tcp_be_liberal; the nth selection.
    @Test func optionsChangeTheRulesAsInProxierGo() throws {
        var options = KubeProxyOptions(endpointSelection: .nth, masqueradeAll: true, localhostNodePorts: false, conntrackTCPBeLiberal: true)
        let rendered = try KubeProxyRenderer.render(Self.overallCluster, node: "test-node", options: options)
        let nat = try #require(rendered.table("nat"))
        #expect(nat.chain("KUBE-POSTROUTING")?.rules.last?.text == "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully")
        #expect(nat.chain("KUBE-SVC-XPGD46QRK7WJZT7O")?.rules.first?.text
            == "-A KUBE-SVC-XPGD46QRK7WJZT7O -d 172.30.0.41/32 -p tcp -m comment --comment \"ns1/svc1:p80 cluster IP\" -m tcp --dport 80 -j KUBE-MARK-MASQ")
        #expect(nat.chain("KUBE-SVC-4SW47YFZTEDKD3PK")?.rules[1].text
            == "-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment \"ns4/svc4:p80 -> 10.180.0.4:80\" -m statistic --mode nth --every 2 --packet 0 -j KUBE-SEP-UKSFD7AGPMPPLUHC")
        #expect(nat.chain("KUBE-SERVICES")?.rules.last?.text
            == "-A KUBE-SERVICES ! -d 127.0.0.0/8 -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS")
        #expect(!(nat.chain("KUBE-NODEPORTS")?.rules.contains { $0.text.contains("nfacct") } ?? true))
        #expect(rendered.table("filter")?.chain("KUBE-FORWARD")?.rules.count == 2)
        // Without a cluster CIDR, no pod-traffic short-circuit and no `! -s` masquerade.
        options = KubeProxyOptions()
        var cluster = Self.overallCluster
        cluster.ipPools = []
        let bare = try KubeProxyRenderer.render(cluster, node: "test-node", options: options)
        #expect(bare.table("nat")?.chain("KUBE-SVC-XPGD46QRK7WJZT7O")?.rules.count == 1)
        #expect(bare.table("nat")?.chain("KUBE-EXT-GNZBNJ2PO5MGZ6GT")?.rules.count == 2)
        #expect(bare.assumptions.contains { $0.contains("no cluster CIDR") })
    }

    /// `1/n` as kube-proxy writes it (`%0.10f`) and iptables-save prints it back (`%.11f` of
    /// the kernel's 2^31-scaled integer).
    @Test(arguments: [(2, "0.50000000000"), (3, "0.33333333349"), (4, "0.25000000000"), (7, "0.14285714272"), (10, "0.10000000009")])
    func probabilitySpelling(_ endpoints: Int, _ printed: String) throws {
        var cluster = Cluster()
        cluster.services = [Self.service("ns", "svc") { $0.clusterIPs = ["172.30.0.9"]; $0.ports = [.init(name: "p", port: 80)] }]
        cluster.endpointSlices = [KubernetesEndpointSlice(meta: ObjectMeta(name: "s", namespace: "ns", labels: [KubernetesEndpointSlice.serviceNameLabel: "svc"]),
                                                          endpoints: (1...endpoints).map { .init(addresses: ["10.1.0.\($0)"]) },
                                                          ports: [.init(name: "p", port: 80)])]
        let rendered = try KubeProxyRenderer.render(cluster, node: "n")
        let svc = try #require(rendered.table("nat")?.chains.first { $0.name.hasPrefix("KUBE-SVC-") })
        #expect(svc.rules[0].text.contains("--probability \(printed) "))
        // Parsed back by pathsim, the stored value is the one the printed text stands for.
        let reparsed = try IptablesSaveParser.parse(rendered.iptablesSave, file: "r")
        let rule = try #require(reparsed.tables.first { $0.name == .nat }?.chains.first { $0.name == svc.name }?.rules.first)
        #expect(IptablesSavePrinter.ruleText(rule, chain: svc.name) == svc.rules[0].text)
    }
}
