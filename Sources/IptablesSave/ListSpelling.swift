import Foundation
import Netfilter

/// The text `iptables -nvL` prints after the destination column for each match and target
/// (each piece starts with a space), as the libxt_* `print` functions write it with `-n`.
/// Checked against iptables-nft 1.8.9 `-nvxL` output (Fixtures/iptables-save/list/).
enum ListSpelling {
    static let hex = SaveSpelling.hex

    static func listPorts(_ name: String, _ value: Negatable<PortRange>) -> String {
        let bang = value.negated ? "!" : ""
        if value.value.lower == value.value.upper { return " \(name):\(bang)\(value.value.lower)" }
        return " \(name)s:\(bang)\(value.value.lower):\(value.value.upper)"
    }

    static func flagsHex(_ flags: TCPFlags) -> String {
        let digits = String(flags.rawValue, radix: 16, uppercase: true)
        return "0x" + (digits.count < 2 ? "0" + digits : digits)
    }

    static func match(_ match: Match) -> String {
        switch match {
        case .ports(let proto, let ports):
            var text = " " + IPProtocolNumber.name(proto)
            if let v = ports.sourcePorts { text += listPorts("spt", v) }
            if let v = ports.destinationPorts { text += listPorts("dpt", v) }
            if let v = ports.tcpOption { text += " option=\(v.negated ? "!" : "")\(v.value)" }
            if let v = ports.tcpFlags { text += " flags:\(v.negated ? "!" : "")\(flagsHex(v.value.mask))/\(flagsHex(v.value.comparison))" }
            return text
        case .icmp(let test):
            var text = " icmp\(test.negated ? " !" : "")type \(test.value.type.map(String.init) ?? "255")"
            if let code = test.value.code { text += " code \(code)" }
            return text
        case .multiport(let m):
            let direction = m.direction == .source ? "sports" : m.direction == .destination ? "dports" : "ports"
            return " multiport \(direction) \(m.negated ? " !" : "")\(m.ports.map(SaveSpelling.ports).joined(separator: ","))"
        case .mark(let test):
            return " mark match\(test.negated ? " !" : "") \(SaveSpelling.mark(test.value))"
        case .connmark(let test):
            return " connmark match \(test.negated ? "!" : "") \(SaveSpelling.mark(test.value))"
        case .conntrack(let ct):
            var text = ""
            func add<V>(_ value: Negatable<V>?, _ name: String, _ render: (V) -> String) {
                if let value { text += " \(value.negated ? "! " : "")\(name) \(render(value.value))" }
            }
            add(ct.states, "ctstate", SaveSpelling.states)
            add(ct.proto, "ctproto") { String($0) }
            add(ct.originalSource, "ctorigsrc", SaveSpelling.hostOrNetwork)
            add(ct.originalDestination, "ctorigdst", SaveSpelling.hostOrNetwork)
            add(ct.replySource, "ctreplsrc", SaveSpelling.hostOrNetwork)
            add(ct.replyDestination, "ctrepldst", SaveSpelling.hostOrNetwork)
            add(ct.originalSourcePort, "ctorigsrcport", SaveSpelling.ports)
            add(ct.originalDestinationPort, "ctorigdstport", SaveSpelling.ports)
            add(ct.replySourcePort, "ctreplsrcport", SaveSpelling.ports)
            add(ct.replyDestinationPort, "ctrepldstport", SaveSpelling.ports)
            add(ct.status, "ctstatus", SaveSpelling.status)
            add(ct.expire, "ctexpire") { SaveSpelling.range($0) }
            if let direction = ct.direction { text += " ctdir \(direction.rawValue)" }
            return text
        case .state(let states):
            return " \(states.negated ? "! " : "")state \(SaveSpelling.states(states.value))"
        case .comment(let text):
            return " /* \(text) */"
        case .addrtype(let a):
            var text = " ADDRTYPE match"
            if let v = a.sourceTypes { text += " src-type \(v.negated ? "!" : "")\(v.value.map(\.rawValue).joined(separator: ","))" }
            if let v = a.destinationTypes { text += " dst-type \(v.negated ? "!" : "")\(v.value.map(\.rawValue).joined(separator: ","))" }
            if a.limitInputInterface { text += " limit-in" }
            if a.limitOutputInterface { text += " limit-out" }
            return text
        case .set(let set):
            var text = " \(set.negated ? "! " : "")match-set \(set.name) \(set.flags.map(\.rawValue).joined(separator: ","))"
            if set.returnNomatch { text += " return-nomatch" }
            if !set.updateCounters { text += " ! update-counters" }
            if !set.updateSubcounters { text += " ! update-subcounters" }
            for (name, comparison) in [("packets", set.packets), ("bytes", set.bytes)] {
                guard let comparison else { continue }
                text += " " + SaveSpelling.setCounter(name, comparison).replacingOccurrences(of: "--", with: "")
            }
            return text
        case .rpfilter(let rp):
            var text = " rpfilter"
            if rp.loose { text += " loose" }
            if rp.validMark { text += " validmark" }
            if rp.acceptLocal { text += " accept-local" }
            if rp.invert { text += " invert" }
            return text
        case .statistic(let s):
            switch s.mode {
            case .random(let stored):
                return " statistic mode random\(s.negated ? " !" : "") probability \(SaveSpelling.probability(stored))"
            case .nth(let every, let packet):
                return " statistic mode nth\(s.negated ? " !" : "") every \(every)" + (packet != 0 ? " packet \(packet)" : "")
            }
        case .limit(let limit):
            return " limit: avg \(limit.rate)/\(limit.unit.rawValue) burst \(limit.burst)"
        case .length(let value):
            return " length \(value.negated ? "!" : "")\(SaveSpelling.range(value.value))"
        case .physdev:
            return " PHYSDEV match" + SaveSpelling.match(match).dropFirst("-m physdev".count)
        case .policy(let policy):
            var text = " policy match dir \(policy.direction.rawValue) pol \(policy.ipsec ? "ipsec" : "none")"
            if policy.strict { text += " strict" }
            var previous = ""
            for argument in policy.elementArguments {
                var word = argument.hasPrefix("--") ? String(argument.dropFirst(2)) : argument
                if previous == "--proto", let number = IPProtocolNumber.parse(argument) { word = String(number) }
                text += " " + word
                previous = argument
            }
            return text
        case .iprange(let r):
            var text = ""
            if let v = r.source { text += " source IP range \(v.negated ? "! " : "")\(v.value.lowerBound)-\(v.value.upperBound)" }
            if let v = r.destination { text += " destination IP range \(v.negated ? "! " : "")\(v.value.lowerBound)-\(v.value.upperBound)" }
            return text
        case .pkttype(let value):
            return " PKTTYPE \(value.negated ? "!=" : "=") \(value.value.rawValue)"
        case .ttl(let test):
            switch test {
            case .equal(let v): return " TTL match TTL == \(v)"
            case .notEqual(let v): return " TTL match TTL != \(v)"
            case .lessThan(let v): return " TTL match TTL < \(v)"
            case .greaterThan(let v): return " TTL match TTL > \(v)"
            }
        case .recent(let recent):
            // libxt_recent's `recent_print` (checked with iptables-nft 1.8.9 -nvxL).
            var text = recent.negated ? " ! recent:" : " recent:"
            switch recent.command {
            case .set: text += " SET"
            case .check: text += " CHECK"
            case .update: text += " UPDATE"
            case .remove: text += " REMOVE"
            }
            if recent.seconds != 0 { text += " seconds: \(SaveSpelling.signed(recent.seconds))" }
            if recent.reap { text += " reap" }
            if recent.hitCount != 0 { text += " hit_count: \(SaveSpelling.signed(recent.hitCount))" }
            if recent.checkTTL { text += " TTL-Match" }
            text += " name: \(recent.name) side: \(recent.side == .source ? "source" : "dest") mask: \(recent.mask)"
            return text
        case .unsupported(let name, let arguments):
            // Not the module's own print format: pathsim does not know it.
            return " \(name) " + arguments.map { $0.hasPrefix("--") ? String($0.dropFirst(2)) : $0 }.joined(separator: " ")
        }
    }

    static func markChange(_ name: String, value: UInt32, mask: UInt32) -> String {
        if value == 0 { return " \(name) and \(hex(~mask))" }
        if value == mask { return " \(name) or \(hex(value))" }
        if mask == 0 { return " \(name) xor \(hex(value))" }
        if mask == 0xffff_ffff { return " \(name) set \(hex(value))" }
        return " \(name) xset \(hex(value))/\(hex(mask))"
    }

    static func connmarkTransfer(_ verb: String, first: (String, UInt32), second: (String, UInt32)) -> String {
        if first.1 == 0xffff_ffff && second.1 == 0xffff_ffff { return " CONNMARK \(verb)" }
        if first.1 == second.1 { return " CONNMARK \(verb) mask \(hex(first.1))" }
        return " CONNMARK \(verb) \(first.0) \(hex(first.1)) \(second.0) ~\(hex(second.1))"
    }

    static func target(_ target: Target) -> String {
        switch target {
        case .accept, .drop, .return, .jump, .goto, .trace: return ""
        case .reject(let kind): return " reject-with \(kind.rawValue)"
        case .log(let arguments):
            var flags = 0
            var level = "4"
            var prefix: String?
            var index = 0
            while index < arguments.count {
                switch arguments[index] {
                case "--log-prefix": prefix = arguments[index + 1]; index += 1
                case "--log-level": level = arguments[index + 1]; index += 1
                case "--log-tcp-sequence": flags |= 1
                case "--log-tcp-options": flags |= 2
                case "--log-ip-options": flags |= 4
                case "--log-uid": flags |= 8
                case "--log-macdecode": flags |= 0x20
                default: break
                }
                index += 1
            }
            return " LOG flags \(flags) level \(level)" + (prefix.map { " prefix \"\($0)\"" } ?? "")
        case .nflog(let arguments):
            let words = SaveSpelling.quotingValues(arguments, after: ["--nflog-prefix"])
            return words.map { " " + ($0.hasPrefix("--") ? String($0.dropFirst(2)) : $0) }.joined()
        case .mark(let value, let mask):
            return markChange("MARK", value: value, mask: mask)
        case .connmark(.setXMark(let value, let mask)):
            return markChange("CONNMARK", value: value, mask: mask)
        case .connmark(.saveMark(let nfmask, let ctmask)):
            return connmarkTransfer("save", first: ("nfmask", nfmask), second: ("ctmask", ctmask))
        case .connmark(.restoreMark(let nfmask, let ctmask)):
            return connmarkTransfer("restore", first: ("ctmask", ctmask), second: ("nfmask", nfmask))
        case .notrack: return " NOTRACK"
        case .ct(let ct):
            var text = " CT"
            if ct.notrack { text += " notrack" }
            var index = 0
            while index + 1 < ct.otherArguments.count {
                text += " \(ct.otherArguments[index].dropFirst(2)) \(ct.otherArguments[index + 1])"
                index += 2
            }
            if let zone = ct.zone { text += " zone \(zone)" }
            return text
        case .dnat(let range, let flags), .snat(let range, let flags):
            return " to:\(SaveSpelling.natRange(range))" + natFlags(flags)
        case .masquerade(let ports, let flags):
            return (ports.map { " masq ports: \(SaveSpelling.natPorts($0))" } ?? "") + natFlags(flags)
        case .redirect(let ports, let flags):
            return (ports.map { " redir ports \(SaveSpelling.natPorts($0))" } ?? "") + natFlags(flags)
        case .unsupported(_, let arguments):
            // Not the target's own print format: pathsim does not know it.
            return arguments.map { " " + ($0.hasPrefix("--") ? String($0.dropFirst(2)) : $0) }.joined()
        }
    }

    static func natFlags(_ flags: NATFlags) -> String {
        SaveSpelling.natFlags(flags).map { " " + $0.dropFirst(2) }.joined()
    }

    /// The target column: the chain for jumps, `CT` for NOTRACK (an alias of `CT --notrack` since 1.8).
    static func targetName(_ target: Target?) -> String {
        switch target {
        case nil: return ""
        case .notrack?: return "CT"
        case let target?: return target.name
        }
    }
}
