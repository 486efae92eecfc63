import Netfilter

/// The load-time checks that need the whole chain graph, as the kernel (and the nft
/// userspace) make them: where each target may be used (§2.5 of the semantics notes),
/// checked against every built-in chain from which a rule's chain is reachable; loops
/// reachable from a built-in chain; and for nft, nesting deeper than 15 user chains.
public enum RulesetValidator {
    /// nft refuses a chain reached at this nesting level or deeper (NFT_JUMP_STACK_SIZE).
    public static let nftMaximumDepth = 16

    public static func validate(_ ruleset: Ruleset, file: String) throws(IptablesSaveError) {
        for table in ruleset.tables {
            try validate(table, dialect: ruleset.dialect, file: file)
        }
    }

    static func validate(_ table: Table, dialect: IptablesDialect, file: String) throws(IptablesSaveError) {
        var chains: [String: Chain] = [:]
        for chain in table.chains { chains[chain.name] = chain }

        func fail(_ rule: Rule, _ chain: String, _ problem: String, expected: String? = nil) -> IptablesSaveError {
            IptablesSaveError(file: rule.location?.file ?? file, line: rule.location?.line ?? 0,
                              text: IptablesSavePrinter.ruleText(rule, chain: chain), problem: problem, expected: expected)
        }

        // Per rule: references and table-wide restrictions, checked even in unreachable chains.
        for chain in table.chains {
            for rule in chain.rules {
                if let target = rule.chainTarget {
                    guard let destination = chains[target] else {
                        throw fail(rule, chain.name, "chain \"\(target)\" does not exist", expected: "a user chain declared in table \(table.name.rawValue)")
                    }
                    if destination.isBuiltin {
                        throw fail(rule, chain.name, "cannot jump to built-in chain \"\(target)\"", expected: "a user-defined chain")
                    }
                }
                if let (problem, expected) = tableProblem(rule, table: table.name, dialect: dialect) {
                    throw fail(rule, chain.name, problem, expected: expected)
                }
            }
            if chain.isBuiltin, let hook = Hook(rawValue: chain.name) {
                for rule in chain.rules {
                    if rule.inInterface != nil && !hook.hasInputInterface {
                        throw fail(rule, chain.name, "can't use -i with \(chain.name)", expected: "-i only in PREROUTING, INPUT and FORWARD")
                    }
                    if rule.outInterface != nil && !hook.hasOutputInterface {
                        throw fail(rule, chain.name, "can't use -o with \(chain.name)", expected: "-o only in FORWARD, OUTPUT and POSTROUTING")
                    }
                }
            }
        }

        // Loops reachable from a built-in chain, found by depth-first search along -j/-g.
        var finished = Set<String>()
        var path: [String] = []
        var onPath = Set<String>()
        func visit(_ name: String) throws(IptablesSaveError) {
            guard let chain = chains[name], !finished.contains(name) else { return }
            path.append(name)
            onPath.insert(name)
            for rule in chain.rules {
                guard let next = rule.chainTarget else { continue }
                if onPath.contains(next) {
                    let start = path.firstIndex(of: next)!
                    let cycle = (path[start...] + [next]).joined(separator: " -> ")
                    throw fail(rule, name, "chain loop: \(cycle)", expected: "no chain reachable from a built-in chain to jump back into itself (\(dialect == .nft ? "Too many links" : "Too many levels of symbolic links"))")
                }
                try visit(next)
            }
            path.removeLast()
            onPath.remove(name)
            finished.insert(name)
        }
        let builtins = table.chains.filter(\.isBuiltin)
        for chain in builtins { try visit(chain.name) }

        // The graph below the built-in chains is now acyclic: compute each chain's height.
        var heights: [String: Int] = [:]
        func height(_ name: String) -> Int {
            if let known = heights[name] { return known }
            var best = 0
            for rule in chains[name]?.rules ?? [] {
                if let next = rule.chainTarget { best = max(best, 1 + height(next)) }
            }
            heights[name] = best
            return best
        }

        if dialect == .nft {
            for chain in builtins where height(chain.name) >= nftMaximumDepth {
                // Walk down the deepest path to name the rule that crosses the limit.
                var names = [chain.name]
                var current = chain
                var level = 0
                while true {
                    guard let rule = current.rules.first(where: { rule in
                        rule.chainTarget.map { 1 + height($0) == height(current.name) } ?? false
                    }), let next = rule.chainTarget, let nextChain = chains[next] else { break }
                    level += 1
                    names.append(next)
                    if level >= nftMaximumDepth {
                        throw fail(rule, current.name, "Too many links: chain \"\(next)\" is nested \(level) deep below \(table.name.rawValue) \(chain.name) (\(names.joined(separator: " -> ")))",
                                   expected: "at most \(nftMaximumDepth - 1) nested user chains below a built-in chain with iptables-nft")
                    }
                    current = nextChain
                }
            }
        }

        // Hook restrictions, for every built-in chain a rule's chain is reachable from.
        for builtin in builtins {
            guard let hook = Hook(rawValue: builtin.name) else { continue }
            var seen = Set<String>()
            var stack = [builtin.name]
            while let name = stack.popLast() {
                guard seen.insert(name).inserted, let chain = chains[name] else { continue }
                for rule in chain.rules {
                    if let (problem, expected) = hookProblem(rule, table: table.name, hook: hook) {
                        let via = name == builtin.name ? "" : " (chain \(name) is reachable from \(table.name.rawValue) \(builtin.name))"
                        throw fail(rule, name, problem + via, expected: expected)
                    }
                    if let next = rule.chainTarget { stack.append(next) }
                }
            }
        }
    }

    private static let portProtocols: Set<UInt8> = [IPProtocolNumber.tcp, IPProtocolNumber.udp, IPProtocolNumber.sctp, 33, IPProtocolNumber.icmp]

    private static func hasPortProtocol(_ rule: Rule) -> Bool {
        guard let proto = rule.proto, !proto.negated else { return false }
        return portProtocols.contains(proto.value)
    }

    /// Restrictions that depend only on the table and the rule itself.
    static func tableProblem(_ rule: Rule, table: TableName, dialect: IptablesDialect) -> (String, String)? {
        for match in rule.matches {
            if case .rpfilter = match, table != .raw && table != .mangle {
                return ("-m rpfilter is only valid in the raw and mangle tables", "rpfilter in raw or mangle PREROUTING")
            }
        }
        guard let target = rule.target else { return nil }
        switch target {
        case .drop where table == .nat:
            return ("DROP in the nat table: the nat table is not intended for filtering", "DROP in filter, mangle or raw")
        case .reject(let kind):
            if table != .filter { return ("REJECT is only valid in the filter table", "REJECT in filter INPUT, FORWARD or OUTPUT") }
            if kind == .tcpReset, !(rule.proto.map { !$0.negated && $0.value == IPProtocolNumber.tcp } ?? false) {
                return ("REJECT --reject-with tcp-reset needs -p tcp", "-p tcp in the same rule")
            }
        case .dnat(let range, _), .snat(let range, _):
            if table != .nat { return ("\(target.name) is only valid in the nat table", target.name == "DNAT" ? "DNAT in nat PREROUTING or OUTPUT" : "SNAT in nat POSTROUTING or INPUT") }
            if range.ports != nil && !hasPortProtocol(rule) {
                return ("\(target.name) with a port needs TCP, UDP, SCTP or DCCP", "-p tcp, -p udp, -p sctp or -p dccp in the same rule")
            }
        case .masquerade(let ports, _), .redirect(let ports, _):
            if table != .nat { return ("\(target.name) is only valid in the nat table", target.name == "MASQUERADE" ? "MASQUERADE in nat POSTROUTING" : "REDIRECT in nat PREROUTING or OUTPUT") }
            if ports != nil && !hasPortProtocol(rule) {
                return ("\(target.name) with --to-ports needs TCP, UDP, SCTP or DCCP", "-p tcp, -p udp, -p sctp or -p dccp in the same rule")
            }
        case .notrack, .ct:
            if table != .raw { return ("\(target.name) is only valid in the raw table", "\(target.name) in raw PREROUTING or OUTPUT") }
        case .trace where dialect == .legacy && table != .raw:
            return ("TRACE is only valid in the raw table with iptables-legacy", "TRACE in raw PREROUTING or OUTPUT")
        default:
            break
        }
        return nil
    }

    /// Restrictions on the hook a rule runs at.
    static func hookProblem(_ rule: Rule, table: TableName, hook: Hook) -> (String, String)? {
        for match in rule.matches {
            if case .rpfilter = match, hook != .prerouting {
                return ("-m rpfilter used from \(hook.rawValue)", "rpfilter only in raw or mangle PREROUTING")
            }
        }
        let allowed: [Hook]
        switch rule.target {
        case .reject?: allowed = [.input, .forward, .output]
        case .dnat?, .redirect?: allowed = [.prerouting, .output]
        case .snat?: allowed = [.postrouting, .input]
        case .masquerade?: allowed = [.postrouting]
        default: return nil
        }
        guard !allowed.contains(hook) else { return nil }
        let name = rule.target!.name
        return ("\(name) used from \(table.rawValue) \(hook.rawValue)",
                "\(name) only in \(table.rawValue) \(allowed.map(\.rawValue).joined(separator: " or ")) and chains reached only from there")
    }
}
