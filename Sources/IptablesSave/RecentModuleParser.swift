import Netfilter

/// `-m recent`: libxt_recent revision 1's options, plus the checks the kernel's
/// `recent_mt_check` makes when the rule is added, since a rule it refuses never loads
/// ("RULE_APPEND failed (Invalid argument)" from iptables-nft-restore).
struct RecentModuleParser: MatchOptionParser {
    /// libxt_recent's option table, in its order: the order its final checks report in.
    static let options = ["--set", "--rcheck", "--update", "--remove", "--seconds", "--reap", "--hitcount", "--rttl",
                          "--name", "--rsource", "--rdest", "--mask"]
    /// `XT_RECENT_NAME_LEN`: the name is copied into a 200-byte field, so longer ones are cut.
    static let nameLength = 200
    /// `XT_RECENT_MAX_NSTAMPS`: the kernel refuses a hit count this large or larger.
    static let maxStamps: UInt32 = 65536

    var given: [String] = []
    var negated = false
    var name = RecentMatch.defaultName
    var side = RecentSide.source
    var mask = IPv4Address.broadcast
    var seconds: UInt32 = 0
    var hitCount: UInt32 = 0

    mutating func parse(option: String, negated: Bool, arguments: inout ArgumentCursor) throws(RuleProblem) -> Bool {
        guard Self.options.contains(option) else { return false }
        // Only the commands carry XTOPT_INVERT; no option has XTOPT_MULTI.
        if RecentCommand(rawValue: option) == nil { try refuseNegation(option, negated) }
        if given.contains(option) { throw RuleProblem("recent: option \"\(option)\" can only be used once") }
        given.append(option)
        switch option {
        case "--seconds":
            seconds = try Self.number(option, &arguments, minimum: 1)
        case "--hitcount":
            hitCount = try Self.number(option, &arguments, minimum: 0)
        case "--name":
            let text = try arguments.value(for: option, expected: "a list name")
            // xtopt_parse_string copies at most size-1 bytes and terminates: longer names are
            // cut silently (observed with a 220-character name).
            name = String(decoding: text.utf8.prefix(Self.nameLength - 1), as: UTF8.self)
        case "--rsource":
            side = .source
        case "--rdest":
            side = .destination
        case "--mask":
            let text = try arguments.value(for: option, expected: "a dotted-quad netmask")
            guard let address = IPv4Address(text) else {
                throw RuleProblem("bad --mask \"\(text)\"", expected: "a dotted-quad netmask such as 255.255.255.0 (no /len)")
            }
            mask = address
        default:
            // A command or a flag without argument (--reap, --rttl).
            if RecentCommand(rawValue: option) != nil { self.negated = self.negated || negated }
        }
        return true
    }

    /// An XTTYPE_UINT32 value (strtoul, base 0). iptables 1.8.9 saves values of 2^31 and more
    /// with `%d`, as negative numbers its own restore refuses; they are read back as the
    /// 32-bit value they print so that such a dump loads as the kernel holds it.
    static func number(_ option: String, _ arguments: inout ArgumentCursor, minimum: UInt32) throws(RuleProblem) -> UInt32 {
        let text = try arguments.value(for: option, expected: "a number \(minimum)-4294967295")
        var value = ValueParsing.uint32(text)
        if value == nil, text.hasPrefix("-"), let negative = Int32(text), negative < 0 { value = UInt32(bitPattern: negative) }
        guard let value, value >= minimum else {
            throw RuleProblem("recent: bad value for option \"\(option)\", or out of range (\(minimum)-4294967295)")
        }
        return value
    }

    func finish(rule: Rule) throws(RuleProblem) -> Match {
        let commands = given.compactMap(RecentCommand.init(rawValue:)).sorted {
            Self.options.firstIndex(of: $0.rawValue)! < Self.options.firstIndex(of: $1.rawValue)!
        }
        let reap = given.contains("--reap")
        let checkTTL = given.contains("--rttl")
        // xtables_options_fcheck, entry by entry in table order: exclusions, then "also".
        if commands.count > 1 {
            throw RuleProblem("recent: option \"\(commands[0].rawValue)\" cannot be used together with \"\(commands[1].rawValue)\"")
        }
        if reap, !given.contains("--seconds") { throw RuleProblem("recent: option \"--reap\" also requires \"--seconds\"") }
        if checkTTL, let command = commands.first, command == .set || command == .remove {
            throw RuleProblem("recent: option \"--rttl\" cannot be used together with \"\(command.rawValue)\"")
        }
        guard let command = commands.first else {
            throw RuleProblem("recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'")
        }
        // recent_mt_check: what the kernel refuses with EINVAL.
        if command == .set || command == .remove, seconds != 0 || hitCount != 0 || reap {
            throw RuleProblem("recent: \(command.rawValue) takes no --seconds, --hitcount or --reap (the kernel refuses the rule: Invalid argument)")
        }
        if hitCount >= Self.maxStamps {
            throw RuleProblem("recent: --hitcount \(hitCount) is larger than the kernel's maximum \(Self.maxStamps - 1) (Invalid argument)")
        }
        // xt_check_proc_name: the name is a file under /proc/net/xt_recent.
        if name.isEmpty || name == "." || name == ".." || name.contains("/") {
            throw RuleProblem("recent: bad --name \"\(name)\" (the kernel refuses the rule: Invalid argument)",
                              expected: "a non-empty name without '/', other than . and ..")
        }
        return .recent(RecentMatch(command: command, negated: negated, name: name, side: side, mask: mask,
                                   seconds: seconds, reap: reap, hitCount: hitCount, checkTTL: checkTTL))
    }
}
