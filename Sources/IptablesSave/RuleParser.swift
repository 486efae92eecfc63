import Netfilter

/// Turns the words of one `-A CHAIN ...` line into a `Rule`.
///
/// The word loop mirrors iptables' own `do_parse`: the ip part (`-s -d -i -o -p -f`) may appear
/// anywhere, `-m` opens a module and closes the previous one, an option nobody claims loads
/// the protocol's implicit module (`-p tcp --dport 80`), and `!` negates the next option.
struct RuleParser {
    var table: TableName
    /// Chains declared so far in the table block; a jump may only name one of these.
    var userChains: Set<String>

    func parse(_ tokens: [SaveLineTokenizer.Token]) throws(RuleProblem) -> Rule {
        var cursor = ArgumentCursor(tokens)
        var rule = Rule()
        var modules: [any MatchOptionParser] = []
        var implicitLoaded = false
        var target: (any TargetOptionParser)?
        var targetIsExtension = false
        var negate = false

        func single<T>(_ value: T?, _ option: String) throws(RuleProblem) {
            if value != nil { throw RuleProblem("multiple \(option) flags not allowed") }
        }

        while let token = cursor.next() {
            let word = token.text
            if word == "!" && !token.quoted {
                if negate { throw RuleProblem("multiple consecutive ! not allowed") }
                negate = true
                continue
            }
            guard word.hasPrefix("-"), !token.quoted, word.count > 1 else {
                throw RuleProblem("bad argument \"\(token.raw)\"", expected: "an option starting with -")
            }
            let negated = negate
            negate = false
            switch word {
            case "-s", "--source", "--src":
                try single(rule.source, "-s")
                rule.source = try Self.address(cursor.value(for: word, expected: "ADDR[/MASK]"), option: word, negated: negated)
            case "-d", "--destination", "--dst":
                try single(rule.destination, "-d")
                rule.destination = try Self.address(cursor.value(for: word, expected: "ADDR[/MASK]"), option: word, negated: negated)
            case "-i", "--in-interface":
                try single(rule.inInterface, "-i")
                rule.inInterface = try Self.interface(cursor.value(for: word, expected: "an interface name"), negated: negated)
            case "-o", "--out-interface":
                try single(rule.outInterface, "-o")
                rule.outInterface = try Self.interface(cursor.value(for: word, expected: "an interface name"), negated: negated)
            case "-p", "--protocol":
                try single(rule.proto, "-p")
                let text = try cursor.value(for: word, expected: "a protocol name or number")
                if text.lowercased() == "all" || text == "0" {
                    if negated { throw RuleProblem("rule would never match protocol \"\(text)\"", expected: "a protocol other than all") }
                    continue
                }
                guard let number = IPProtocolNumber.parse(text) else {
                    throw RuleProblem("unknown protocol \"\(text)\" specified", expected: "a name from /etc/protocols (tcp, udp, icmp, ...), a number 0-255 or all")
                }
                rule.proto = Negatable(number, negated: negated)
            case "-f", "--fragment":
                try single(rule.fragment, "-f")
                rule.fragment = Negatable(true, negated: negated)
            case "-m", "--match":
                if negated { throw RuleProblem("unexpected ! before -m", expected: "! in front of a module option, e.g. -m mark ! --mark 1") }
                let name = try cursor.value(for: word, expected: "a match module name")
                if let parser = MatchModules.parser(named: name) {
                    modules.append(parser)
                } else if MatchModules.unsupported.contains(name) {
                    modules.append(UnsupportedModuleParser(name: name))
                } else {
                    throw RuleProblem("couldn't load match \"\(name)\"", expected: "a known match module (tcp, udp, icmp, multiport, mark, conntrack, comment, set, ...)")
                }
            case "-j", "--jump", "-g", "--goto":
                if negated { throw RuleProblem("cannot have ! before \(word)") }
                if target != nil { throw RuleProblem("multiple -j flags not allowed", expected: "one -j or -g per rule") }
                let name = try cursor.value(for: word, expected: "a target or chain name")
                let isGoto = word == "-g" || word == "--goto"
                (target, targetIsExtension) = try resolveTarget(name, isGoto: isGoto)
            case "-c", "--set-counters":
                let packets = try cursor.value(for: word, expected: "PACKETS BYTES")
                let bytes = try cursor.value(for: word, expected: "PACKETS BYTES")
                guard let p = UInt64(packets), let b = UInt64(bytes) else {
                    throw RuleProblem("bad counters \"\(packets) \(bytes)\" for -c", expected: "two unsigned numbers")
                }
                rule.counters = Counter(packets: p, bytes: b)
            default:
                if var known = target, !targetIsExtension {
                    if try known.parse(option: word, negated: negated, arguments: &cursor) { target = known; continue }
                }
                // libxtables merges each newly loaded module's options in front of the older
                // ones, so the latest module that knows an option gets it; earlier modules
                // still take options only they know (`-m tcp --sport 1 -m comment ... --dport 80`).
                var claimed = false
                for index in modules.indices.reversed() {
                    if try modules[index].parse(option: word, negated: negated, arguments: &cursor) { claimed = true; break }
                }
                if claimed { continue }
                if !implicitLoaded, let proto = rule.proto, !proto.negated, var implicit = MatchModules.implicitParser(proto: proto.value) {
                    if try implicit.parse(option: word, negated: negated, arguments: &cursor) {
                        modules.append(implicit)
                        implicitLoaded = true
                        continue
                    }
                }
                if var extensionTarget = target, targetIsExtension {
                    if try extensionTarget.parse(option: word, negated: negated, arguments: &cursor) { target = extensionTarget; continue }
                }
                throw RuleProblem("unknown option \"\(word)\"", expected: Self.hint(modules: modules, target: target, proto: rule.proto))
            }
        }
        if negate { throw RuleProblem("! at the end of the rule", expected: "an option after !") }
        for module in modules { rule.matches.append(try module.finish(rule: rule)) }
        rule.target = try target?.finish(rule: rule)
        return rule
    }

    private func resolveTarget(_ name: String, isGoto: Bool) throws(RuleProblem) -> ((any TargetOptionParser)?, Bool) {
        let builtins = Set(table.builtinChains.map(\.rawValue))
        if builtins.contains(name) {
            throw RuleProblem("cannot \(isGoto ? "goto" : "jump to") built-in chain \"\(name)\"", expected: "a user-defined chain")
        }
        if !isGoto, let parser = TargetModules.parser(named: name) { return (parser, false) }
        if userChains.contains(name) { return (FixedTargetParser(target: isGoto ? .goto(name) : .jump(name)), false) }
        if !isGoto, TargetModules.unsupported.contains(name) { return (UnsupportedTargetParser(name: name), true) }
        if isGoto, TargetModules.parser(named: name) != nil {
            throw RuleProblem("cannot goto target \"\(name)\"", expected: "a user-defined chain after -g")
        }
        throw RuleProblem("chain \"\(name)\" does not exist", expected: "a target or a chain declared earlier in the *\(table.rawValue) block (\":\(name) - [0:0]\")")
    }

    static func address(_ text: String, option: String, negated: Bool) throws(RuleProblem) -> Negatable<IPv4Network>? {
        if text.contains(",") {
            throw RuleProblem("address lists are not supported in \"\(text)\"", expected: "one ADDR[/MASK] per rule, as iptables-save prints")
        }
        guard let network = IPv4Network(text) else {
            throw RuleProblem("host/network \"\(text)\" not found", expected: "a dotted-quad address with optional /0-32 or /dotted-mask")
        }
        // 0.0.0.0/0 tests nothing and iptables-save leaves it out.
        if network.mask == 0 && !negated { return nil }
        return Negatable(network, negated: negated)
    }

    static func interface(_ text: String, negated: Bool) throws(RuleProblem) -> Negatable<InterfacePattern>? {
        guard !text.isEmpty, text.utf8.count <= 15 else {
            throw RuleProblem("interface name \"\(text)\" must be shorter than 16 characters", expected: "a name of 1-15 characters, optionally ending in +")
        }
        let pattern = InterfacePattern(text)
        if pattern.matchesEverything && !negated { return nil }
        return Negatable(pattern, negated: negated)
    }

    static func hint(modules: [any MatchOptionParser], target: (any TargetOptionParser)?, proto: Negatable<UInt8>?) -> String {
        if modules.isEmpty && target == nil {
            return "an option of a loaded module (-p tcp/udp/icmp loads its module implicitly)"
        }
        return "an option of the preceding -m module or -j target"
    }
}
