import Foundation
import Netfilter

/// The canonical iptables-save spelling of each part of a rule (iptables 1.8.9, identical
/// for nft and legacy). Every function returns the words already quoted.
enum SaveSpelling {
    static func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }

    static func ports(_ range: PortRange) -> String {
        range.lower == range.upper ? String(range.lower) : "\(range.lower):\(range.upper)"
    }

    static func negation(_ negated: Bool) -> String { negated ? "! " : "" }

    /// Addresses inside match options (conntrack, policy) drop a /32, unlike `-s`/`-d`.
    static func hostOrNetwork(_ network: IPv4Network) -> String {
        network.mask == 0xffff_ffff ? network.address.description : network.description
    }

    static func tcpFlags(_ flags: TCPFlags) -> String {
        let names = TCPFlags.iptablesNames.filter { flags.contains($0.1) }.map(\.0)
        return names.isEmpty ? "NONE" : names.joined(separator: ",")
    }

    static func states(_ states: ConntrackStates) -> String {
        ConntrackStates.names.filter { states.contains($0.1) }.map(\.0).joined(separator: ",")
    }

    static func status(_ status: ConntrackStatus) -> String {
        let names = ConntrackStatus.names.filter { status.contains($0.1) }.map(\.0)
        return names.isEmpty ? "NONE" : names.joined(separator: ",")
    }

    static func icmp(_ test: ICMPTypeTest) -> String {
        guard let type = test.type else { return "any" }
        if let code = test.code { return "\(type)/\(code)" }
        return String(type)
    }

    /// `%0.11f` of the stored 31-bit threshold, as libxt_statistic prints it.
    static func probability(_ stored: UInt32) -> String {
        String(format: "%.11f", Double(stored) / Double(0x8000_0000))
    }

    static func mark(_ test: MarkTest) -> String {
        test.mask == 0xffff_ffff ? hex(test.value) : "\(hex(test.value))/\(hex(test.mask))"
    }

    static func range(_ range: ClosedRange<some BinaryInteger>) -> String {
        range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound):\(range.upperBound)"
    }

    /// iptables 1.8.9's libxt_recent prints `--seconds` and `--hitcount` with `%d`, so a value
    /// of 2^31 or more comes out negative (observed: `--seconds 2147483648` saves as `-2147483648`).
    static func signed(_ value: UInt32) -> String { String(Int32(bitPattern: value)) }

    static func setCounter(_ name: String, _ comparison: SetCounterComparison) -> String {
        switch comparison {
        case .equal(let value): return "--\(name)-eq \(value)"
        case .notEqual(let value): return "! --\(name)-eq \(value)"
        case .lessThan(let value): return "--\(name)-lt \(value)"
        case .greaterThan(let value): return "--\(name)-gt \(value)"
        }
    }

    static func match(_ match: Match) -> String {
        var words: [String] = ["-m", match.moduleName]
        switch match {
        case .ports(_, let ports):
            if let value = ports.sourcePorts { words.append("\(negation(value.negated))--sport \(Self.ports(value.value))") }
            if let value = ports.destinationPorts { words.append("\(negation(value.negated))--dport \(Self.ports(value.value))") }
            if let value = ports.tcpOption { words.append("\(negation(value.negated))--tcp-option \(value.value)") }
            if let value = ports.tcpFlags {
                words.append("\(negation(value.negated))--tcp-flags \(tcpFlags(value.value.mask)) \(tcpFlags(value.value.comparison))")
            }
        case .icmp(let test):
            words.append("\(negation(test.negated))--icmp-type \(icmp(test.value))")
        case .multiport(let multiport):
            words.append("\(negation(multiport.negated))\(multiport.direction.rawValue) \(multiport.ports.map(Self.ports).joined(separator: ","))")
        case .mark(let test), .connmark(let test):
            words.append("\(negation(test.negated))--mark \(mark(test.value))")
        case .conntrack(let ct):
            if let v = ct.states { words.append("\(negation(v.negated))--ctstate \(states(v.value))") }
            if let v = ct.proto { words.append("\(negation(v.negated))--ctproto \(v.value)") }
            for (value, name) in [(ct.originalSource, "ctorigsrc"), (ct.originalDestination, "ctorigdst"), (ct.replySource, "ctreplsrc"), (ct.replyDestination, "ctrepldst")] {
                if let v = value { words.append("\(negation(v.negated))--\(name) \(hostOrNetwork(v.value))") }
            }
            for (value, name) in [(ct.originalSourcePort, "ctorigsrcport"), (ct.originalDestinationPort, "ctorigdstport"), (ct.replySourcePort, "ctreplsrcport"), (ct.replyDestinationPort, "ctrepldstport")] {
                if let v = value { words.append("\(negation(v.negated))--\(name) \(ports(v.value))") }
            }
            if let v = ct.status { words.append("\(negation(v.negated))--ctstatus \(status(v.value))") }
            if let v = ct.expire { words.append("\(negation(v.negated))--ctexpire \(range(v.value))") }
            if let v = ct.direction { words.append("--ctdir \(v.rawValue)") }
        case .state(let value):
            words.append("\(negation(value.negated))--state \(states(value.value))")
        case .comment(let text):
            words.append("--comment \(SaveQuoting.quote(text))")
        case .addrtype(let addrtype):
            if let v = addrtype.sourceTypes { words.append("\(negation(v.negated))--src-type \(v.value.map(\.rawValue).joined(separator: ","))") }
            if let v = addrtype.destinationTypes { words.append("\(negation(v.negated))--dst-type \(v.value.map(\.rawValue).joined(separator: ","))") }
            if addrtype.limitInputInterface { words.append("--limit-iface-in") }
            if addrtype.limitOutputInterface { words.append("--limit-iface-out") }
        case .set(let set):
            words.append("\(negation(set.negated))--match-set \(set.name) \(set.flags.map(\.rawValue).joined(separator: ","))")
            if set.returnNomatch { words.append("--return-nomatch") }
            if !set.updateCounters { words.append("! --update-counters") }
            if !set.updateSubcounters { words.append("! --update-subcounters") }
            if let v = set.packets { words.append(setCounter("packets", v)) }
            if let v = set.bytes { words.append(setCounter("bytes", v)) }
        case .rpfilter(let rp):
            if rp.loose { words.append("--loose") }
            if rp.validMark { words.append("--validmark") }
            if rp.acceptLocal { words.append("--accept-local") }
            if rp.invert { words.append("--invert") }
        case .statistic(let statistic):
            switch statistic.mode {
            case .random(let stored):
                words.append("--mode random \(negation(statistic.negated))--probability \(probability(stored))")
            case .nth(let every, let packet):
                words.append("--mode nth \(negation(statistic.negated))--every \(every) --packet \(packet)")
            }
        case .limit(let limit):
            words.append("--limit \(limit.rate)/\(limit.unit.rawValue)")
            if limit.burst != 5 { words.append("--limit-burst \(limit.burst)") }
        case .length(let value):
            words.append("\(negation(value.negated))--length \(range(value.value))")
        case .physdev(let physdev):
            if let v = physdev.isIn { words.append("\(negation(v.negated))--physdev-is-in") }
            if let v = physdev.inInterface { words.append("\(negation(v.negated))--physdev-in \(v.value)") }
            if let v = physdev.isOut { words.append("\(negation(v.negated))--physdev-is-out") }
            if let v = physdev.outInterface { words.append("\(negation(v.negated))--physdev-out \(v.value)") }
            if let v = physdev.isBridged { words.append("\(negation(v.negated))--physdev-is-bridged") }
        case .policy(let policy):
            words.append("--dir \(policy.direction.rawValue) --pol \(policy.ipsec ? "ipsec" : "none")")
            if policy.strict { words.append("--strict") }
            words += policy.elementArguments
        case .iprange(let iprange):
            if let v = iprange.source { words.append("\(negation(v.negated))--src-range \(v.value.lowerBound)-\(v.value.upperBound)") }
            if let v = iprange.destination { words.append("\(negation(v.negated))--dst-range \(v.value.lowerBound)-\(v.value.upperBound)") }
        case .pkttype(let value):
            words.append("\(negation(value.negated))--pkt-type \(value.value.rawValue)")
        case .ttl(let test):
            switch test {
            case .equal(let v): words.append("--ttl-eq \(v)")
            case .notEqual(let v): words.append("! --ttl-eq \(v)")
            case .lessThan(let v): words.append("--ttl-lt \(v)")
            case .greaterThan(let v): words.append("--ttl-gt \(v)")
            }
        case .recent(let recent):
            // libxt_recent's `recent_save`: the command, then its modifiers, then name, mask and
            // side, which are always printed (defaults included).
            if recent.negated { words.append("!") }
            words.append(recent.command.rawValue)
            if recent.seconds != 0 { words.append("--seconds \(signed(recent.seconds))") }
            if recent.reap { words.append("--reap") }
            if recent.hitCount != 0 { words.append("--hitcount \(signed(recent.hitCount))") }
            if recent.checkTTL { words.append("--rttl") }
            words.append("--name \(recent.name) --mask \(recent.mask) \(recent.side.rawValue)")
        case .unsupported(_, let arguments):
            words += arguments
        }
        return words.joined(separator: " ")
    }

    static func natRange(_ range: NATRange) -> String {
        var text = ""
        if let addresses = range.addresses {
            text = addresses.lowerBound == addresses.upperBound ? "\(addresses.lowerBound)" : "\(addresses.lowerBound)-\(addresses.upperBound)"
        }
        if let ports = range.ports { text += ":" + natPorts(ports) }
        return text
    }

    static func natPorts(_ ports: PortRange) -> String {
        ports.lower == ports.upper ? String(ports.lower) : "\(ports.lower)-\(ports.upper)"
    }

    static func natFlags(_ flags: NATFlags) -> [String] {
        var words: [String] = []
        if flags.contains(.random) { words.append("--random") }
        if flags.contains(.randomFully) { words.append("--random-fully") }
        if flags.contains(.persistent) { words.append("--persistent") }
        return words
    }

    /// Quotes the value after each option whose argument is free text.
    static func quotingValues(_ arguments: [String], after options: Set<String>) -> [String] {
        var result: [String] = []
        var quoteNext = false
        for argument in arguments {
            result.append(quoteNext ? SaveQuoting.quote(argument) : argument)
            quoteNext = options.contains(argument)
        }
        return result
    }

    static func target(_ target: Target) -> String {
        switch target {
        case .jump(let chain): return "-j \(chain)"
        case .goto(let chain): return "-g \(chain)"
        case .accept, .drop, .return, .notrack, .trace: return "-j \(target.name)"
        case .reject(let kind): return "-j REJECT --reject-with \(kind.rawValue)"
        case .log(let arguments):
            return (["-j", "LOG"] + quotingValues(arguments, after: ["--log-prefix"])).joined(separator: " ")
        case .nflog(let arguments):
            return (["-j", "NFLOG"] + quotingValues(arguments, after: ["--nflog-prefix"])).joined(separator: " ")
        case .mark(let value, let mask):
            return "-j MARK --set-xmark \(hex(value))/\(hex(mask))"
        case .connmark(.setXMark(let value, let mask)):
            return "-j CONNMARK --set-xmark \(hex(value))/\(hex(mask))"
        case .connmark(.saveMark(let nfmask, let ctmask)):
            return "-j CONNMARK --save-mark --nfmask \(hex(nfmask)) --ctmask \(hex(ctmask))"
        case .connmark(.restoreMark(let nfmask, let ctmask)):
            return "-j CONNMARK --restore-mark --nfmask \(hex(nfmask)) --ctmask \(hex(ctmask))"
        case .ct(let ct):
            var words = ["-j", "CT"]
            if ct.notrack { words.append("--notrack") }
            words += ct.otherArguments
            if let zone = ct.zone { words.append("--zone \(zone)") }
            return words.joined(separator: " ")
        case .dnat(let range, let flags):
            return (["-j", "DNAT", "--to-destination", natRange(range)] + natFlags(flags)).joined(separator: " ")
        case .snat(let range, let flags):
            return (["-j", "SNAT", "--to-source", natRange(range)] + natFlags(flags)).joined(separator: " ")
        case .masquerade(let ports, let flags):
            return (["-j", "MASQUERADE"] + (ports.map { ["--to-ports", natPorts($0)] } ?? []) + natFlags(flags)).joined(separator: " ")
        case .redirect(let ports, let flags):
            return (["-j", "REDIRECT"] + (ports.map { ["--to-ports", natPorts($0)] } ?? []) + natFlags(flags)).joined(separator: " ")
        case .unsupported(let name, let arguments):
            return (["-j", name] + arguments).joined(separator: " ")
        }
    }

    /// The ip part of a rule, one condition at a time; nil when the rule does not test it.
    static func header(_ rule: Rule, _ condition: RuleCondition) -> String? {
        switch condition {
        case .source: return rule.source.map { "\(negation($0.negated))-s \($0.value)" }
        case .destination: return rule.destination.map { "\(negation($0.negated))-d \($0.value)" }
        case .inInterface: return rule.inInterface.map { "\(negation($0.negated))-i \($0.value)" }
        case .outInterface: return rule.outInterface.map { "\(negation($0.negated))-o \($0.value)" }
        case .proto: return rule.proto.map { "\(negation($0.negated))-p \(IPProtocolNumber.name($0.value))" }
        case .fragment: return rule.fragment.map { "\(negation($0.negated))-f" }
        case .match: return nil
        }
    }

    /// The rule after `-A CHAIN`: ip part, matches in order, then the target.
    static func ruleBody(_ rule: Rule) -> [String] {
        var words = RuleCondition.header.compactMap { header(rule, $0) }
        for match in rule.matches { words.append(Self.match(match)) }
        if let target = rule.target { words.append(Self.target(target)) }
        return words
    }
}
