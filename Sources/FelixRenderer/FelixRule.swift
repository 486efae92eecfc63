import Netfilter

/// One match criterion as felix builds it (`felix/iptables/match_builder.go`). Each renders two
/// ways: the text felix writes and hashes ("felix form") and what `iptables-save` prints back
/// ("save form", with `-s -d -i -o -p` hoisted to the front by the caller).
enum FelixMatch: Hashable, Sendable {
    case proto(String, negated: Bool)
    case source(IPv4Network, negated: Bool)
    case destination(IPv4Network, negated: Bool)
    case inInterface(String)
    case outInterface(String)
    case mark(value: UInt32, mask: UInt32, negated: Bool)
    case conntrackState(String, negated: Bool)
    case set(name: String, flags: String, negated: Bool)
    case multiport(source: Bool, ports: String, negated: Bool)
    case icmpType(type: Int, code: Int?, negated: Bool)
    case rpfilterFailed
    case addressType(source: Bool, type: String, negated: Bool, limitIfaceOut: Bool)
    case udpDestinationPort(Int)

    var felixText: String {
        switch self {
        case .proto(let name, let negated): (negated ? "! " : "") + "-p \(name)"
        case .source(let cidr, let negated): (negated ? "! " : "") + "--source \(cidr)"
        case .destination(let cidr, let negated): (negated ? "! " : "") + "--destination \(cidr)"
        case .inInterface(let name): "--in-interface \(name)"
        case .outInterface(let name): "--out-interface \(name)"
        case .mark(let value, let mask, let negated): "-m mark " + (negated ? "! " : "") + "--mark \(goHex(value))/\(goHex(mask))"
        case .conntrackState(let states, let negated): "-m conntrack " + (negated ? "! " : "") + "--ctstate \(states)"
        case .set(let name, let flags, let negated): "-m set " + (negated ? "! " : "") + "--match-set \(name) \(flags)"
        case .multiport(let source, let ports, let negated):
            "-m multiport " + (negated ? "! " : "") + (source ? "--source-ports " : "--destination-ports ") + ports
        case .icmpType(let type, let code, let negated): "-m icmp " + (negated ? "! " : "") + "--icmp-type \(type)" + (code.map { "/\($0)" } ?? "")
        case .rpfilterFailed: "-m rpfilter --invert --validmark"
        case .addressType(let source, let type, let negated, let limit):
            "-m addrtype " + (negated ? "! " : "") + (source ? "--src-type " : "--dst-type ") + type + (limit ? " --limit-iface-out" : "")
        case .udpDestinationPort(let port): "--dport \(port)"
        }
    }

    /// The hoisted IP-header part of the save form, in iptables-save's order (-s -d -i -o -p).
    var headerRank: Int? {
        switch self {
        case .source: 0
        case .destination: 1
        case .inInterface: 2
        case .outInterface: 3
        case .proto: 4
        default: nil
        }
    }

    var saveText: String {
        switch self {
        case .proto(let name, let negated): (negated ? "! " : "") + "-p \(ProtocolNames.saveName(name))"
        case .source(let cidr, let negated): (negated ? "! " : "") + "-s \(cidr)"
        case .destination(let cidr, let negated): (negated ? "! " : "") + "-d \(cidr)"
        case .inInterface(let name): "-i \(name)"
        case .outInterface(let name): "-o \(name)"
        case .mark(let value, let mask, let negated):
            "-m mark " + (negated ? "! " : "") + "--mark " + (mask == 0xffff_ffff ? saveHex(value) : "\(saveHex(value))/\(saveHex(mask))")
        case .multiport(let source, let ports, let negated):
            "-m multiport " + (negated ? "! " : "") + (source ? "--sports " : "--dports ") + ports
        case .rpfilterFailed: "-m rpfilter --validmark --invert"
        case .udpDestinationPort(let port): "-m udp --dport \(port)"
        default: felixText
        }
    }
}

enum FelixAction: Hashable, Sendable {
    case jump(String)
    case goto(String)
    case returnFromChain
    case accept
    case drop
    case reject
    /// felix's ClearMark / SetMark / SetMaskedMark are all `--set-mark value/mask`.
    case setMark(value: UInt32, mask: UInt32)
    case log(prefix: String)
    case masquerade(randomFully: Bool, toPorts: String?)
    case snat(String, randomFully: Bool)
    case noTrack

    var felixText: String {
        switch self {
        case .jump(let chain): "--jump \(chain)"
        case .goto(let chain): "--goto \(chain)"
        case .returnFromChain: "--jump RETURN"
        case .accept: "--jump ACCEPT"
        case .drop: "--jump DROP"
        case .reject: "--jump REJECT"
        case .setMark(let value, let mask): "--jump MARK --set-mark \(goHex(value))/\(goHex(mask))"
        case .log(let prefix): "--jump LOG --log-prefix \"\(prefix): \" --log-level 5"
        case .masquerade(let randomFully, let toPorts):
            "--jump MASQUERADE" + (toPorts.map { " --to-ports \($0)" } ?? "") + (randomFully ? " --random-fully" : "")
        case .snat(let address, let randomFully): "--jump SNAT --to-source \(address)" + (randomFully ? " --random-fully" : "")
        case .noTrack: "--jump NOTRACK"
        }
    }

    var saveText: String {
        switch self {
        case .jump(let chain): "-j \(chain)"
        case .goto(let chain): "-g \(chain)"
        case .returnFromChain: "-j RETURN"
        case .accept: "-j ACCEPT"
        case .drop: "-j DROP"
        case .reject: "-j REJECT --reject-with icmp-port-unreachable"
        // libxt_MARK turns `--set-mark v/m` into `--set-xmark v/(v|m)`.
        case .setMark(let value, let mask): "-j MARK --set-xmark \(saveHex(value))/\(saveHex(value | mask))"
        case .log(let prefix): "-j LOG --log-prefix \"\(prefix): \" --log-level 5"
        case .masquerade(let randomFully, let toPorts):
            "-j MASQUERADE" + (toPorts.map { " --to-ports \($0)" } ?? "") + (randomFully ? " --random-fully" : "")
        case .snat(let address, let randomFully): "-j SNAT --to-source \(address)" + (randomFully ? " --random-fully" : "")
        case .noTrack: "-j NOTRACK"
        }
    }

    var referencedChain: String? {
        switch self {
        case .jump(let chain), .goto(let chain): chain
        default: nil
        }
    }
}

/// A rule as felix models it: matches, an optional action (felix writes counter-only rules) and
/// extra comments. `origin` is pathsim's back-mapping, not part of the rule text.
struct FelixRule: Hashable, Sendable {
    var matches: [FelixMatch]
    var action: FelixAction?
    var comments: [String]
    var origin: RuleOrigin?

    init(_ matches: [FelixMatch] = [], _ action: FelixAction?, comments: [String] = [], origin: RuleOrigin? = nil) {
        self.matches = matches
        self.action = action
        self.comments = comments.map(Self.sanitise)
        self.origin = origin
    }

    /// felix's escapeComment + truncation: anything outside `[\w @%+=:,./-]` becomes `_`.
    static func sanitise(_ comment: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ @%+=:,./-".unicodeScalars)
        var mapped = String.UnicodeScalarView()
        for scalar in comment.unicodeScalars.prefix(256) { mapped.append(allowed.contains(scalar) ? scalar : "_") }
        return String(mapped)
    }

    /// `-A <chain> <hash fragment> <comments> <matches> <action>` exactly as felix renders it;
    /// with `hashFragment` = "HASH" this is the text felix hashes.
    func felixText(chain: String, hashFragment: String) -> String {
        var fragments = ["-A", chain, hashFragment]
        fragments += comments.map { "-m comment --comment \"\($0)\"" }
        let matchText = matches.map(\.felixText).joined(separator: " ")
        if !matchText.isEmpty { fragments.append(matchText) }
        if let action { fragments.append(action.felixText) }
        return fragments.joined(separator: " ")
    }

    func saveText(chain: String, hash: String) -> String {
        var fragments = ["-A", chain]
        let header = matches.enumerated().filter { $0.element.headerRank != nil }
            .sorted { ($0.element.headerRank!, $0.offset) < ($1.element.headerRank!, $1.offset) }
        fragments += header.map(\.element.saveText)
        fragments.append("-m comment --comment \"cali:\(hash)\"")
        fragments += comments.map { "-m comment --comment \"\($0)\"" }
        fragments += matches.filter { $0.headerRank == nil }.map(\.saveText)
        if let action { fragments.append(action.saveText) }
        return fragments.joined(separator: " ")
    }
}

/// Go's `%#x`: `0` for zero, else `0x…`.
func goHex(_ value: UInt32) -> String { value == 0 ? "0" : "0x" + String(value, radix: 16) }
/// iptables-save's marks: always `0x…`.
func saveHex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }
