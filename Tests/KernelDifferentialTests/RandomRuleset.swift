import KernelOracle
import Netfilter
import PolicyTestSupport

/// A packet of a generated sequence and where it enters the node.
struct GeneratedPacket: Hashable, Sendable, CustomStringConvertible {
    var packet: Packet
    var ingress: Ingress
    var note: String

    var ingressText: String {
        switch ingress {
        case .interface(let name): return name
        case .local: return "local"
        }
    }

    var description: String {
        let p = packet
        var text = "\(ingressText) \(p.source)→\(p.destination) proto \(p.proto) id \(p.ipID)"
        if p.proto == IPProtocolNumber.tcp { text += " \(p.sourcePort)→\(p.destinationPort) \(p.tcpFlags.tcpdumpLetters) seq \(p.sequence) ack \(p.acknowledgement)" }
        if p.proto == IPProtocolNumber.udp { text += " \(p.sourcePort)→\(p.destinationPort)" }
        if p.proto == IPProtocolNumber.icmp { text += " type \(p.icmpType) id \(p.icmpID) seq \(p.icmpSequence)" }
        if p.mark != 0 { text += " mark 0x\(String(p.mark, radix: 16))" }
        return text + " (\(note))"
    }
}

/// One generated test case: a ruleset (iptables-save text, nft dialect), the matching
/// `ipset save` text and a packet sequence.
struct GeneratedCase: Sendable {
    var seed: UInt64
    var iptablesSave: String
    var ipsetSave: String
    var packets: [GeneratedPacket]
}

/// Seeded random rulesets and packet sequences for the kernel-differential tests. Every ruleset
/// is meant to be accepted by iptables-nft-restore 1.8.9 (checked by `RandomRulesetTests`).
///
/// Restrictions honoured (§2.5, §1.4 of the semantics notes):
/// * user chains belong to one built-in chain ("owner"): they are only jumped to from it or from
///   user chains of the same owner with a higher index, so the graph is acyclic, depth ≤ 7, and
///   hook-restricted targets/matches (DNAT, SNAT, MASQUERADE, REDIRECT, addrtype
///   --limit-iface-in/out) are only used where every reaching hook allows them;
/// * no `-o` in PREROUTING/INPUT, no `-i` in OUTPUT/POSTROUTING built-ins (user chains get the
///   "wrong" one with a small probability, which iptables accepts);
/// * REJECT in filter only (tcp-reset with `-p tcp`), NOTRACK / CT in raw only, no DROP in nat
///   (userspace refuses it), nat policies ACCEPT;
/// * NAT addresses stay inside the topology (pods, the node address), SNAT without a port;
/// * every ruleset has a conntrack user (`-m conntrack` in filter FORWARD), so conntrack is active
///   with or without the oracle's own `ct` expression (§1.6).
enum RandomRuleset {
    static let pods = KernelOracle.workloads
    static let remotes: [IPv4Address] = [
        IPv4Address(8, 8, 8, 8), IPv4Address(1, 1, 1, 1), IPv4Address(203, 0, 113, 7), IPv4Address(198, 51, 100, 20),
    ]
    static let serverPorts: [UInt16] = [22, 53, 80, 443, 8080, 6379]
    static let marks: [UInt32] = [0x1, 0x2, 0x4, 0x10, 0x4000, 0x10000]

    static func generate(seed: UInt64, packetCount: Int = 24) -> GeneratedCase {
        var rng = ClusterRandom(seed: seed)
        var generator = RuleGenerator(rng: rng)
        let text = generator.ruleset()
        rng = generator.rng
        let packets = PacketGenerator.sequence(rng: &rng, count: packetCount)
        return GeneratedCase(seed: seed, iptablesSave: text, ipsetSave: generator.ipsetSave, packets: packets)
    }
}

// MARK: - Rules

struct RuleGenerator {
    var rng: ClusterRandom

    static let interfaces = ["eth0", "cali1f79f9e08f2", "cali96bc57f337a", "cali0a1b2c3d4e5", "cali+", "lo", "eth+"]
    static let networks = [
        "10.65.0.2/32", "10.65.0.3/32", "10.65.0.4/32", "10.65.0.0/24", "10.65.0.0/16", "10.0.0.0/8",
        "192.168.0.10/32", "192.168.0.0/24", "8.8.8.8/32", "8.0.0.0/7", "0.0.0.0/1", "10.65.0.2/255.255.0.255",
    ]
    static let setNames = ["ps-ip", "ps-net", "ps-ipport", "ps-list"]

    var ipsetSave: String {
        """
        create ps-ip hash:ip family inet hashsize 1024 maxelem 65536
        add ps-ip 10.65.0.2
        add ps-ip 8.8.8.8
        add ps-ip 192.168.0.10
        create ps-net hash:net family inet hashsize 1024 maxelem 65536
        add ps-net 10.65.0.0/24
        add ps-net 10.65.0.4 nomatch
        add ps-net 1.0.0.0/8
        create ps-ipport hash:ip,port family inet hashsize 1024 maxelem 65536
        add ps-ipport 10.65.0.3,tcp:80
        add ps-ipport 10.65.0.3,udp:53
        add ps-ipport 8.8.8.8,tcp:443
        add ps-ipport 10.65.0.4,icmp:echo-request
        create ps-list list:set size 8
        add ps-list ps-ip
        add ps-list ps-net

        """
    }

    mutating func ruleset() -> String {
        var text = ""
        for table in [TableName.raw, .mangle, .nat, .filter] {
            text += self.table(table)
        }
        return text
    }

    /// The chain layout of one table: built-ins, then user chains each owned by one built-in.
    mutating func table(_ table: TableName) -> String {
        let builtins = table.builtinChains
        let userCount = rng.int(0...6)
        var owners: [Hook] = []
        for _ in 0..<userCount { owners.append(rng.pick(builtins)) }
        let userNames = (0..<userCount).map { "u-\(table.rawValue.prefix(3))-\($0)" }

        var lines = ["*\(table.rawValue)"]
        for hook in builtins {
            let policy: String
            if table == .nat { policy = "ACCEPT" } else { policy = rng.chance(0.2) ? "DROP" : "ACCEPT" }
            lines.append(":\(hook.rawValue) \(policy) [0:0]")
        }
        for name in userNames { lines.append(":\(name) - [0:0]") }

        for hook in builtins {
            var rules: [String] = []
            if table == .filter && hook == .forward {
                rules.append("-A FORWARD -m conntrack --ctstate INVALID -j LOG --log-prefix \"invalid \"")
            }
            let targets = userNames.indices.filter { owners[$0] == hook }.map { userNames[$0] }
            for _ in 0..<rng.int(0...7) {
                rules.append(rule(table: table, chain: hook.rawValue, hook: hook, builtin: true, jumpTargets: targets))
            }
            // Make sure owned chains are reachable most of the time.
            for name in targets where rng.chance(0.8) && !rules.contains(where: { $0.hasSuffix("-j \(name)") || $0.hasSuffix("-g \(name)") }) {
                let position = rng.int(0...rules.count)
                rules.insert("-A \(hook.rawValue)\(rng.chance(0.5) ? " " + ipPart(hook: hook, builtin: true) : "") -j \(name)".replacingOccurrences(of: "  ", with: " "), at: position)
            }
            lines += rules.map { $0.replacingOccurrences(of: "  ", with: " ") }
        }
        for (index, name) in userNames.enumerated() {
            let hook = owners[index]
            let later = userNames.indices.filter { $0 > index && owners[$0] == hook }.map { userNames[$0] }
            for _ in 0..<rng.int(0...6) {
                lines.append(rule(table: table, chain: name, hook: hook, builtin: false, jumpTargets: later).replacingOccurrences(of: "  ", with: " "))
            }
        }
        lines.append("COMMIT")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `-s`/`-d`/`-i`/`-o` part (possibly empty).
    mutating func ipPart(hook: Hook, builtin: Bool) -> String {
        var parts: [String] = []
        if rng.chance(0.25) { parts.append(negation() + "-s " + rng.pick(Self.networks)) }
        if rng.chance(0.25) { parts.append(negation() + "-d " + rng.pick(Self.networks)) }
        let inputAllowed = hook.hasInputInterface || (!builtin && rng.chance(0.05))
        let outputAllowed = hook.hasOutputInterface || (!builtin && rng.chance(0.05))
        if inputAllowed && rng.chance(0.25) { parts.append(negation() + "-i " + rng.pick(Self.interfaces)) }
        if outputAllowed && rng.chance(0.25) { parts.append(negation() + "-o " + rng.pick(Self.interfaces)) }
        return parts.joined(separator: " ")
    }

    mutating func negation(_ probability: Double = 0.2) -> String { rng.chance(probability) ? "! " : "" }

    mutating func portSpec() -> String {
        if rng.chance(0.3) {
            let low = rng.pick([0, 1024, 50, 6000])
            return "\(low):\(low + rng.pick([100, 1000, 30000]))"
        }
        return String(rng.pick(RandomRuleset.serverPorts))
    }

    mutating func markSpec() -> String {
        let mark = rng.pick(RandomRuleset.marks)
        if rng.chance(0.5) { return "0x\(String(mark, radix: 16))/0x\(String(mark, radix: 16))" }
        return "0x\(String(mark, radix: 16))"
    }

    mutating func rule(table: TableName, chain: String, hook: Hook, builtin: Bool, jumpTargets: [String]) -> String {
        var parts = ["-A \(chain)"]
        let ip = ipPart(hook: hook, builtin: builtin)
        if !ip.isEmpty { parts.append(ip) }

        // Protocol and protocol matches.
        var proto: String?
        let protoRoll = rng.int(0...9)
        if protoRoll < 3 { proto = "tcp" } else if protoRoll < 5 { proto = "udp" } else if protoRoll < 6 { proto = "icmp" }
        let negatedProto = proto != nil && rng.chance(0.1)
        if let proto { parts.append((negatedProto ? "! " : "") + "-p \(proto)") }
        if let proto, !negatedProto {
            switch proto {
            case "tcp", "udp":
                if rng.chance(0.6) {
                    var m = "-m \(proto)"
                    if rng.chance(0.4) { m += " " + negation() + "--sport " + portSpec() }
                    if rng.chance(0.7) { m += " " + negation() + "--dport " + portSpec() }
                    if proto == "tcp" && rng.chance(0.3) {
                        if rng.chance(0.5) { m += " " + negation() + "--syn" } else {
                            m += " " + negation() + rng.pick(["--tcp-flags SYN,RST,ACK SYN", "--tcp-flags FIN,SYN,RST,ACK ACK", "--tcp-flags ALL ACK,PSH", "--tcp-flags RST RST"])
                        }
                    }
                    if m != "-m \(proto)" { parts.append(m) }
                } else if rng.chance(0.4) {
                    let ports = (0..<rng.int(1...3)).map { _ in portSpec() }
                    parts.append("-m multiport " + negation() + rng.pick(["--dports ", "--sports ", "--ports "]) + ports.joined(separator: ","))
                }
            case "icmp":
                if rng.chance(0.6) {
                    parts.append("-m icmp " + negation() + "--icmp-type " + rng.pick(["8", "0", "echo-request", "echo-reply", "3/3", "3", "any"]))
                }
            default: break
            }
        }

        // Other matches.
        for _ in 0..<rng.int(0...2) {
            switch rng.int(0...10) {
            case 0: parts.append("-m mark " + negation() + "--mark " + markSpec())
            case 1: parts.append("-m conntrack " + negation() + "--ctstate " + ctStates())
            case 2: parts.append("-m conntrack " + negation() + "--ctstatus " + rng.pick(["SEEN_REPLY", "ASSURED", "CONFIRMED", "ASSURED,CONFIRMED", "NONE", "EXPECTED"]))
            case 3: parts.append("-m conntrack --ctdir " + rng.pick(["ORIGINAL", "REPLY"]))
            case 4: parts.append("-m state " + negation() + "--state " + ctStates(includeVirtual: false))
            case 5: parts.append("-m comment --comment \"" + rng.pick(["hello", "cali:abc123", "rule with spaces", "x"]) + "\"")
            case 6:
                var m = "-m addrtype"
                if rng.chance(0.5) { m += " " + negation() + "--src-type " + rng.pick(["LOCAL", "UNICAST", "LOCAL,UNICAST"]) }
                if rng.chance(0.7) || m == "-m addrtype" { m += " " + negation() + "--dst-type " + rng.pick(["LOCAL", "UNICAST", "BROADCAST"]) }
                if rng.chance(0.3) {
                    if hook.hasInputInterface && hook != .forward { m += " --limit-iface-in" }
                    else if hook.hasOutputInterface && hook != .forward { m += " --limit-iface-out" }
                }
                parts.append(m)
            case 7:
                let set = rng.pick(Self.setNames)
                let flags: String
                if set == "ps-ipport" { flags = rng.pick(["dst,dst", "src,dst", "dst,src", "dst"]) } else { flags = rng.pick(["src", "dst"]) }
                parts.append("-m set " + negation() + "--match-set \(set) \(flags)")
            case 8:
                let low = rng.pick([0, 40, 60, 84, 100])
                parts.append("-m length " + negation() + "--length " + (rng.chance(0.5) ? "\(low)" : "\(low):\(low + rng.pick([20, 100, 1000]))"))
            case 9:
                let every = rng.int(2...4)
                parts.append("-m statistic --mode nth " + negation(0.1) + "--every \(every) --packet \(rng.int(0...(every - 1)))")
            default:
                parts.append("-m connmark " + negation() + "--mark " + markSpec())
            }
        }

        parts.append(target(table: table, hook: hook, proto: negatedProto ? nil : proto, jumpTargets: jumpTargets))
        return parts.joined(separator: " ")
    }

    mutating func ctStates(includeVirtual: Bool = true) -> String {
        var all = ["INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED"]
        if includeVirtual { all += ["SNAT", "DNAT"] }
        var chosen = all.filter { _ in rng.chance(0.3) }
        if chosen.isEmpty { chosen = [rng.pick(all)] }
        return chosen.joined(separator: ",")
    }

    mutating func target(table: TableName, hook: Hook, proto: String?, jumpTargets: [String]) -> String {
        if !jumpTargets.isEmpty && rng.chance(0.3) {
            return (rng.chance(0.3) ? "-g " : "-j ") + rng.pick(jumpTargets)
        }
        let pod = rng.pick(RandomRuleset.pods).address
        var options: [String] = ["", "-j RETURN", "-j MARK --set-xmark " + markSpec(), "-j MARK --or-mark 0x\(String(rng.pick(RandomRuleset.marks), radix: 16))",
                                 "-j MARK --and-mark 0xfffffffe", "-j CONNMARK --save-mark", "-j CONNMARK --restore-mark",
                                 "-j CONNMARK --set-xmark " + markSpec(), "-j NFLOG --nflog-group 5 --nflog-prefix pfx", "-j LOG --log-prefix \"lg \""]
        switch table {
        case .raw:
            options += ["-j ACCEPT", "-j DROP", "-j NOTRACK", "-j CT --notrack"]
        case .mangle:
            options += ["-j ACCEPT", "-j DROP"]
        case .filter:
            options += ["-j ACCEPT", "-j ACCEPT", "-j DROP", "-j DROP",
                        "-j REJECT --reject-with " + rng.pick(["icmp-port-unreachable", "icmp-host-unreachable", "icmp-net-prohibited", "icmp-admin-prohibited", "icmp-host-prohibited"])]
            if proto == "tcp" { options.append("-j REJECT --reject-with tcp-reset") }
        case .nat:
            options += ["-j ACCEPT"]
            switch hook {
            case .prerouting, .output:
                options += ["-j DNAT --to-destination \(pod)", "-j DNAT --to-destination \(pod)", "-j REDIRECT"]
                if proto == "tcp" || proto == "udp" {
                    options += ["-j DNAT --to-destination \(pod):\(rng.pick(RandomRuleset.serverPorts))", "-j REDIRECT --to-ports 8080"]
                }
            case .postrouting:
                options += ["-j SNAT --to-source 192.168.0.10", "-j MASQUERADE", "-j MASQUERADE"]
            case .input:
                options += ["-j SNAT --to-source 192.168.0.10"]
            default: break
            }
        case .security:
            break
        }
        return rng.pick(options)
    }
}

// MARK: - Packets

enum PacketGenerator {
    enum Endpoint {
        case pod(Int), remote(IPv4Address), node

        var address: IPv4Address {
            switch self {
            case .pod(let i): return RandomRuleset.pods[i].address
            case .remote(let a): return a
            case .node: return KernelOracle.nodeAddress
            }
        }

        /// Where a packet sent by this endpoint enters the node.
        var ingress: Ingress {
            switch self {
            case .pod(let i): return .interface(RandomRuleset.pods[i].interface)
            case .remote: return .interface(KernelOracle.uplink)
            case .node: return .local
            }
        }
    }

    static func endpoint(_ rng: inout ClusterRandom, allowNode: Bool) -> Endpoint {
        switch rng.int(0...(allowNode ? 5 : 4)) {
        case 0, 1, 2: return .pod(rng.int(0...2))
        case 3, 4: return .remote(rng.pick(RandomRuleset.remotes))
        default: return .node
        }
    }

    /// A client/server pair that never has the node as the server of a TCP/UDP flow
    /// (the node's stack would answer). Node clients are fine: replies to the node draw a stack
    /// RST / port unreachable, which the oracle drops before raw (untraced, no conntrack effect).
    static func pair(_ rng: inout ClusterRandom) -> (Endpoint, Endpoint) {
        while true {
            let client = endpoint(&rng, allowNode: true)
            let server = endpoint(&rng, allowNode: false)
            if client.address != server.address {
                if case .remote = client, case .remote = server { continue }  // eth0 → eth0
                return (client, server)
            }
        }
    }

    /// Flows of packets, interleaved; per flow the order is kept.
    static func sequence(rng: inout ClusterRandom, count: Int) -> [GeneratedPacket] {
        var flows: [[GeneratedPacket]] = []
        var total = 0
        var nextID: UInt16 = UInt16(rng.int(1...20000))
        func id() -> UInt16 { nextID = nextID == UInt16.max ? 1 : nextID + 1; return nextID }
        while total < count {
            let (client, server) = pair(&rng)
            var flow: [GeneratedPacket] = []
            let clientPort = UInt16(rng.int(1024...60999))
            let serverPort = rng.pick(RandomRuleset.serverPorts)
            let clientMark: UInt32 = rng.chance(0.3) ? rng.pick(RandomRuleset.marks) : 0
            func mark(_ endpoint: Endpoint, _ value: UInt32) -> UInt32 {
                if case .node = endpoint { return value } else { return 0 }
            }
            switch rng.int(0...9) {
            case 0...3:  // TCP handshake and data, cut short at random
                let isnC = UInt32(truncatingIfNeeded: rng.next()), isnS = UInt32(truncatingIfNeeded: rng.next())
                let data = rng.int(1...200)
                func tcp(_ from: Endpoint, _ to: Endpoint, _ sp: UInt16, _ dp: UInt16, _ flags: TCPFlags, _ seq: UInt32, _ ack: UInt32, _ payload: Int, _ note: String) -> GeneratedPacket {
                    var p = Packet(source: from.address, destination: to.address, proto: IPProtocolNumber.tcp, totalLength: UInt16(40 + payload))
                    p.sourcePort = sp; p.destinationPort = dp; p.tcpFlags = flags
                    p.sequence = seq; p.acknowledgement = ack; p.window = 64240
                    p.ipID = id(); p.dontFragment = true; p.mark = mark(from, clientMark)
                    return GeneratedPacket(packet: p, ingress: from.ingress, note: note)
                }
                let c = client, s = server, cp = clientPort, spt = serverPort
                flow = [
                    tcp(c, s, cp, spt, .syn, isnC, 0, 0, "tcp SYN"),
                    tcp(s, c, spt, cp, [.syn, .ack], isnS, isnC &+ 1, 0, "tcp SYN-ACK"),
                    tcp(c, s, cp, spt, .ack, isnC &+ 1, isnS &+ 1, 0, "tcp ACK"),
                    tcp(c, s, cp, spt, [.psh, .ack], isnC &+ 1, isnS &+ 1, data, "tcp data"),
                    tcp(s, c, spt, cp, .ack, isnS &+ 1, isnC &+ 1 &+ UInt32(data), 0, "tcp data ACK"),
                    tcp(c, s, cp, spt, [.fin, .ack], isnC &+ 1 &+ UInt32(data), isnS &+ 1, 0, "tcp FIN"),
                    tcp(s, c, spt, cp, [.fin, .ack], isnS &+ 1, isnC &+ 2 &+ UInt32(data), 0, "tcp FIN reply"),
                    tcp(c, s, cp, spt, .ack, isnC &+ 2 &+ UInt32(data), isnS &+ 2, 0, "tcp last ACK"),
                ]
                flow = Array(flow.prefix(rng.int(1...flow.count)))
                if rng.chance(0.15) { flow.append(tcp(c, s, cp, spt, [.rst, .ack], flow.count > 3 ? isnC &+ 1 &+ UInt32(data) : isnC &+ 1, isnS &+ 1, 0, "tcp RST")) }
            case 4...5:  // UDP request and maybe replies
                func udp(_ from: Endpoint, _ to: Endpoint, _ sp: UInt16, _ dp: UInt16, _ note: String) -> GeneratedPacket {
                    var p = Packet(source: from.address, destination: to.address, proto: IPProtocolNumber.udp, totalLength: UInt16(28 + rng.int(1...100)))
                    p.sourcePort = sp; p.destinationPort = dp; p.ipID = id(); p.mark = mark(from, clientMark)
                    return GeneratedPacket(packet: p, ingress: from.ingress, note: note)
                }
                flow = [udp(client, server, clientPort, serverPort, "udp request")]
                if rng.chance(0.7) { flow.append(udp(server, client, serverPort, clientPort, "udp reply")) }
                if rng.chance(0.4) { flow.append(udp(client, server, clientPort, serverPort, "udp again")) }
            case 6...7:  // ICMP echo (to anyone, the node included: echo is ignored there)
                let target = rng.chance(0.15) ? Endpoint.node : server
                let source: Endpoint = { if case .node = target, case .node = client { return .pod(0) } else { return client } }()
                let echoID = UInt16(rng.int(1...65535))
                func icmp(_ from: Endpoint, _ to: Endpoint, _ type: UInt8, _ sequence: UInt16, _ note: String) -> GeneratedPacket {
                    var p = Packet(source: from.address, destination: to.address, proto: IPProtocolNumber.icmp, totalLength: 84)
                    p.icmpType = type; p.icmpID = echoID; p.icmpSequence = sequence; p.ipID = id(); p.mark = mark(from, clientMark)
                    return GeneratedPacket(packet: p, ingress: from.ingress, note: note)
                }
                flow = [icmp(source, target, 8, 1, "echo request")]
                if case .node = target {} else if rng.chance(0.7) { flow.append(icmp(target, source, 0, 1, "echo reply")) }
                if rng.chance(0.3) { flow.append(icmp(source, target, 8, 2, "echo request 2")) }
            default:  // unsolicited: INVALID or loose pickup
                var p: Packet
                switch rng.int(0...3) {
                case 0:
                    p = Packet(source: server.address, destination: client.address, proto: IPProtocolNumber.icmp, totalLength: 84)
                    p.icmpType = 0; p.icmpID = UInt16(rng.int(1...65535)); p.icmpSequence = 1
                case 1:
                    p = Packet(source: server.address, destination: client.address, proto: IPProtocolNumber.tcp, totalLength: 40)
                    p.tcpFlags = [.syn, .ack]; p.sourcePort = serverPort; p.destinationPort = clientPort
                    p.sequence = UInt32(truncatingIfNeeded: rng.next()); p.acknowledgement = UInt32(truncatingIfNeeded: rng.next()); p.window = 512
                case 2:
                    p = Packet(source: client.address, destination: server.address, proto: IPProtocolNumber.tcp, totalLength: 52)
                    p.tcpFlags = .ack; p.sourcePort = clientPort; p.destinationPort = serverPort
                    p.sequence = UInt32(truncatingIfNeeded: rng.next()); p.acknowledgement = UInt32(truncatingIfNeeded: rng.next()); p.window = 512
                default:
                    p = Packet(source: client.address, destination: server.address, proto: IPProtocolNumber.tcp, totalLength: 40)
                    p.tcpFlags = [.fin]; p.sourcePort = clientPort; p.destinationPort = serverPort
                    p.sequence = UInt32(truncatingIfNeeded: rng.next()); p.window = 512
                }
                let from: Endpoint = p.source == client.address ? client : server
                if case .node = from, p.destination == KernelOracle.nodeAddress { continue }
                p.ipID = id()
                p.mark = mark(from, clientMark)
                flow = [GeneratedPacket(packet: p, ingress: from.ingress, note: "unsolicited")]
            }
            // No TCP/UDP towards the node's own address (the stack would answer) unless it is a
            // reply in a flow the node started.
            flows.append(flow)
            total += flow.count
        }
        // Interleave the flows, keeping each flow's order.
        var result: [GeneratedPacket] = []
        var cursors = Array(repeating: 0, count: flows.count)
        while result.count < total {
            let open = flows.indices.filter { cursors[$0] < flows[$0].count }
            let pickIndex = open[rng.int(0...(open.count - 1))]
            result.append(flows[pickIndex][cursors[pickIndex]])
            cursors[pickIndex] += 1
        }
        return result
    }
}
