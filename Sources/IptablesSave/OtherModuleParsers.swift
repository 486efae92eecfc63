import Netfilter

/// `-m comment --comment TEXT`; the kernel keeps at most 255 characters and iptables truncates silently.
struct CommentModuleParser: MatchOptionParser {
    var text: String?

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        guard option == "--comment" else { return false }
        try refuseNegation(option, negated)
        let value = try arguments.value(for: option, expected: "the comment text")
        text = value.utf8.count > 255 ? String(decoding: value.utf8.prefix(255), as: UTF8.self) : value
        return true
    }

    func finish(rule: Rule) throws(RuleProblem) -> Match {
        guard let text else { throw RuleProblem("comment: option \"--comment\" must be specified") }
        return .comment(text)
    }
}

/// `-m addrtype`.
struct AddrtypeModuleParser: MatchOptionParser {
    var match = AddrtypeMatch()

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        switch option {
        case "--src-type": match.sourceTypes = Negatable(try Self.types(arguments.value(for: option, expected: "a comma list of address types")), negated: negated)
        case "--dst-type": match.destinationTypes = Negatable(try Self.types(arguments.value(for: option, expected: "a comma list of address types")), negated: negated)
        case "--limit-iface-in":
            try refuseNegation(option, negated)
            match.limitInputInterface = true
        case "--limit-iface-out":
            try refuseNegation(option, negated)
            match.limitOutputInterface = true
        default: return false
        }
        return true
    }

    static func types(_ text: String) throws(RuleProblem) -> [AddressType] {
        var set = Set<AddressType>()
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let type = AddressType(rawValue: name.uppercased()) else {
                throw RuleProblem("unknown address type \"\(name)\"", expected: AddressType.allCases.map(\.rawValue).joined(separator: ", "))
            }
            set.insert(type)
        }
        // iptables-save prints the bits in the kernel's order, whatever the input order.
        return AddressType.allCases.filter(set.contains)
    }

    func finish(rule: Rule) throws(RuleProblem) -> Match {
        if match.limitInputInterface && match.limitOutputInterface {
            throw RuleProblem("addrtype: --limit-iface-in and --limit-iface-out are exclusive")
        }
        return .addrtype(match)
    }
}

/// `-m set`.
struct SetModuleParser: MatchOptionParser {
    var match: SetMatch?
    var returnNomatch = false
    var updateCounters = true
    var updateSubcounters = true
    var packets: SetCounterComparison?
    var bytes: SetCounterComparison?

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        switch option {
        case "--match-set", "--set":
            let name = try arguments.value(for: option, expected: "a set name and flags")
            let flagsText = try arguments.value(for: option, expected: "src/dst flags such as src or dst,dst")
            guard name.utf8.count <= 31 else { throw RuleProblem("set name \"\(name)\" too long", expected: "at most 31 characters") }
            var flags: [SetFlag] = []
            for flag in flagsText.split(separator: ",", omittingEmptySubsequences: false) {
                guard let value = SetFlag(rawValue: String(flag)) else {
                    throw RuleProblem("bad set flag \"\(flag)\"", expected: "a comma list of src and dst")
                }
                flags.append(value)
            }
            guard flags.count <= 6 else { throw RuleProblem("too many set flags", expected: "at most 6") }
            match = SetMatch(name: name, flags: flags, negated: negated)
        case "--return-nomatch":
            try refuseNegation(option, negated)
            returnNomatch = true
        case "--update-counters":
            guard negated else { return true }
            updateCounters = false
        case "--update-subcounters":
            guard negated else { return true }
            updateSubcounters = false
        case "--packets-eq", "--packets-lt", "--packets-gt", "--bytes-eq", "--bytes-lt", "--bytes-gt":
            if negated && !option.hasSuffix("-eq") { try refuseNegation(option, negated) }
            let text = try arguments.value(for: option, expected: "a number")
            guard let value = ValueParsing.unsigned(text, max: UInt64.max) else {
                throw RuleProblem("bad number \"\(text)\" for \(option)", expected: "an unsigned integer")
            }
            let comparison: SetCounterComparison
            switch option.suffix(2) {
            case "eq": comparison = negated ? .notEqual(value) : .equal(value)
            case "lt": comparison = .lessThan(value)
            default: comparison = .greaterThan(value)
            }
            if option.hasPrefix("--packets") { packets = comparison } else { bytes = comparison }
        default:
            return false
        }
        return true
    }

    func finish(rule: Rule) throws(RuleProblem) -> Match {
        guard var match else { throw RuleProblem("set: option \"--match-set\" must be specified") }
        match.returnNomatch = returnNomatch
        match.updateCounters = updateCounters
        match.updateSubcounters = updateSubcounters
        match.packets = packets
        match.bytes = bytes
        return .set(match)
    }
}

/// `-m rpfilter`.
struct RPFilterModuleParser: MatchOptionParser {
    var match = RPFilterMatch()

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        switch option {
        case "--loose": match.loose = true
        case "--validmark": match.validMark = true
        case "--accept-local": match.acceptLocal = true
        case "--invert": match.invert = true
        default: return false
        }
        try refuseNegation(option, negated)
        return true
    }

    func finish(rule: Rule) throws(RuleProblem) -> Match { .rpfilter(match) }
}

/// `-m statistic`.
struct StatisticModuleParser: MatchOptionParser {
    var mode: String?
    var probability: Double?
    var every: UInt32?
    var packet: UInt32?
    var negated = false

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        switch option {
        case "--mode":
            try refuseNegation(option, negated)
            let text = try arguments.value(for: option, expected: "random or nth")
            guard text == "random" || text == "nth" else { throw RuleProblem("bad mode \"\(text)\"", expected: "random or nth") }
            mode = text
        case "--probability":
            let text = try arguments.value(for: option, expected: "a probability between 0 and 1")
            guard let value = Double(text), value >= 0, value <= 1 else {
                throw RuleProblem("invalid --probability \"\(text)\"", expected: "a number between 0 and 1")
            }
            probability = value
            self.negated = negated
        case "--every":
            let text = try arguments.value(for: option, expected: "a positive number")
            guard let value = ValueParsing.uint32(text), value > 0 else {
                throw RuleProblem("invalid --every \"\(text)\"", expected: "a number greater than 0")
            }
            every = value
            self.negated = negated
        case "--packet":
            try refuseNegation(option, negated)
            let text = try arguments.value(for: option, expected: "a packet number")
            guard let value = ValueParsing.uint32(text) else { throw RuleProblem("invalid --packet \"\(text)\"", expected: "a number") }
            packet = value
        default:
            return false
        }
        return true
    }

    func finish(rule: Rule) throws(RuleProblem) -> Match {
        switch mode {
        case "random":
            guard let probability else { throw RuleProblem("statistic: --mode random requires --probability") }
            guard every == nil, packet == nil else { throw RuleProblem("statistic: --every and --packet need --mode nth") }
            // As libxt_statistic stores it: lround(0x80000000 * P), a 31-bit threshold.
            let stored = UInt32(min((Double(0x8000_0000) * probability).rounded(), Double(UInt32.max)))
            return .statistic(StatisticMatch(mode: .random(probability: stored), negated: negated))
        case "nth":
            guard let every else { throw RuleProblem("statistic: --mode nth requires --every") }
            guard let packet else { throw RuleProblem("statistic: option \"--every\" also requires \"--packet\"") }
            guard probability == nil else { throw RuleProblem("statistic: --probability needs --mode random") }
            guard packet < every else { throw RuleProblem("statistic: --packet \(packet) must be less than --every \(every)") }
            return .statistic(StatisticMatch(mode: .nth(every: every, packet: packet), negated: negated))
        default:
            throw RuleProblem("statistic: option \"--mode\" must be specified", expected: "--mode random or --mode nth")
        }
    }
}

/// `-m limit`. The rate is converted to the kernel's period and back, so `60/minute` becomes
/// `1/sec` exactly as iptables-save prints it.
struct LimitModuleParser: MatchOptionParser {
    var period: UInt32 = 3600 * 10000 / 3
    var burst: UInt32 = 5

    static let scale: UInt64 = 10000
    static let units: [(LimitUnit, UInt64)] = [(.day, 86400 * scale), (.hour, 3600 * scale), (.minute, 60 * scale), (.second, scale)]

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        switch option {
        case "--limit":
            try refuseNegation(option, negated)
            let text = try arguments.value(for: option, expected: "RATE[/second|/minute|/hour|/day]")
            period = try Self.period(text)
        case "--limit-burst":
            try refuseNegation(option, negated)
            let text = try arguments.value(for: option, expected: "a number 1-10000")
            guard let value = ValueParsing.uint32(text), value >= 1, value <= 10000 else {
                throw RuleProblem("bad --limit-burst \"\(text)\"", expected: "a number 1-10000")
            }
            burst = value
        default:
            return false
        }
        return true
    }

    static func period(_ text: String) throws(RuleProblem) -> UInt32 {
        let bad = RuleProblem("bad rate \"\(text)\"", expected: "RATE[/second|/minute|/hour|/day], e.g. 10/minute")
        var multiplier = scale
        var numberText = Substring(text)
        if let slash = text.firstIndex(of: "/") {
            numberText = text[..<slash]
            let unit = text[text.index(after: slash)...].lowercased()
            // libxt_limit accepts any prefix of the unit's name.
            if !unit.isEmpty, "second".hasPrefix(unit) { multiplier = scale }
            else if !unit.isEmpty, "minute".hasPrefix(unit) { multiplier = 60 * scale }
            else if !unit.isEmpty, "hour".hasPrefix(unit) { multiplier = 3600 * scale }
            else if !unit.isEmpty, "day".hasPrefix(unit) { multiplier = 86400 * scale }
            else { throw bad }
        }
        guard let rate = UInt64(numberText), rate > 0 else { throw bad }
        guard rate / multiplier <= scale else { throw RuleProblem("rate too fast \"\(text)\"", expected: "at most 10000/second") }
        return UInt32(multiplier / rate)
    }

    /// libxt_limit's print_rate: the largest unit that still gives a whole number.
    static func rate(period: UInt32) -> (UInt32, LimitUnit) {
        let period = UInt64(max(period, 1))
        var index = 1
        while index < units.count {
            let mult = units[index].1
            if period > mult || mult / period < mult % period { break }
            index += 1
        }
        return (UInt32(units[index - 1].1 / period), units[index - 1].0)
    }

    func finish(rule: Rule) throws(RuleProblem) -> Match {
        let (rate, unit) = Self.rate(period: period)
        return .limit(LimitMatch(rate: rate, unit: unit, burst: burst))
    }
}

/// `-m length`.
struct LengthModuleParser: MatchOptionParser {
    var range: Negatable<ClosedRange<UInt16>>?

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        guard option == "--length" else { return false }
        let text = try arguments.value(for: option, expected: "N or N:M")
        guard let value = ValueParsing.numericRange(text, max: 65535) else {
            throw RuleProblem("bad length \"\(text)\"", expected: "N or N:M with numbers 0-65535")
        }
        range = Negatable(UInt16(value.lowerBound)...UInt16(value.upperBound), negated: negated)
        return true
    }

    func finish(rule: Rule) throws(RuleProblem) -> Match {
        guard let range else { throw RuleProblem("length: option \"--length\" must be specified") }
        return .length(range)
    }
}

/// `-m physdev`.
struct PhysdevModuleParser: MatchOptionParser {
    var match = PhysdevMatch()
    var any = false

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        switch option {
        case "--physdev-in":
            match.inInterface = Negatable(InterfacePattern(try arguments.value(for: option, expected: "an interface name")), negated: negated)
        case "--physdev-out":
            match.outInterface = Negatable(InterfacePattern(try arguments.value(for: option, expected: "an interface name")), negated: negated)
        case "--physdev-is-in": match.isIn = Negatable(true, negated: negated)
        case "--physdev-is-out": match.isOut = Negatable(true, negated: negated)
        case "--physdev-is-bridged": match.isBridged = Negatable(true, negated: negated)
        default: return false
        }
        any = true
        return true
    }

    func finish(rule: Rule) throws(RuleProblem) -> Match {
        guard any else { throw RuleProblem("physdev: at least one option is required") }
        return .physdev(match)
    }
}

/// `-m policy`. The IPsec element options are kept, rewritten into iptables-save's order and spelling.
struct PolicyModuleParser: MatchOptionParser {
    var direction: PolicyMatch.Direction?
    var ipsec: Bool?
    var strict = false
    var elements: [[String: (String, Bool)]] = [[:]]

    static let elementOrder = ["--reqid", "--spi", "--proto", "--mode", "--tunnel-dst", "--tunnel-src"]

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        switch option {
        case "--dir":
            try refuseNegation(option, negated)
            let text = try arguments.value(for: option, expected: "in or out")
            guard let value = PolicyMatch.Direction(rawValue: text) else { throw RuleProblem("bad --dir \"\(text)\"", expected: "in or out") }
            direction = value
        case "--pol":
            try refuseNegation(option, negated)
            let text = try arguments.value(for: option, expected: "none or ipsec")
            guard text == "none" || text == "ipsec" else { throw RuleProblem("bad --pol \"\(text)\"", expected: "none or ipsec") }
            ipsec = text == "ipsec"
        case "--strict":
            try refuseNegation(option, negated)
            strict = true
        case "--next":
            try refuseNegation(option, negated)
            elements.append([:])
        case "--reqid", "--spi", "--proto", "--mode", "--tunnel-src", "--tunnel-dst":
            var text = try arguments.value(for: option, expected: "a value")
            switch option {
            case "--reqid":
                guard let value = ValueParsing.uint32(text) else { throw RuleProblem("bad --reqid \"\(text)\"", expected: "a number") }
                text = String(value)
            case "--spi":
                guard let value = ValueParsing.uint32(text) else { throw RuleProblem("bad --spi \"\(text)\"", expected: "a number") }
                text = ValueParsing.hex(value)
            case "--proto":
                guard let value = IPProtocolNumber.parse(text) else { throw RuleProblem("bad --proto \"\(text)\"", expected: "esp, ah or ipcomp") }
                text = IPProtocolNumber.name(value)
            case "--mode":
                guard text == "tunnel" || text == "transport" else { throw RuleProblem("bad --mode \"\(text)\"", expected: "tunnel or transport") }
            default:
                guard let network = IPv4Network(text) else { throw RuleProblem("bad address \"\(text)\" for \(option)", expected: "ADDR[/MASK]") }
                text = network.prefixLength == 32 ? network.address.description : network.description
            }
            elements[elements.count - 1][option] = (text, negated)
        default:
            return false
        }
        return true
    }

    func finish(rule: Rule) throws(RuleProblem) -> Match {
        guard let direction else { throw RuleProblem("policy: option \"--dir\" must be specified", expected: "--dir in or --dir out") }
        guard let ipsec else { throw RuleProblem("policy: option \"--pol\" must be specified", expected: "--pol none or --pol ipsec") }
        var arguments: [String] = []
        for (index, element) in elements.enumerated() {
            if index > 0 { arguments.append("--next") }
            for option in Self.elementOrder {
                guard let (value, negated) = element[option] else { continue }
                if negated { arguments.append("!") }
                arguments.append(option)
                arguments.append(value)
            }
        }
        return .policy(PolicyMatch(direction: direction, ipsec: ipsec, strict: strict, elementArguments: arguments))
    }
}

/// `-m iprange`.
struct IPRangeModuleParser: MatchOptionParser {
    var match = IPRangeMatch()

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        guard option == "--src-range" || option == "--dst-range" else { return false }
        let text = try arguments.value(for: option, expected: "FROM-TO addresses")
        guard let range = ValueParsing.addressRange(text) else {
            throw RuleProblem("bad IP range \"\(text)\" for \(option)", expected: "FROM-TO with FROM <= TO, e.g. 10.0.0.1-10.0.0.9")
        }
        if option == "--src-range" { match.source = Negatable(range, negated: negated) } else { match.destination = Negatable(range, negated: negated) }
        return true
    }

    func finish(rule: Rule) throws(RuleProblem) -> Match {
        guard match.source != nil || match.destination != nil else { throw RuleProblem("iprange: --src-range or --dst-range is required") }
        return .iprange(match)
    }
}

/// `-m pkttype`.
struct PkttypeModuleParser: MatchOptionParser {
    var type: Negatable<LinkLayerCast>?

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        guard option == "--pkt-type" else { return false }
        let text = try arguments.value(for: option, expected: "unicast, broadcast or multicast")
        guard let value = LinkLayerCast(rawValue: text.lowercased()) else {
            throw RuleProblem("bad packet type \"\(text)\"", expected: "unicast, broadcast or multicast")
        }
        type = Negatable(value, negated: negated)
        return true
    }

    func finish(rule: Rule) throws(RuleProblem) -> Match {
        guard let type else { throw RuleProblem("pkttype: option \"--pkt-type\" must be specified") }
        return .pkttype(type)
    }
}

/// `-m ttl`.
struct TTLModuleParser: MatchOptionParser {
    var test: TTLTest?

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        guard ["--ttl-eq", "--ttl-lt", "--ttl-gt"].contains(option) else { return false }
        if option != "--ttl-eq" { try refuseNegation(option, negated) }
        let text = try arguments.value(for: option, expected: "a TTL 0-255")
        guard let value = UInt8(text) else { throw RuleProblem("bad TTL \"\(text)\"", expected: "a number 0-255") }
        switch option {
        case "--ttl-eq": test = negated ? .notEqual(value) : .equal(value)
        case "--ttl-lt": test = .lessThan(value)
        default: test = .greaterThan(value)
        }
        return true
    }

    func finish(rule: Rule) throws(RuleProblem) -> Match {
        guard let test else { throw RuleProblem("ttl: one of --ttl-eq, --ttl-lt or --ttl-gt is required") }
        return .ttl(test)
    }
}
