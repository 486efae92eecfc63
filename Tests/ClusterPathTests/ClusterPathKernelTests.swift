import CalicoModel
import ClusterPath
import FelixRenderer
import Foundation
import KernelOracle
import Netfilter
import NodeSnapshot
import Testing

// A cross-node path on the real kernel: four network namespaces (node 1, node 2, pod A, pod B),
// the nodes joined by a veth pair as the underlay, each pod on a veth named as felix names it,
// the tunnel devices and routes as pathsim renders them, and each node's rendered felix rules
// and ipsets loaded with iptables-nft. A TCP SYN from pod A to pod B is traced with `nft monitor
// trace` on both nodes, every pass (inner and outer packet) is matched to pathsim's hop for it,
// and the steps (table, chain, rule position, verdict) are compared.

private enum KernelSupport {
    static var isRoot: Bool { getuid() == 0 }
    static let tools = ["ip", "nft", "iptables-nft-restore", "ipset", "bridge", "bash"]
    static var available: Bool { isRoot && tools.allSatisfy { tool in ["/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/"].contains { FileManager.default.isExecutableFile(atPath: $0 + tool) } } }

    /// Whether this kernel can create an ipip device (it may lack the module and modprobe).
    static let ipipAvailable: Bool = {
        guard available else { return false }
        let name = "pscpprobe\(getpid())"
        defer { _ = try? shell("ip netns del \(name)") }
        guard (try? shell("ip netns add \(name)"))?.status == 0 else { return false }
        return (try? shell("ip -n \(name) link show tunl0 || ip -n \(name) link add name tunl0 type ipip"))?.status == 0
    }()

    @discardableResult
    static func shell(_ script: String, arguments: [String] = []) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script, "bash"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func check(_ script: String, arguments: [String] = []) throws {
        let result = try shell(script, arguments: arguments)
        if result.status != 0 { throw KernelOracleError("setup failed (\(result.status)): \(result.output)") }
    }
}

/// The two nodes and two pods, torn down by `shutdown()`.
private final class TwoNodeLab {
    let prefix: String
    var nodes: [String: String] { ["node-1": prefix + "n1", "node-2": prefix + "n2"] }
    let podA: String, podB: String
    var monitors: [String: (process: Process, path: String)] = [:]
    var offsets: [String: Int] = [:]

    init(tag: String) {
        prefix = "pscp\(tag)\(getpid() % 10000)"
        podA = prefix + "pa"
        podB = prefix + "pb"
    }

    /// `rendered`: node → its render with routes to the other node; `routing` says the VTEPs.
    func build(rendered: [String: RenderedNode], snapshots: [String: NodeSnapshot], routing: ClusterRouting,
               pods: [(node: String, namespace: String, veth: String, address: String)], encapsulation: ClusterRouting.Encapsulation) throws {
        shutdown()
        for namespace in Array(nodes.values) + [podA, podB] {
            try KernelSupport.check("ip netns add $1 && ip -n $1 link set lo up", arguments: [namespace])
        }
        guard let one = routing.peer(node: "node-1"), let two = routing.peer(node: "node-2"),
              let n1 = nodes["node-1"], let n2 = nodes["node-2"] else { throw KernelOracleError("expected node-1 and node-2 with InternalIPs") }
        try KernelSupport.check("ip link add name eth0 netns $1 type veth peer name eth0 netns $2", arguments: [n1, n2])
        for (namespace, peer) in [(n1, one), (n2, two)] {
            // As rendered: eth0 a /24 with a default route via .1; forwarding on, rp_filter off.
            try KernelSupport.check("""
                ip -n $1 addr add $2/24 dev eth0 && ip -n $1 link set eth0 up && ip -n $1 route add default via $3 dev eth0 &&
                ip netns exec $1 sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
                """, arguments: [namespace, "\(peer.address)", "\(IPv4Address(peer.address.value & 0xffff_ff00 | 1))"])
        }
        for pod in pods {
            guard let node = nodes[pod.node] else { continue }
            // Calico's pod side: a /32 and a default route via 169.254.1.1, answered by proxy ARP on
            // the host's veth without delay (the CNI plugin sets proxy_delay 0; the default delays
            // the answer up to 0.8 s, long enough for the pod to retransmit its SYN).
            try KernelSupport.check("""
                ip link add name $3 netns $1 type veth peer name eth0 netns $2 &&
                ip -n $2 addr add $4/32 dev eth0 && ip -n $2 link set eth0 up &&
                ip -n $2 route add 169.254.1.1 dev eth0 scope link && ip -n $2 route add default via 169.254.1.1 dev eth0 &&
                ip -n $1 link set $3 up && ip netns exec $1 sysctl -qw net.ipv4.conf.$3.proxy_arp=1 net.ipv4.neigh.$3.proxy_delay=0 &&
                ip -n $1 route add $4/32 dev $3 scope link
                """, arguments: [node, pod.namespace, pod.veth, pod.address])
        }
        for (name, namespace) in nodes {
            guard let local = routing.peer(node: name), let snapshot = snapshots[name], let files = rendered[name]?.files else { continue }
            switch encapsulation {
            case .ipip:
                // The fallback tunl0 exists when the module is loaded; Calico only brings it up.
                try KernelSupport.check("(ip -n $1 link show tunl0 >/dev/null 2>&1 || ip -n $1 link add name tunl0 type ipip) && ip -n $1 link set tunl0 up", arguments: [namespace])
            case .vxlan:
                // felix's vxlan.calico: VNI 4096, learning off, its VTEP address and MAC; the
                // other VTEPs as permanent neighbours and FDB entries pointing at their nodes.
                guard let address = local.vxlanTunnelAddress, let mac = local.vxlanTunnelMAC else { throw KernelOracleError("no VTEP for \(name)") }
                try KernelSupport.check("""
                    ip -n $1 link add name vxlan.calico address $2 type vxlan id 4096 dstport 4789 local $3 dev eth0 nolearning &&
                    ip -n $1 addr add $4/32 dev vxlan.calico && ip -n $1 link set vxlan.calico up
                    """, arguments: [namespace, mac, "\(local.address)", "\(address)"])
                for peer in routing.peers where peer.node != name {
                    guard let tunnel = peer.vxlanTunnelAddress, let peerMAC = peer.vxlanTunnelMAC else { continue }
                    try KernelSupport.check("ip -n $1 neigh replace $2 lladdr $3 dev vxlan.calico nud permanent && ip netns exec $1 bridge fdb append $3 dev vxlan.calico dst $4",
                                            arguments: [namespace, "\(tunnel)", peerMAC, "\(peer.address)"])
                }
            case .none:
                break
            }
            for route in snapshot.network.routes where route.table == "main" && (route.device == ClusterRouting.ipipDevice || route.device == ClusterRouting.vxlanDevice) {
                guard let gateway = route.gateway, let device = route.device else { continue }
                try KernelSupport.check("ip -n $1 route add $2 via $3 dev $4 onlink", arguments: [namespace, "\(route.destination)", "\(gateway)", device])
            }
            try KernelSupport.check("""
                ip netns exec $1 ipset restore <<<"$2" && ip netns exec $1 iptables-nft-restore <<<"$3" &&
                ip netns exec $1 nft -f - <<'NFT'
                table ip \(TraceAssembler.oracleTable) {
                  chain pre { type filter hook prerouting priority -350; policy accept; meta nftrace set 1; }
                  chain out { type filter hook output priority -350; policy accept; meta nftrace set 1; }
                }
                NFT
                """, arguments: [namespace, files["ipset-save.txt"] ?? "", files["iptables-save.txt"] ?? ""])
        }
    }

    /// Starts `nft monitor trace` in both nodes and waits until both report a probe (a datagram
    /// from node 1 to node 2), then remembers where the probe's lines end.
    func startMonitors(peerAddress: IPv4Address) throws {
        for (name, namespace) in nodes {
            let path = NSTemporaryDirectory() + "\(namespace)-trace.log"
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", "exec ip netns exec \(namespace) nft -a monitor trace > \(path) 2>&1"]
            try process.run()
            monitors[name] = (process, path)
        }
        for _ in 0..<50 {
            _ = try? KernelSupport.shell("ip netns exec $1 bash -c \"echo probe > /dev/udp/$2/9\"", arguments: [nodes["node-1"] ?? "", "\(peerAddress)"])
            usleep(100_000)
            if monitors.values.allSatisfy({ !((try? String(contentsOfFile: $0.path, encoding: .utf8)) ?? "").isEmpty }) {
                usleep(300_000)
                for (name, monitor) in monitors { offsets[name] = ((try? String(contentsOfFile: monitor.path, encoding: .utf8)) ?? "").count }
                return
            }
        }
        throw KernelOracleError("nft monitor trace did not start in both nodes")
    }

    /// The trace lines since the probe, per node, after the kernel went quiet.
    func collect() -> [String: [String]] {
        usleep(500_000)
        var result: [String: [String]] = [:]
        for (name, monitor) in monitors {
            let text = (try? String(contentsOfFile: monitor.path, encoding: .utf8)) ?? ""
            result[name] = String(text.dropFirst(offsets[name] ?? 0)).split(separator: "\n").map(String.init)
        }
        return result
    }

    func handles(node: String) throws -> HandleMap {
        HandleMap(nftListing: try KernelSupport.shell("ip netns exec $1 nft -a list ruleset", arguments: [nodes[node] ?? ""]).output)
    }

    func shutdown() {
        for monitor in monitors.values where monitor.process.isRunning {
            // SIGKILL: children of the test runner inherit a signal mask that blocks SIGTERM
            // (see KernelOracle.shutdown).
            kill(monitor.process.processIdentifier, SIGKILL)
            monitor.process.waitUntilExit()
        }
        for monitor in monitors.values { try? FileManager.default.removeItem(atPath: monitor.path) }
        monitors = [:]
        for namespace in Array(nodes.values) + [podA, podB] {
            _ = try? KernelSupport.shell("ip netns del $1 2>/dev/null", arguments: [namespace])
        }
    }
}

@Suite("cross-node path on the kernel (ClusterPath Kernel)", .serialized, .enabled(if: KernelSupport.available))
struct ClusterPathKernelTests {
    struct Comparison {
        var passes = 0
        var steps = 0
        var visits = 0
        var problems: [String] = []
        var figures: [String] = []
    }

    /// Sets the lab up for `fixture`, sends one TCP SYN from pod A (bash's /dev/tcp) and compares
    /// the kernel's passes with pathsim's hops, node by node, in order; a reply (pod B's RST when
    /// the SYN reaches it) is traced back and compared too.
    static func run(fixture: String, encapsulation: ClusterRouting.Encapsulation, tag: String) throws -> Comparison {
        let cluster = try loadCluster(fixture)
        let options = RenderOptions(routesToOtherNodes: true)
        var rendered: [String: RenderedNode] = [:]
        var snapshots: [String: NodeSnapshot] = [:]
        for node in cluster.nodeNames {
            let render = try FelixRenderer.render(cluster, node: node, options: options)
            rendered[node] = render
            snapshots[node] = try render.snapshot()
        }
        var tracer = ClusterPathTracer(cluster: cluster, snapshots: snapshots, options: options)
        let client = try tracer.locator.workload(named: "default/client")
        guard let web = tracer.locator.workloads.first(where: { $0.name.hasPrefix("default/web-") }),
              let clientAddress = client.addresses.first, let webAddress = web.addresses.first,
              let nodeTwo = tracer.routing.peer(node: "node-2") else { throw KernelOracleError("expected client and web pods and node-2") }

        let lab = TwoNodeLab(tag: tag)
        defer { lab.shutdown() }
        try lab.build(rendered: rendered, snapshots: snapshots, routing: tracer.routing,
                      pods: [(client.node, lab.podA, client.interfaceName, clientAddress), (web.node, lab.podB, web.interfaceName, webAddress)],
                      encapsulation: encapsulation)
        try lab.startMonitors(peerAddress: nodeTwo.address)
        _ = try KernelSupport.shell("ip netns exec $1 timeout -s KILL 0.5 bash -c \"exec 3<>/dev/tcp/$2/80\"", arguments: [lab.podA, webAddress])
        let lines = lab.collect()

        var comparison = Comparison()
        var kernelPasses: [String: [TracedPass]] = [:]
        for node in ["node-1", "node-2"] {
            let events = (lines[node] ?? []).compactMap(TraceEvent.parse)
            // The probe's answer (ICMP port unreachable) may still be on its way.
            kernelPasses[node] = TraceAssembler.passes(events, handles: try lab.handles(node: node))
                .filter { !$0.headers.contains("udp dport 9 ") && !$0.headers.contains("icmp type") }
        }
        guard let syn = kernelPasses["node-1"]?.first, let sourcePort = TraceEvent.headerValue("tcp sport", in: syn.headers).flatMap({ UInt16($0) }) else {
            comparison.problems.append("the kernel traced no SYN on node-1: \(lines["node-1"]?.prefix(20).joined(separator: "\n") ?? "")")
            return comparison
        }

        // pathsim: the same SYN (the kernel's source port, length 60 with options, DF), then the
        // RST the kernel's pod B answered with, if the SYN reached it.
        var synPacket = try packet("tcp \(clientAddress):\(sourcePort) > \(webAddress):80 flags=S len=60")
        synPacket.dontFragment = true
        var results = [tracer.trace(PacketInput(packet: synPacket, ingress: .interface(client.interfaceName)), fromNode: client.node)]
        if results[0].outcome.isDelivered {
            var reset = try packet("tcp \(webAddress):80 > \(clientAddress):\(sourcePort) flags=R. len=40")
            reset.dontFragment = true
            results.append(tracer.trace(PacketInput(packet: reset, ingress: .interface(web.interfaceName), timestamp: 0.001, sequenceGiven: false, acknowledgementGiven: false), fromNode: web.node))
        }
        comparison.figures = results.map { "pathsim: \(describeHops($0))" }
        for node in ["node-1", "node-2"] {
            let hops = results.flatMap(\.hops).filter { $0.node == node }
            let passes = kernelPasses[node] ?? []
            if hops.count != passes.count {
                comparison.problems.append("\(node): pathsim has \(hops.count) hops (\(hops.map(\.role.rawValue))), the kernel \(passes.count) passes (\(passes.map { $0.headers.prefix(120) }))")
            }
            for (hop, pass) in zip(hops, passes) {
                comparison.passes += 1
                comparison.steps += hop.trace.steps.count
                let kernelVisits = pass.events.filter(\.isPacket).map { "\($0.table) \($0.chain)" }
                let pathsimVisits = hop.trace.visits.map { "\($0.table.rawValue) \($0.hook.rawValue)" }
                comparison.visits += pathsimVisits.count
                if kernelVisits != pathsimVisits {
                    comparison.problems.append("\(node) \(hop.role.rawValue): base chains differ\n  kernel:  \(kernelVisits)\n  pathsim: \(pathsimVisits)")
                }
                if pass.steps != hop.trace.steps {
                    comparison.problems.append("\(node) \(hop.role.rawValue): steps differ\n  kernel:\n    \(pass.steps.map(\.description).joined(separator: "\n    "))\n  pathsim:\n    \(hop.trace.steps.map(\.description).joined(separator: "\n    "))")
                }
                // The outer packet's length and TTL, and the inner TTL after the tunnel.
                for field in ["ip length", "ip ttl"] {
                    let kernel = TraceEvent.headerValue(field, in: pass.headers)
                    let mine = field == "ip length" ? "\(hop.trace.input.packet.totalLength)" : "\(hop.trace.input.packet.ttl)"
                    if kernel != mine { comparison.problems.append("\(node) \(hop.role.rawValue): \(field) kernel \(kernel ?? "-"), pathsim \(mine)") }
                }
                comparison.figures.append("\(node) \(hop.role.rawValue): \(pass.steps.count) steps, \(kernelVisits.count) base chains, length \(TraceEvent.headerValue("ip length", in: pass.headers) ?? "-"), ttl \(TraceEvent.headerValue("ip ttl", in: pass.headers) ?? "-")")
            }
        }
        return comparison
    }

    static func describeHops(_ result: ClusterPathResult) -> String {
        result.hops.map { "\($0.node) \($0.role.rawValue)" }.joined(separator: " → ") + " ⇒ \(result.outcome)"
    }

    @Test func vxlanSynAndResetMatchTheKernel() throws {
        let clock = ContinuousClock(), start = clock.now
        let result = try Self.run(fixture: "two-nodes-vxlan", encapsulation: .vxlan, tag: "v")
        print("cluster path kernel (VXLAN): \(result.passes) passes, \(result.visits) base-chain visits and \(result.steps) steps compared, \(result.problems.count) problems, in \(clock.now - start)\n  " + result.figures.joined(separator: "\n  "))
        #expect(result.passes == 8)
        for problem in result.problems { Issue.record(Comment(rawValue: problem)) }
    }

    @Test(.enabled(if: KernelSupport.ipipAvailable, "this kernel cannot create an ipip device"))
    func ipipSynMatchesTheKernel() throws {
        let clock = ContinuousClock(), start = clock.now
        let result = try Self.run(fixture: "two-nodes", encapsulation: .ipip, tag: "i")
        print("cluster path kernel (IPIP): \(result.passes) passes, \(result.visits) base-chain visits and \(result.steps) steps compared, \(result.problems.count) problems, in \(clock.now - start)\n  " + result.figures.joined(separator: "\n  "))
        #expect(result.passes == 4)
        for problem in result.problems { Issue.record(Comment(rawValue: problem)) }
    }
}
