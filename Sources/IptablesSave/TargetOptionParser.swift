import Netfilter

/// The target after `-j NAME` while its options are read; like matches, each target knows
/// only its own options and normalises them to the one form iptables-save prints.
protocol TargetOptionParser {
    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool
    func finish(rule: Rule) throws(RuleProblem) -> Target
}

enum TargetModules {
    /// xtables targets the model keeps verbatim as `.unsupported`.
    static let unsupported: Set<String> = [
        "NFQUEUE", "QUEUE", "TPROXY", "SET", "NETMAP", "TCPMSS", "DSCP", "TOS", "CLASSIFY", "CHECKSUM", "SECMARK",
        "CONNSECMARK", "TTL", "HMARK", "IDLETIMER", "LED", "AUDIT", "SYNPROXY", "TEE", "CLUSTERIP", "ECN", "RATEEST",
        "ULOG", "TCPOPTSTRIP", "HL", "DNPT", "SNPT", "NOTRACK-legacy", "MIRROR", "SAME",
    ]

    static func parser(named name: String) -> (any TargetOptionParser)? {
        switch name {
        case "ACCEPT": return FixedTargetParser(target: .accept)
        case "DROP": return FixedTargetParser(target: .drop)
        case "RETURN": return FixedTargetParser(target: .return)
        case "NOTRACK": return FixedTargetParser(target: .notrack)
        case "TRACE": return FixedTargetParser(target: .trace)
        case "REJECT": return RejectTargetParser()
        case "LOG": return LogTargetParser()
        case "NFLOG": return NFLogTargetParser()
        case "MARK": return MarkTargetParser(connmark: false)
        case "CONNMARK": return MarkTargetParser(connmark: true)
        case "CT": return CTTargetParser()
        case "DNAT": return NATTargetParser(kind: .dnat)
        case "SNAT": return NATTargetParser(kind: .snat)
        case "MASQUERADE": return NATTargetParser(kind: .masquerade)
        case "REDIRECT": return NATTargetParser(kind: .redirect)
        default: return nil
        }
    }
}

/// Targets without options, and jumps to user chains.
struct FixedTargetParser: TargetOptionParser {
    var target: Target
    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool { false }
    func finish(rule: Rule) throws(RuleProblem) -> Target { target }
}

/// A target the model keeps verbatim; every word is kept as written.
struct UnsupportedTargetParser: TargetOptionParser {
    var name: String
    var arguments: [String] = []

    mutating func parse(option: String, negated: Bool, arguments cursor: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        if negated { arguments.append("!") }
        arguments.append(cursor.tokens[cursor.index - 1].raw)
        while !cursor.atEnd, !cursor.nextIsOption, let token = cursor.next() { arguments.append(token.raw) }
        return true
    }

    func finish(rule: Rule) throws(RuleProblem) -> Target { .unsupported(name: name, arguments: arguments) }
}

struct RejectTargetParser: TargetOptionParser {
    var kind = RejectKind.portUnreachable

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        guard option == "--reject-with" else { return false }
        let text = try arguments.value(for: option, expected: "an ICMP error type or tcp-reset")
        guard let value = RejectKind.parse(text) else {
            throw RuleProblem("unknown reject type \"\(text)\"", expected: RejectKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        kind = value
        return true
    }

    func finish(rule: Rule) throws(RuleProblem) -> Target { .reject(kind) }
}

/// `-j LOG`; options are stored in save order, unquoted, with the default level dropped.
struct LogTargetParser: TargetOptionParser {
    var prefix: String?
    var level: UInt8 = 4
    var flags: [String: Bool] = [:]

    static let flagOrder = ["--log-tcp-sequence", "--log-tcp-options", "--log-ip-options", "--log-uid", "--log-macdecode"]
    static let levels = ["emerg": 0, "alert": 1, "crit": 2, "error": 3, "err": 3, "warning": 4, "warn": 4, "notice": 5, "info": 6, "debug": 7, "panic": 0]

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        switch option {
        case "--log-prefix":
            let text = try arguments.value(for: option, expected: "a prefix of at most 29 characters")
            guard text.utf8.count <= 29 else { throw RuleProblem("maximum prefix length 29 for --log-prefix", expected: "at most 29 characters") }
            prefix = text
        case "--log-level":
            let text = try arguments.value(for: option, expected: "a level 0-7 or a syslog level name")
            if let number = UInt8(text), number <= 7 { level = number }
            else if let number = Self.levels[text.lowercased()] { level = UInt8(number) }
            else { throw RuleProblem("invalid log level \"\(text)\"", expected: "0-7 or emerg, alert, crit, error, warning, notice, info, debug") }
        case _ where Self.flagOrder.contains(option):
            flags[option] = true
        default:
            return false
        }
        return true
    }

    func finish(rule: Rule) throws(RuleProblem) -> Target {
        var arguments: [String] = []
        if let prefix { arguments += ["--log-prefix", prefix] }
        if level != 4 { arguments += ["--log-level", String(level)] }
        arguments += Self.flagOrder.filter { flags[$0] == true }
        return .log(arguments: arguments)
    }
}

/// `-j NFLOG`; options stored in save order, unquoted, defaults dropped.
struct NFLogTargetParser: TargetOptionParser {
    var prefix: String?
    var group: UInt16 = 0
    var range: UInt32?
    var size: UInt32?
    var threshold: UInt16 = 0

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        switch option {
        case "--nflog-prefix":
            let text = try arguments.value(for: option, expected: "a prefix of at most 63 characters")
            guard text.utf8.count <= 63 else { throw RuleProblem("maximum prefix length 63 for --nflog-prefix") }
            prefix = text
        case "--nflog-group", "--nflog-threshold":
            let text = try arguments.value(for: option, expected: "a number 0-65535")
            guard let value = ValueParsing.unsigned(text, max: 65535) else { throw RuleProblem("bad number \"\(text)\" for \(option)", expected: "0-65535") }
            if option == "--nflog-group" { group = UInt16(value) } else { threshold = UInt16(value) }
        case "--nflog-range", "--nflog-size":
            let text = try arguments.value(for: option, expected: "a byte count")
            guard let value = ValueParsing.uint32(text) else { throw RuleProblem("bad number \"\(text)\" for \(option)", expected: "a 32-bit number") }
            if option == "--nflog-range" { range = value } else { size = value }
        default:
            return false
        }
        return true
    }

    func finish(rule: Rule) throws(RuleProblem) -> Target {
        var arguments: [String] = []
        if let prefix, !prefix.isEmpty { arguments += ["--nflog-prefix", prefix] }
        if group != 0 { arguments += ["--nflog-group", String(group)] }
        if let range { arguments += ["--nflog-range", String(range)] }
        if let size { arguments += ["--nflog-size", String(size)] }
        if threshold != 0 { arguments += ["--nflog-threshold", String(threshold)] }
        return .nflog(arguments: arguments)
    }
}

/// `-j MARK` and `-j CONNMARK`. Every way of writing a mark change is reduced to the
/// xmark pair (value, mask) meaning mark = (mark & ~mask) ^ value, which is what the kernel stores.
struct MarkTargetParser: TargetOptionParser {
    var connmark: Bool
    var xmark: (UInt32, UInt32)?
    var transfer: String?
    var nfmask: UInt32 = 0xffff_ffff
    var ctmask: UInt32 = 0xffff_ffff

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        switch option {
        case "--set-xmark", "--set-mark", "--or-mark", "--and-mark", "--xor-mark":
            let text = try arguments.value(for: option, expected: "VALUE[/MASK]")
            guard let (value, mask) = ValueParsing.valueMask(text), option == "--set-xmark" || option == "--set-mark" || mask == nil else {
                throw RuleProblem("bad mark value \"\(text)\" for \(option)", expected: "a 32-bit number\(option.hasSuffix("-mark") && option != "--set-mark" ? "" : "[/MASK]")")
            }
            guard xmark == nil, transfer == nil else { throw RuleProblem("\(connmark ? "CONNMARK" : "MARK") target: only one action allowed") }
            switch option {
            case "--set-xmark": xmark = (value, mask ?? 0xffff_ffff)
            case "--set-mark": xmark = (value, (mask ?? 0xffff_ffff) | value)
            case "--or-mark": xmark = (value, value)
            case "--and-mark": xmark = (0, ~value)
            default: xmark = (value, 0)
            }
        case "--save-mark" where connmark, "--restore-mark" where connmark:
            guard xmark == nil, transfer == nil else { throw RuleProblem("CONNMARK target: only one action allowed") }
            transfer = option
        case "--nfmask" where connmark, "--ctmask" where connmark, "--mask" where connmark:
            let text = try arguments.value(for: option, expected: "a 32-bit mask")
            guard let value = ValueParsing.uint32(text) else { throw RuleProblem("bad mask \"\(text)\" for \(option)", expected: "a 32-bit number") }
            if option != "--ctmask" { nfmask = value }
            if option != "--nfmask" { ctmask = value }
        default:
            return false
        }
        return true
    }

    func finish(rule: Rule) throws(RuleProblem) -> Target {
        if let (value, mask) = xmark {
            return connmark ? .connmark(.setXMark(value: value, mask: mask)) : .mark(value: value, mask: mask)
        }
        switch transfer {
        case "--save-mark": return .connmark(.saveMark(nfmask: nfmask, ctmask: ctmask))
        case "--restore-mark": return .connmark(.restoreMark(nfmask: nfmask, ctmask: ctmask))
        default:
            throw RuleProblem("\(connmark ? "CONNMARK" : "MARK") target: an action is required",
                              expected: connmark ? "--set-xmark, --set-mark, --save-mark or --restore-mark" : "--set-xmark, --set-mark, --or-mark, --and-mark or --xor-mark")
        }
    }
}

/// `-j CT`.
struct CTTargetParser: TargetOptionParser {
    var notrack = false
    var zone: UInt16?
    var values: [String: String] = [:]

    static let order = ["--helper", "--timeout", "--ctevents", "--expevents"]

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        switch option {
        case "--notrack": notrack = true
        case "--zone":
            let text = try arguments.value(for: option, expected: "a zone number 0-65535")
            guard let value = ValueParsing.unsigned(text, max: 65535) else { throw RuleProblem("bad zone \"\(text)\"", expected: "0-65535") }
            zone = UInt16(value)
        case _ where Self.order.contains(option):
            values[option] = try arguments.value(for: option, expected: "a value")
        default:
            return false
        }
        return true
    }

    func finish(rule: Rule) throws(RuleProblem) -> Target {
        var other: [String] = []
        for option in Self.order { if let value = values[option] { other += [option, value] } }
        return .ct(CTTarget(notrack: notrack, zone: zone == 0 ? nil : zone, otherArguments: other))
    }
}

/// DNAT, SNAT, MASQUERADE and REDIRECT.
struct NATTargetParser: TargetOptionParser {
    enum Kind { case dnat, snat, masquerade, redirect }
    var kind: Kind
    var range: NATRange?
    var ports: PortRange?
    var flags: NATFlags = []

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        switch (kind, option) {
        case (.dnat, "--to-destination"), (.dnat, "--to"), (.snat, "--to-source"), (.snat, "--to"):
            guard range == nil else { throw RuleProblem("multiple \(option) not supported", expected: "one address range") }
            let text = try arguments.value(for: option, expected: "[ADDR[-ADDR]][:PORT[-PORT]]")
            range = try Self.range(text, option: option)
        case (.masquerade, "--to-ports"), (.redirect, "--to-ports"):
            let text = try arguments.value(for: option, expected: "PORT[-PORT]")
            guard let value = ValueParsing.portRange(text, separator: "-") else {
                throw RuleProblem("invalid port range \"\(text)\" for --to-ports", expected: "PORT or PORT-PORT")
            }
            ports = value
        case (_, "--random"): flags.insert(.random)
        case (.snat, "--random-fully"), (.masquerade, "--random-fully"): flags.insert(.randomFully)
        case (.dnat, "--persistent"), (.snat, "--persistent"): flags.insert(.persistent)
        default: return false
        }
        return true
    }

    static func range(_ text: String, option: String) throws(RuleProblem) -> NATRange {
        let bad = RuleProblem("bad address or port \"\(text)\" for \(option)", expected: "[ADDR[-ADDR]][:PORT[-PORT]]")
        var result = NATRange()
        var addressText = Substring(text)
        if let colon = text.firstIndex(of: ":") {
            addressText = text[..<colon]
            guard let ports = ValueParsing.portRange(String(text[text.index(after: colon)...]), separator: "-") else { throw bad }
            result.ports = ports
        }
        if !addressText.isEmpty {
            guard let addresses = ValueParsing.addressRange(addressText) else { throw bad }
            result.addresses = addresses
        }
        if result.addresses == nil && result.ports == nil { throw bad }
        return result
    }

    func finish(rule: Rule) throws(RuleProblem) -> Target {
        switch kind {
        case .dnat, .snat:
            guard let range else {
                throw RuleProblem("\(kind == .dnat ? "DNAT" : "SNAT") needs an address", expected: kind == .dnat ? "--to-destination" : "--to-source")
            }
            return kind == .dnat ? .dnat(range, flags) : .snat(range, flags)
        case .masquerade: return .masquerade(ports: ports, flags)
        case .redirect: return .redirect(ports: ports, flags)
        }
    }
}
