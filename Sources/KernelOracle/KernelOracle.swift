import Foundation
import Glibc
import Netfilter
import PacketWire

// `Ingress` (`.interface(name)` / `.local`) is Netfilter's type, shared with the engine.
// `.interface(name)`: received on one of the node's interfaces (`eth0` or a `cali…` interface);
// the frame is injected from the peer namespace's end of the veth. `.local`: generated on the
// node (OUTPUT path), sent from a raw socket inside the node namespace.

/// The node's view of its network as JSON, the very text the simulator loads.
public struct NodeSnapshotText: Hashable, Sendable {
    /// `ip -j addr show`
    public var addresses: String
    /// `ip -j route show table all`
    public var routes: String
    /// `ip -j link show`
    public var links: String

    /// Writes `ip-addr.json`, `ip-route.json`, `ip-link.json` into `directory` (created if needed).
    public func write(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try addresses.write(toFile: directory + "/ip-addr.json", atomically: true, encoding: .utf8)
        try routes.write(toFile: directory + "/ip-route.json", atomically: true, encoding: .utf8)
        try links.write(toFile: directory + "/ip-link.json", atomically: true, encoding: .utf8)
    }
}

/// What the kernel did with one injected packet.
public struct KernelPacketResult: Hashable, Sendable {
    /// The pass of the injected packet itself (nil if it was never seen, which means the
    /// monitor missed it; the oracle's chains see every injected packet).
    public var original: TracedPass?
    /// Every other traversal in the same window: REJECT-generated RST/ICMP (OUTPUT path, ctstate
    /// RELATED), a loopback packet's re-entry on `lo`, a REJECT packet's own re-entry, …
    public var others: [TracedPass]
    /// All parsed events of the window, including the oracle's own table, in arrival order.
    public var events: [TraceEvent]
    /// The raw `nft monitor trace` lines of the window.
    public var rawLines: [String]
    /// Error of the send call. A local packet dropped in OUTPUT makes `sendto` fail with EPERM
    /// (observed); that is a normal outcome, not an oracle failure.
    public var sendError: String?

    /// The injected packet's steps (§9.5a of the semantics notes).
    public var steps: [TraceStep] { original?.steps ?? [] }
    /// Steps of every other pass, in arrival order.
    public var otherSteps: [[TraceStep]] { others.map(\.steps) }
}

/// How the oracle's output chain chooses which locally generated packets to trace.
public enum LocalTracing: Hashable, Sendable {
    /// Trace packets from the oracle's raw socket (`meta skgid`) and packets that already carry
    /// a conntrack entry at priority -350 (REJECT-generated RST/ICMP: nf_send_reset and
    /// nf_send_unreach attach the offending packet's entry, so `ct state related` matches there);
    /// drop every other locally generated packet (the stack's RST for a closed port, its ICMP
    /// port unreachable, …: those have no entry yet at -350 — observed) so it never reaches the
    /// iptables chains. Side effect: the `ct` expression registers conntrack in the namespace
    /// (nf_ct_netns_get), so conntrack is active even for a ruleset that would not enable it on
    /// its own (§1.6; observed: a nat table with only `-p tcp` rules was traversed with this
    /// table loaded and not without it).
    case conntrackRelated
    /// Trace every locally generated packet and drop none; conntrack stays on demand. Stack
    /// replies then appear as extra passes, so callers must avoid provoking them.
    case allLocal
}

/// The real kernel as a test oracle: a node topology in network namespaces (the fixed one below
/// by default, or any `OracleTopology`, for example a snapshot's network), a ruleset
/// loaded with iptables-nft-restore, packets injected with raw sockets, and the path read back
/// from `nft monitor trace`.
///
/// Topology (all names are per instance, `<prefix>-<pid>-<n>-<role>`):
/// ```
///   REMOTE (peer eth0 192.168.0.1/24) ── eth0 192.168.0.10/24 ┐
///   POD 10.65.0.2 (eth0) ──────────── cali1f79f9e08f2        │ NODE (lo up,
///   POD 10.65.0.3 (eth0) ──────────── cali96bc57f337a        │  default via 192.168.0.1)
///   POD 10.65.0.4 (eth0) ──────────── cali0a1b2c3d4e5        ┘
/// ```
/// The cali interfaces have no IPv4 address (like Calico); NODE has `10.65.0.X/32 dev caliY scope
/// link` routes and permanent neighbour entries for 192.168.0.1 and every pod, so no ARP happens.
/// Peers drop everything they receive (nft netdev ingress, policy drop), so they never answer.
///
/// Packets the oracle cannot send without the node's own stack answering (avoid them):
/// TCP or UDP to one of the node's addresses (192.168.0.10, 127/8) on a port nobody listens on
/// (RST / ICMP port unreachable; with `.conntrackRelated` those replies are dropped untraced
/// before raw, but they still exist), other protocols to a local address (ICMP protocol
/// unreachable), TTL ≤ 1 on a forwarded packet (ICMP time exceeded), packets to an on-link address
/// without a neighbour entry (ARP, harmless to traces). ICMP echo to the node is ignored
/// (`icmp_echo_ignore_all=1`), redirects are disabled (`send_redirects=0`).
/// Ingress packets always arrive with mark 0 (the mark is cleared crossing namespaces), so
/// `Packet.mark` is only used for `.local` packets (SO_MARK, which is that packet's mark).
public final class KernelOracle {
    public static let nodeAddress = IPv4Address(192, 168, 0, 10)
    public static let gatewayAddress = IPv4Address(192, 168, 0, 1)
    /// Workload interfaces and their pod addresses, in a fixed order.
    public static let workloads: [(interface: String, address: IPv4Address)] = [
        ("cali1f79f9e08f2", IPv4Address(10, 65, 0, 2)),
        ("cali96bc57f337a", IPv4Address(10, 65, 0, 3)),
        ("cali0a1b2c3d4e5", IPv4Address(10, 65, 0, 4)),
    ]
    public static let uplink = "eth0"
    public static var nodeInterfaces: [String] { [uplink] + workloads.map(\.interface) }
    /// The gid of the oracle's local raw socket, which the tracing table recognises.
    public static let senderGID: UInt32 = 4242
    public static let defaultPrefix = "pso"

    /// Namespace names.
    public let nodeNamespace: String
    /// Node interface → peer namespace.
    public let peerNamespaces: [String: String]
    public private(set) var snapshot: NodeSnapshotText
    public let localTracing: LocalTracing
    /// What was built.
    public let topology: OracleTopology
    /// Quiet time after the last trace line before a packet's window closes, and the overall cap.
    public var quietSeconds = 0.05
    public var timeoutSeconds = 1.0

    private var handles = HandleMap()
    private var monitor: Process?
    private var monitorPipe: Pipe?
    private let collector = TraceCollector()
    private var packetSockets: [String: (fd: Int32, ifindex: Int32)] = [:]
    private var rawSocket: Int32 = -1
    private var nodeMACs: [String: [UInt8]] = [:]
    private var peerMACs: [String: [UInt8]] = [:]
    private var isShutDown = false
    /// The iptables tables the last `load` restored.
    private var loadedTables: [TableName] = []

    nonisolated(unsafe) private static var instanceCounter = 0
    private static let counterLock = NSLock()

    // MARK: Availability

    /// nil when the oracle can run here, else the reason it cannot.
    public static func availability() -> String? { cachedAvailability }

    private static let cachedAvailability: String? = computeAvailability()

    private static func computeAvailability() -> String? {
        if geteuid() != 0 { return "not running as root (euid \(geteuid()))" }
        for tool in ["ip", "nft", "iptables-nft-restore", "iptables-nft-save", "ipset", "conntrack", "tcpdump"] where !ProcessRunner.exists(tool) {
            return "\(tool) not found"
        }
        if NamespaceSockets.setnsFunction == nil || NamespaceSockets.setfsgidFunction == nil {
            return "setns/setfsgid not found in libc"
        }
        let probe = "\(defaultPrefix)-\(getpid())-probe"
        do {
            try ProcessRunner.check(["ip", "netns", "add", probe])
            defer { _ = try? ProcessRunner.run(["ip", "netns", "del", probe]) }
            try ProcessRunner.check(["ip", "netns", "exec", probe, "nft", "list", "ruleset"])
            try ProcessRunner.check(["ip", "netns", "exec", probe, "iptables-nft-restore", "--version"])
        } catch {
            return "network namespaces unusable: \(error)"
        }
        return nil
    }

    // MARK: Life cycle

    /// Builds the fixed topology, loads the tracing table and starts `nft monitor trace`.
    /// Also removes namespaces left behind by earlier runs whose process is gone.
    public convenience init(prefix: String = KernelOracle.defaultPrefix, localTracing: LocalTracing = .conntrackRelated) throws {
        try self.init(topology: .fixed, prefix: prefix, localTracing: localTracing)
    }

    /// Builds `topology` (for example a snapshot's node network), loads the tracing table and
    /// starts `nft monitor trace`.
    public init(topology: OracleTopology, prefix: String = KernelOracle.defaultPrefix, localTracing: LocalTracing = .conntrackRelated) throws {
        if let reason = KernelOracle.availability() { throw KernelOracleError("kernel oracle unavailable: \(reason)") }
        KernelOracle.cleanupLeftovers(prefix: prefix)
        KernelOracle.counterLock.lock()
        KernelOracle.instanceCounter += 1
        let n = KernelOracle.instanceCounter
        KernelOracle.counterLock.unlock()
        let base = "\(prefix)-\(getpid())-\(n)"
        nodeNamespace = base + "-node"
        var peers: [String: String] = [:]
        // Peer namespaces are numbered, not named after the interface: interface names may hold
        // characters (dots) or lengths a namespace name should not carry.
        for (index, interface) in topology.interfaces.enumerated() {
            peers[interface.name] = interface.name == KernelOracle.uplink && topology == .fixed ? base + "-remote" : base + "-p\(index)"
        }
        peerNamespaces = peers
        self.topology = topology
        self.localTracing = localTracing
        snapshot = NodeSnapshotText(addresses: "", routes: "", links: "")
        do {
            try buildTopology()
            snapshot = try captureSnapshot()
            try loadTracingTable()
            try openSockets()
            try startMonitor()
        } catch {
            shutdown()
            throw error
        }
    }

    deinit { shutdown() }

    /// Stops the monitor, closes sockets and deletes the namespaces. Safe to call twice.
    public func shutdown() {
        guard !isShutDown else { return }
        isShutDown = true
        if let monitor, monitor.isRunning {
            // SIGKILL, not terminate(): children of the Swift test runner inherit a signal mask
            // that blocks SIGTERM (observed: SigBlk fffffffe3bfbea27 on the nft child), so SIGTERM
            // would never arrive.
            kill(monitor.processIdentifier, SIGKILL)
            monitor.waitUntilExit()
        }
        monitor = nil
        for _ in 0..<100 where !collector.isClosed { usleep(10_000) }  // reader sees EOF first
        if collector.isClosed { try? monitorPipe?.fileHandleForReading.close() }
        monitorPipe = nil
        for (_, socket) in packetSockets { close(socket.fd) }
        packetSockets.removeAll()
        if rawSocket >= 0 { close(rawSocket); rawSocket = -1 }
        for namespace in [nodeNamespace] + peerNamespaces.values.sorted() {
            _ = try? ProcessRunner.run(["ip", "netns", "del", namespace])
        }
    }

    /// Deletes namespaces named `<prefix>-<pid>-…` whose pid no longer runs, and ends the
    /// `nft monitor` processes still inside them (found by namespace inode, killed by pid).
    public static func cleanupLeftovers(prefix: String = defaultPrefix) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/run/netns") else { return }
        for name in names where name.hasPrefix(prefix + "-") {
            let fields = name.dropFirst(prefix.count + 1).split(separator: "-")
            guard let pidText = fields.first, let pid = Int32(pidText) else { continue }
            if pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH { continue }
            var info = stat()
            if stat("/run/netns/" + name, &info) == 0 {
                killProcesses(inNamespaceInode: info.st_ino)
            }
            _ = try? ProcessRunner.run(["ip", "netns", "del", name])
        }
    }

    private static func killProcesses(inNamespaceInode inode: UInt) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return }
        for entry in entries {
            guard let pid = Int32(entry) else { continue }
            var info = stat()
            guard stat("/proc/\(entry)/ns/net", &info) == 0, info.st_ino == inode else { continue }
            let cmdline = (try? String(contentsOfFile: "/proc/\(entry)/cmdline", encoding: .utf8)) ?? ""
            if cmdline.contains("monitor") && cmdline.contains("nft") { kill(pid, SIGKILL) }
        }
    }

    // MARK: Topology

    private func ip(_ args: String...) throws { try ProcessRunner.check(["ip"] + args) }
    private func inNode(_ args: [String], stdin: String? = nil) throws -> String {
        try ProcessRunner.check(["ip", "netns", "exec", nodeNamespace] + args, stdin: stdin)
    }

    private func newNamespace(_ name: String) throws {
        try ip("netns", "add", name)
        // IPv6 off before any interface exists, so no interface ever gets an IPv6 address.
        try ProcessRunner.check(["ip", "netns", "exec", name, "sysctl", "-qw",
                                 "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"])
        try ip("-n", name, "link", "set", "lo", "up")
    }

    private func buildTopology() throws {
        try newNamespace(nodeNamespace)
        for interface in topology.interfaces {
            guard let peer = peerNamespaces[interface.name] else { throw KernelOracleError("no peer namespace for \(interface.name)") }
            try newNamespace(peer)
            try ip("link", "add", interface.name, "netns", nodeNamespace, "type", "veth", "peer", "name", "eth0", "netns", peer)
            for address in interface.addresses { try ip("-n", nodeNamespace, "addr", "add", address, "dev", interface.name) }
            for address in interface.peerAddresses { try ip("-n", peer, "addr", "add", address, "dev", "eth0") }
            try ip("-n", peer, "link", "set", "eth0", "up")
            try ip("-n", nodeNamespace, "link", "set", interface.name, "up")
        }
        // `replace`, not `add`: an address already made its connected route.
        for route in topology.routes {
            try ProcessRunner.check(["ip", "-n", nodeNamespace, "route", "replace"] + route.arguments)
        }

        // MAC addresses, permanent neighbours, peer drop tables.
        let nodeLinks = try ProcessRunner.check(["ip", "-n", nodeNamespace, "-j", "link", "show"])
        nodeMACs = try KernelOracle.macs(fromLinkJSON: nodeLinks)
        for (interface, peer) in peerNamespaces {
            let peerLinks = try ProcessRunner.check(["ip", "-n", peer, "-j", "link", "show", "eth0"])
            guard let mac = try KernelOracle.macs(fromLinkJSON: peerLinks)["eth0"] else {
                throw KernelOracleError("no MAC for eth0 in \(peer)")
            }
            peerMACs[interface] = mac
            try ProcessRunner.check(["ip", "netns", "exec", peer, "nft", "-f", "-"], stdin: """
                table netdev pathsim_peer {
                    chain ingress {
                        type filter hook ingress device "eth0" priority 0; policy drop;
                    }
                }

                """)
        }
        for neighbour in topology.neighbours {
            guard let mac = peerMACs[neighbour.interface] else { continue }
            try ip("-n", nodeNamespace, "neigh", "replace", "\(neighbour.address)", "lladdr", KernelOracle.macText(mac), "dev", neighbour.interface, "nud", "permanent")
        }
        _ = try inNode(["sysctl", "-qw"] + topology.sysctlAssignments)
    }

    static func macs(fromLinkJSON json: String) throws -> [String: [UInt8]] {
        guard let array = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] else {
            throw KernelOracleError("unexpected `ip -j link` output")
        }
        var result: [String: [UInt8]] = [:]
        for link in array {
            if let name = link["ifname"] as? String, let address = link["address"] as? String,
               let mac = PacketEncoder.macAddress(address) {
                result[name] = mac
            }
        }
        return result
    }

    static func macText(_ mac: [UInt8]) -> String {
        mac.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: ":")
    }

    private func captureSnapshot() throws -> NodeSnapshotText {
        NodeSnapshotText(
            addresses: try ProcessRunner.check(["ip", "-n", nodeNamespace, "-j", "addr", "show"]),
            routes: try ProcessRunner.check(["ip", "-n", nodeNamespace, "-j", "route", "show", "table", "all"]),
            links: try ProcessRunner.check(["ip", "-n", nodeNamespace, "-j", "link", "show"]))
    }

    /// The oracle's own nft table. Priority -350 runs before raw (-300), conntrack defrag is -400.
    /// Verified on kernel 6.18 / nft 1.0.6:
    /// * nftrace set in a chain is honoured from that chain on: the chain's own `packet:` line and
    ///   rule line are printed, then every later base chain (raw, mangle, …) of every hook.
    /// * a REJECT-generated RST or ICMP error (FORWARD, INPUT and OUTPUT REJECT) already has the
    ///   conntrack entry attached at output priority -350 (`ct state related` matches) and appears
    ///   in the trace before the REJECT rule's own line, under another trace id;
    /// * the stack's RST for a closed local TCP port and its ICMP port unreachable for a closed UDP
    ///   port have no entry at -350 (they were dropped by the final rule);
    /// * a local packet to a local address is traced twice: OUTPUT side (oif lo) and re-entry on
    ///   lo (iif lo, pre chain) with a different trace id;
    /// * a local packet dropped in OUTPUT makes sendto() fail with EPERM.
    private func loadTracingTable() throws {
        let output: String
        switch localTracing {
        case .conntrackRelated:
            output = """
                        meta skgid \(KernelOracle.senderGID) meta nftrace set 1 accept
                        ct state related meta nftrace set 1 accept
                        drop
                """
        case .allLocal:
            output = "            meta nftrace set 1"
        }
        _ = try inNode(["nft", "-f", "-"], stdin: """
            table ip \(TraceAssembler.oracleTable) {
                chain pre {
                    type filter hook prerouting priority -350; policy accept;
                    meta nftrace set 1
                }
                chain out {
                    type filter hook output priority -350; policy accept;
            \(output)
                }
            }

            """)
        // The conntrack sysctls exist once nf_conntrack is loaded; set them when they do.
        _ = try? inNode(["sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_loose=\(topology.tcpLoose ? 1 : 0)",
                         "net.netfilter.nf_conntrack_tcp_be_liberal=\(topology.tcpBeLiberal ? 1 : 0)"])
    }

    private func openSockets() throws {
        for (interface, peer) in peerNamespaces {
            packetSockets[interface] = try NamespaceSockets.packetSocket(namespacePath: "/run/netns/" + peer, interface: "eth0")
        }
        rawSocket = try NamespaceSockets.rawSocket(namespacePath: "/run/netns/" + nodeNamespace, gid: KernelOracle.senderGID)
    }

    private func startMonitor() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessRunner.resolve("ip"))
        process.arguments = ["netns", "exec", nodeNamespace, "nft", "monitor", "trace"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        monitor = process
        monitorPipe = pipe
        // Drop our copy of the write end so the reader sees EOF when nft ends.
        try? pipe.fileHandleForWriting.close()
        collector.start(fd: pipe.fileHandleForReading.fileDescriptor)
        // Wait until the monitor really listens: send probes (local UDP to the gateway, forwarded
        // out of eth0 and dropped by the remote peer) until one shows up.
        guard let route = topology.probe else { throw KernelOracleError("the topology has no neighbour to send the monitor's probe to") }
        var probe = Packet(source: route.source, destination: route.destination, proto: IPProtocolNumber.udp, totalLength: 29)
        probe.sourcePort = 9
        probe.destinationPort = 9
        probe.ipID = 1
        for _ in 0..<50 {
            _ = NamespaceSockets.sendRaw(fd: rawSocket, packet: PacketEncoder.ipv4Bytes(probe), destination: probe.destination.value, mark: 0)
            let lines = collector.collect(quiet: 0.02, timeout: 0.1)
            if !lines.isEmpty { collector.reset(); return }
            if collector.isClosed { break }
        }
        throw KernelOracleError("nft monitor trace did not start")
    }

    // MARK: Rulesets

    /// Replaces the whole ruleset: deletes the iptables tables (so no set stays referenced),
    /// destroys all ipsets, restores `ipsetSave`, runs `iptables-nft-restore` (which starts with
    /// zero counters because the tables are new), flushes conntrack and refreshes the rule
    /// handle map. Errors carry the tool's stderr.
    public func load(iptablesSave: String, ipsetSave: String?) throws {
        var deletion = ""
        for table in TableName.allCases {
            deletion += "table ip \(table.rawValue)\ndelete table ip \(table.rawValue)\n"
        }
        _ = try inNode(["nft", "-f", "-"], stdin: deletion)
        // The nft tables' references to sets are released asynchronously after the tables are
        // deleted (observed: an immediate `ipset destroy` fails with "Set cannot be destroyed:
        // it is in use by a kernel component"), so retry for a while.
        // `ipset destroy` of all sets fails while a list:set still holds members (observed),
        // so flush every set first.
        _ = try inNode(["ipset", "flush"])
        var attempt = 0
        while true {
            let result = try runInNode(["ipset", "destroy"])
            if result.status == 0 { break }
            attempt += 1
            if attempt >= 100 || !result.stderr.contains("in use") {
                throw KernelOracleError("`ipset destroy` exited \(result.status): \(result.stderr)")
            }
            usleep(10_000)
        }
        if let ipsetSave, !ipsetSave.isEmpty {
            _ = try inNode(["ipset", "restore"], stdin: ipsetSave)
        }
        _ = try inNode(["iptables-nft-restore"], stdin: iptablesSave)
        loadedTables = TableName.allCases.filter { table in iptablesSave.split(separator: "\n").contains { $0 == "*" + table.rawValue } }
        try flushConntrack()
        try refreshHandles()
    }

    /// Empties the conntrack table (between test cases).
    public func flushConntrack() throws {
        _ = try inNode(["conntrack", "-F"])
    }

    /// What a new case starts from with the same rules loaded: no conntrack entries, every
    /// iptables counter zero (`iptables-nft -Z` per table present).
    public func resetBetweenCases() throws {
        // `iptables-nft -Z` reads the whole ruleset each time and every `ip netns exec` costs a
        // few tens of milliseconds, so everything runs in one shell.
        let zero = loadedTables.map { "iptables-nft -t \($0.rawValue) -Z" }
        _ = try inNode(["sh", "-ec", (["conntrack -F 2>/dev/null"] + zero).joined(separator: "; ")])
    }

    public func refreshHandles() throws {
        handles = HandleMap(nftListing: try inNode(["nft", "-a", "list", "ruleset"]))
    }

    public var handleMap: HandleMap { handles }

    /// `iptables-nft-save -c` in the node.
    public func counters() throws -> String { try inNode(["iptables-nft-save", "-c"]) }

    /// `conntrack -L` in the node (entries only; the summary goes to stderr).
    public func conntrackList() throws -> String { try inNode(["conntrack", "-L"]) }

    /// Runs any command in the node namespace (debugging aid).
    public func runInNode(_ arguments: [String], stdin: String? = nil) throws -> CommandResult {
        try ProcessRunner.run(["ip", "netns", "exec", nodeNamespace] + arguments, stdin: stdin)
    }

    // MARK: Sending

    /// Injects `packet` and returns its trace. Synchronous; call from one thread at a time.
    public func send(_ packet: Packet, from ingress: Ingress) throws -> KernelPacketResult {
        guard !isShutDown else { throw KernelOracleError("oracle is shut down") }
        let bytes = PacketEncoder.ipv4Bytes(packet)
        collector.reset()
        var sendError: String?
        switch ingress {
        case .interface(let name):
            guard let socket = packetSockets[name], let nodeMAC = nodeMACs[name], let peerMAC = peerMACs[name] else {
                throw KernelOracleError("unknown ingress interface \(name)")
            }
            let frame = PacketEncoder.ethernetFrame(ipv4: bytes, source: peerMAC, destination: nodeMAC)
            sendError = NamespaceSockets.sendFrame(fd: socket.fd, ifindex: socket.ifindex, frame: frame)
        case .local:
            sendError = NamespaceSockets.sendRaw(fd: rawSocket, packet: bytes, destination: packet.destination.value, mark: packet.mark)
        }
        let lines = collector.collect(quiet: quietSeconds, timeout: timeoutSeconds)
        let events = lines.compactMap(TraceEvent.parse)
        let passes = TraceAssembler.passes(events, handles: handles)
        let originalIndex = passes.firstIndex { KernelOracle.isOriginal($0, packet: packet, ingress: ingress) }
        var others = passes
        var original: TracedPass?
        if let originalIndex { original = others.remove(at: originalIndex) }
        return KernelPacketResult(original: original, others: others, events: events, rawLines: lines, sendError: sendError)
    }

    static func isOriginal(_ pass: TracedPass, packet: Packet, ingress: Ingress) -> Bool {
        let headers = pass.headers
        guard TraceEvent.headerValue("ip saddr", in: headers) == packet.source.description,
              TraceEvent.headerValue("ip daddr", in: headers) == packet.destination.description
        else { return false }
        switch ingress {
        case .local:
            guard pass.entry == "out" else { return false }
            // The kernel picks an id for IP_HDRINCL packets sent with id 0.
            if packet.ipID == 0 { return true }
        case .interface(let name):
            guard pass.entry == "pre", pass.inputInterface == name else { return false }
        }
        return TraceEvent.headerValue("ip id", in: headers) == String(packet.ipID)
    }
}
