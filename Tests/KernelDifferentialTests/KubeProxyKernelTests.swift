import CalicoModel
import ClusterYAML
import FelixRenderer
import Foundation
import KernelOracle
import KubeProxyRenderer
import Netfilter
import NodeSnapshot
import Testing

// kube-proxy's rendered rules on the real kernel: Fixtures/clusters/kube-proxy is laid out on the
// oracle's node (node-1 = 192.168.0.10, pods 10.65.0.2-4 on the oracle's cali veths, node-2's pods
// behind eth0). felix's and kube-proxy's rules for node-1 are merged as `pathsim render` merges
// them, with `-m statistic --mode nth` in place of random so the kernel and pathsim pick the same
// endpoint, loaded into the oracle, and packets are sent through ClusterIPs with one and with
// several endpoints, a pod reaching itself through its Service (hairpin), NodePorts from outside
// (Cluster: DNAT and masquerade; Local without a local endpoint: DROP), a pod to that NodePort
// (short-circuit), a load-balancer IP from an allowed and a refused source, replies, and the
// REJECT of a Service without endpoints. DifferentialRunner compares every step and counter.
@Suite("kube-proxy rules on the kernel", .serialized)
struct KubeProxyKernelTests {
    static let packets = [
        // ClusterIP, one endpoint (the pod on cali96bc57f337a): SYN, SYN-ACK back, ACK.
        "in=cali1f79f9e08f2 tcp 10.65.0.2:41000 > 10.96.0.10:80 flags=S",
        "in=cali96bc57f337a tcp 10.65.0.3:8080 > 10.65.0.2:41000 flags=S.",
        "in=cali1f79f9e08f2 tcp 10.65.0.2:41000 > 10.96.0.10:80 flags=.",
        // ClusterIP, three endpoints: `--every n --packet 0` matches a rule's first packet, so the
        // connections go round the endpoints in order (the local pod, 10.66.0.10, 10.66.0.11).
        "in=cali1f79f9e08f2 tcp 10.65.0.2:41010 > 10.96.0.11:80 flags=S",
        "in=cali1f79f9e08f2 tcp 10.65.0.2:41011 > 10.96.0.11:80 flags=S",
        "in=cali1f79f9e08f2 tcp 10.65.0.2:41012 > 10.96.0.11:80 flags=S",
        "in=cali96bc57f337a tcp 10.65.0.3:8080 > 10.65.0.2:41010 flags=S.",
        // kube-dns over UDP, two endpoints (the local one first), and the local one's reply.
        "in=cali1f79f9e08f2 udp 10.65.0.2:5353 > 10.96.0.53:53",
        "in=cali1f79f9e08f2 udp 10.65.0.2:5354 > 10.96.0.53:53",
        "in=cali0a1b2c3d4e5 udp 10.65.0.4:53 > 10.65.0.2:5353",
        // Hairpin: the endpoint pod through its own ClusterIP, masqueraded.
        "in=cali96bc57f337a tcp 10.65.0.3:42000 > 10.96.0.10:80 flags=S",
        // NodePort, externalTrafficPolicy Cluster, from outside: the local endpoint, then the remote one.
        "in=eth0 tcp 203.0.113.5:40000 > 192.168.0.10:30080 flags=S",
        "in=eth0 tcp 203.0.113.5:40001 > 192.168.0.10:30080 flags=S",
        // NodePort, externalTrafficPolicy Local, no endpoint here: dropped; from a pod: short-circuit.
        "in=eth0 tcp 203.0.113.5:40002 > 192.168.0.10:30081 flags=S",
        "in=cali1f79f9e08f2 tcp 10.65.0.2:41030 > 192.168.0.10:30081 flags=S",
        // Load-balancer IP with loadBalancerSourceRanges 198.51.100.0/24: allowed, then refused.
        "in=eth0 tcp 198.51.100.7:40010 > 203.0.113.50:443 flags=S",
        "in=eth0 tcp 203.0.113.9:40011 > 203.0.113.50:443 flags=S",
        // External IP.
        "in=eth0 tcp 203.0.113.5:40020 > 198.51.100.10:80 flags=S",
        // No endpoints: REJECT from a pod (ICMP port unreachable back) and at the NodePort.
        "in=cali1f79f9e08f2 tcp 10.65.0.2:41020 > 10.96.0.99:80 flags=S",
        "in=eth0 tcp 203.0.113.5:40030 > 10.96.0.99:80 flags=S",
        "in=eth0 tcp 203.0.113.5:40031 > 192.168.0.10:30099 flags=S",
        // ClientIP session affinity (xt_recent): the nth choice sends the pod to 10.65.0.3 and
        // the outside client to 10.66.0.11; their next connections stay there, although the
        // nth rule would now pick 10.65.0.3 for the outside client.
        "in=cali1f79f9e08f2 tcp 10.65.0.2:41040 > 10.96.0.50:80 flags=S",
        "in=eth0 tcp 203.0.113.5:40040 > 10.96.0.50:80 flags=S",
        "in=eth0 tcp 203.0.113.5:40041 > 10.96.0.50:80 flags=S",
        "in=cali1f79f9e08f2 tcp 10.65.0.2:41041 > 10.96.0.50:80 flags=S",
    ]

    @Test(OracleSupport.requiresKernel) func kubeProxyRulesAgreeWithKernel() throws {
        try OracleSupport.exclusive {
            let clock = ContinuousClock()
            let start = clock.now
            let cluster = try ClusterLoader.load(paths: [Self.fixture("clusters/kube-proxy")])
            var rendered = try FelixRenderer.render(cluster, node: "node-1")
            // MASQUERADE without --random-fully (kube-proxy's rule where iptables lacks it): the
            // kernel's random port choice is not modelled, plain MASQUERADE keeps the port.
            let kubeProxy = try KubeProxyRenderer.render(cluster, node: "node-1", options: KubeProxyOptions(endpointSelection: .nth, randomFully: false))
            let felix = rendered.files[NodeSnapshot.File.iptablesSave] ?? ""
            let merged = try IptablesSaveMerge.merge(base: felix, kubeProxy: kubeProxy,
                                                     rulesFirst: FelixHookPlacement.rulesFirst(felixIptablesSave: felix, modernLayout: true, insertMode: true))
            rendered.files[NodeSnapshot.File.iptablesSave] = merged.iptablesSave

            let oracle = try KernelOracle(localTracing: .allLocal)
            defer { oracle.shutdown() }
            let network = try DifferentialRunner.network(oracle)
            if let mismatch = RenderedPolicyKernelTests.networkMismatch(rendered, oracle: network) {
                Issue.record("the rendered node's network differs from the oracle's: \(mismatch)")
            }
            let testCase = DifferentialCase(name: "kube-proxy node-1", iptablesSave: merged.iptablesSave,
                                            ipsetSave: rendered.files[NodeSnapshot.File.ipsetSave] ?? "",
                                            packets: try DifferentialRunner.packets(Self.packets))
            var result = try DifferentialRunner.run(testCase, oracle: oracle, network: network)
            if !result.disagreements.isEmpty {
                // A trace line later than the quiet window looks like a disagreement; run again slowly.
                oracle.quietSeconds = 0.3
                result = try DifferentialRunner.run(testCase, oracle: oracle, network: network)
            }
            // What the kernel holds, saved back, is the rendered text rule for rule: the
            // iptables-save spelling (option order, /32, quoting, probabilities) is the kernel's.
            let saved = try oracle.counters().split(separator: "\n").map { line in
                line.hasPrefix("[") ? String(line[line.index(after: line.firstIndex(of: "]")!)...].dropFirst()) : String(line)
            }.filter { $0.hasPrefix("-A KUBE-") || ($0.hasPrefix("-A ") && $0.contains("KUBE-")) }
            let renderedKube = merged.iptablesSave.split(separator: "\n").map(String.init).filter { $0.hasPrefix("-A ") && $0.contains("KUBE-") }
            #expect(Set(saved) == Set(renderedKube), "only in the kernel's save: \(Set(saved).subtracting(renderedKube).sorted())\nonly rendered: \(Set(renderedKube).subtracting(saved).sorted())")

            let verdicts = result.sends.map { $0.kernel.original?.steps.last?.verdict.rawValue ?? "none" }
            print("kube-proxy kernel: \(result.packets) packets, \(result.steps) steps, \(result.counters) counters and \(result.conntrackEntries) conntrack entries compared, \(result.disagreements.count) disagreements, \(renderedKube.count) kube-proxy rule lines checked against the kernel's save; verdicts \(verdicts), in \(clock.now - start)")
            for disagreement in result.disagreements.prefix(10) { Issue.record(Comment(rawValue: disagreement.description)) }
            // The cases the suite is for, as the kernel decided them.
            #expect(verdicts[13] == "drop" && result.sends[13].kernel.steps.last?.chain == "KUBE-EXTERNAL-SERVICES")
            #expect(verdicts[16] == "drop" && result.sends[16].kernel.steps.last?.chain == "KUBE-PROXY-FIREWALL")
            #expect(verdicts[18] == "drop" && result.sends[18].kernel.steps.last?.chain == "KUBE-SERVICES")
            #expect(verdicts[19] == "drop" && verdicts[20] == "drop")
            #expect(result.sends[1].trace.finalPacket.source.description == "10.96.0.10")
            let sticky = result.sends.suffix(4).map { $0.trace.finalPacket.destination.description }
            #expect(sticky == ["10.65.0.3", "10.66.0.11", "10.66.0.11", "10.65.0.3"])
        }
    }

    static func fixture(_ path: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(path)").path
    }
}
