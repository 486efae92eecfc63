extension Simulator {
    /// Walks a built-in chain and the user chains it reaches, counting and recording every
    /// matched rule. Returns false when the packet was dropped (DROP, REJECT, policy DROP,
    /// or a NAT target that found no address).
    mutating func walk(_ table: LoadedRuleset.LoadedTable, hook: Hook, from builtin: Int, _ flight: inout InFlight) -> Bool {
        let firstStep = flight.trace.steps.count
        let visitIndex = flight.trace.visits.count
        // A REJECT's answer walks other chains before this walk returns.
        let outer = walking
        walking = (table.backend, table.dialect)
        defer { walking = outer }
        flight.trace.visits.append(ChainVisit(table: table.name, backend: table.backend, hook: hook, packet: flight.packet, inInterface: flight.inInterface, outInterface: flight.outInterface, stepRange: firstStep..<firstStep))
        defer {
            flight.trace.visits[visitIndex].stepRange = firstStep..<flight.trace.steps.count
            flight.trace.visits[visitIndex].markAfter = flight.packet.mark
        }

        // Return positions of `-j`; a `-g` pushes nothing, so a RETURN from a chain reached
        // by goto comes back after the most recent jump still on the stack.
        var stack: [(chain: Int, rule: Int)] = []
        var chain = builtin
        var position = 0
        while true {
            let rules = table.chains[chain].rules
            if position >= rules.count {
                if let frame = stack.popLast() {
                    chain = frame.chain
                    position = frame.rule
                    continue
                }
                return applyPolicy(table, builtin, &flight)
            }
            let rule = rules[position]
            if let failed = firstFailure(rule, table: table.name, chain: chain, position: position, hook: hook, &flight) {
                if options.recordMisses {
                    var missed = MissedRule(table: table.name, chain: table.chains[chain].name, rule: position + 1, failed: failed, beforeStep: flight.trace.steps.count, backend: table.backend)
                    missed.failures = allFailures(rule, table: table.name, chain: chain, position: position, hook: hook, flight)
                    missed.mark = flight.packet.mark
                    flight.trace.missed.append(missed)
                }
                position += 1
                continue
            }
            if table.backend == .legacy {
                legacyRuleCounters[table.name]![chain][position].add(bytes: Int(flight.packet.totalLength))
            } else {
                ruleCounters[table.name]![chain][position].add(bytes: Int(flight.packet.totalLength))
            }
            let chainName = table.chains[chain].name
            func step(_ verdict: StepVerdict, _ target: String? = nil) {
                flight.trace.steps.append(TraceStep(table: table.name, chain: chainName, rule: position + 1, verdict: verdict, target: target, backend: table.backend))
            }
            guard let target = rule.target else {
                step(.continue)
                position += 1
                continue
            }
            switch target {
            case .accept:
                step(.accept)
                return true
            case .drop:
                step(.drop)
                flight.trace.fate = .droppedByRule(flight.trace.steps[flight.trace.steps.count - 1])
                return false
            case .reject(let kind):
                // The kernel emits the ICMP error or RST while REJECT runs, so its path
                // comes before the REJECT step (§1.3).
                reject(kind, &flight)
                step(.drop)
                flight.trace.fate = .droppedByRule(flight.trace.steps[flight.trace.steps.count - 1])
                return false
            case .return:
                step(.return)
                if let frame = stack.popLast() {
                    chain = frame.chain
                    position = frame.rule
                } else {
                    return applyPolicy(table, builtin, &flight)
                }
            case .jump(let name), .goto(let name):
                // Loaders validate jumps; a ruleset built in code may still name a missing chain.
                guard let next = table.targets[chain][position] else {
                    flight.trace.unsupported.append(UnsupportedHit(table: table.name, chain: chainName, rule: position + 1, feature: "jump to missing chain \(name)", location: rule.location, assumption: "treated as a rule without target"))
                    step(.continue)
                    position += 1
                    continue
                }
                if case .jump = target {
                    step(.jump, name)
                    stack.append((chain, position + 1))
                } else {
                    step(.goto, name)
                }
                chain = next
                position = 0
            case .dnat, .snat, .masquerade, .redirect:
                let translated = applyNATTarget(target, hook: hook, &flight)
                step(translated ? .accept : .drop)
                if !translated {
                    flight.trace.fate = .droppedInRouting(.natNoAddress)
                    return false
                }
                return true
            case .unsupported(let name, _):
                flight.trace.unsupported.append(UnsupportedHit(table: table.name, chain: chainName, rule: position + 1, feature: "target -j \(name)", location: rule.location, assumption: "treated as a non-terminating target"))
                step(.continue)
                position += 1
            default:
                applyNonTerminating(target, &flight)
                step(.continue)
                position += 1
            }
        }
    }

    mutating func applyPolicy(_ table: LoadedRuleset.LoadedTable, _ builtin: Int, _ flight: inout InFlight) -> Bool {
        let chain = table.chains[builtin]
        if table.backend == .legacy {
            legacyPolicyCounters[table.name]![builtin].add(bytes: Int(flight.packet.totalLength))
        } else {
            policyCounters[table.name]![builtin].add(bytes: Int(flight.packet.totalLength))
        }
        let accepted = chain.policy != .drop
        let step = TraceStep(table: table.name, chain: chain.name, rule: nil, verdict: accepted ? .accept : .drop, backend: table.backend)
        flight.trace.steps.append(step)
        if !accepted { flight.trace.fate = .droppedByRule(step) }
        return accepted
    }

    /// MARK, CONNMARK, NOTRACK, CT, LOG, NFLOG, TRACE.
    mutating func applyNonTerminating(_ target: Target, _ flight: inout InFlight) {
        switch target {
        case .mark(let value, let mask):
            flight.packet.mark = (flight.packet.mark & ~mask) ^ value
        case .connmark(let action):
            guard let attachment = flight.ct, var entry = currentEntry(flight) else { return }
            switch action {
            case .setXMark(let value, let mask):
                entry.mark = (entry.mark & ~mask) ^ value
            case .saveMark(let nfmask, let ctmask):
                entry.mark = (entry.mark & ~ctmask) ^ (flight.packet.mark & nfmask)
            case .restoreMark(let nfmask, let ctmask):
                flight.packet.mark = (flight.packet.mark & ~nfmask) ^ (entry.mark & ctmask)
            }
            let mark = entry.mark
            modifyEntry(attachment.id, &flight) { $0.mark = mark }
        case .notrack:
            if flight.ct == nil { flight.untracked = true }
        case .ct(let options):
            if options.notrack, flight.ct == nil { flight.untracked = true }
        default:
            break
        }
    }
}
