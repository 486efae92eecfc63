extension Simulator {
    /// The first condition of `rule` that does not hold for the packet, or nil when all
    /// hold. Conditions are tested in order and stop at the first failure, which matters
    /// for stateful matches (`limit`, `statistic --mode nth`, `recent` only see what reaches them).
    mutating func firstFailure(_ rule: Rule, table: TableName, chain: Int, position: Int, hook: Hook, _ flight: inout InFlight) -> RuleCondition? {
        // The hot path of every walk: the ip part spelled out rather than looped over `headerHolds`.
        let packet = flight.packet
        if let test = rule.source, !test.holds(test.value.contains(packet.source)) { return .source }
        if let test = rule.destination, !test.holds(test.value.contains(packet.destination)) { return .destination }
        if let test = rule.inInterface, !test.holds(test.value.matches(flight.inInterface ?? "")) { return .inInterface }
        if let test = rule.outInterface, !test.holds(test.value.matches(flight.outInterface ?? "")) { return .outInterface }
        if let test = rule.proto, !test.holds(packet.proto == test.value) { return .proto }
        if let test = rule.fragment, !test.holds(packet.isNonFirstFragment) { return .fragment }
        for (index, match) in rule.matches.enumerated() {
            let key = RuleMatchKey(backend: walking.backend, table: table, chain: chain, rule: position, match: index)
            if !evaluate(match, key: key, hook: hook, &flight) {
                if case .unsupported(let name, _) = match {
                    let chainName = tables(walking.backend)[table]!.chains[chain].name
                    flight.trace.unsupported.append(UnsupportedHit(table: table, chain: chainName, rule: position + 1, feature: "match -m \(name)", location: rule.location, assumption: "assumed not to match"))
                }
                if case .set(let setMatch) = match, loaded.sets[setMatch.name] == nil || setMatch.packets != nil || setMatch.bytes != nil {
                    let chainName = tables(walking.backend)[table]!.chains[chain].name
                    flight.trace.unsupported.append(UnsupportedHit(table: table, chain: chainName, rule: position + 1, feature: "match -m set --match-set \(setMatch.name)", location: rule.location, assumption: "assumed not to match (set unknown or counter test)"))
                }
                return .match(index)
            }
        }
        return nil
    }

    /// The rule's ip part: addresses, interfaces, protocol, fragment (absent tests hold).
    @inline(__always)
    func headerHolds(_ rule: Rule, _ condition: RuleCondition, _ flight: InFlight) -> Bool {
        let packet = flight.packet
        switch condition {
        case .source: return rule.source.map { $0.holds($0.value.contains(packet.source)) } ?? true
        case .destination: return rule.destination.map { $0.holds($0.value.contains(packet.destination)) } ?? true
        case .inInterface: return rule.inInterface.map { $0.holds($0.value.matches(flight.inInterface ?? "")) } ?? true
        case .outInterface: return rule.outInterface.map { $0.holds($0.value.matches(flight.outInterface ?? "")) } ?? true
        case .proto: return rule.proto.map { $0.holds(packet.proto == $0.value) } ?? true
        case .fragment: return rule.fragment.map { $0.holds(packet.isNonFirstFragment) } ?? true
        case .match: return true
        }
    }

    /// Every condition of `rule` that does not hold, each tested on its own against a scratch
    /// copy of the engine, so stateful matches (`limit`, `statistic`, `recent`) are left as the
    /// real walk left them.
    func allFailures(_ rule: Rule, table: TableName, chain: Int, position: Int, hook: Hook, _ flight: InFlight) -> [RuleCondition] {
        var failures = RuleCondition.header.filter { !headerHolds(rule, $0, flight) }
        var scratch = self
        var scratchFlight = flight
        for (index, match) in rule.matches.enumerated() {
            let key = RuleMatchKey(backend: walking.backend, table: table, chain: chain, rule: position, match: index)
            if !scratch.evaluate(match, key: key, hook: hook, &scratchFlight) { failures.append(.match(index)) }
        }
        return failures
    }

    mutating func evaluate(_ match: Match, key: RuleMatchKey, hook: Hook, _ flight: inout InFlight) -> Bool {
        let packet = flight.packet
        switch match {
        case .ports(_, let test):
            // Port and flag tests never match a non-first fragment, negated or not.
            if packet.isNonFirstFragment { return false }
            if walking.dialect == .nft, let source = test.sourcePorts, let destination = test.destinationPorts, source.negated, destination.negated,
               source.value.lower == source.value.upper, source.value.lower != 0,
               destination.value.lower == destination.value.upper, destination.value.lower != 0 {
                // iptables-nft 1.8.9 compiles two single negated ports into one 4-byte compare
                // (`add_nft_tcpudp`), so `! --sport A ! --dport B` means "not both" on the
                // kernel, where xt_tcp (legacy) means "neither" (observed).
                if packet.sourcePort == source.value.lower && packet.destinationPort == destination.value.lower { return false }
            } else {
                if let range = test.sourcePorts, !range.holds(range.value.contains(packet.sourcePort)) { return false }
                if let range = test.destinationPorts, !range.holds(range.value.contains(packet.destinationPort)) { return false }
            }
            if let flags = test.tcpFlags, !flags.holds(packet.tcpFlags.intersection(flags.value.mask) == flags.value.comparison) { return false }
            // Synthetic packets carry no TCP options.
            if let option = test.tcpOption, !option.holds(false) { return false }
            return true
        case .icmp(let test):
            if packet.isNonFirstFragment || packet.proto != IPProtocolNumber.icmp { return false }
            guard let type = test.value.type else { return test.holds(true) }
            let hit = packet.icmpType == type && (test.value.code.map { $0 == packet.icmpCode } ?? true)
            return test.holds(hit)
        case .multiport(let test):
            if packet.isNonFirstFragment { return false }
            let hit = test.ports.contains { range in
                switch test.direction {
                case .source: return range.contains(packet.sourcePort)
                case .destination: return range.contains(packet.destinationPort)
                case .either: return range.contains(packet.sourcePort) || range.contains(packet.destinationPort)
                }
            }
            return hit != test.negated
        case .mark(let test):
            return test.holds(test.value.matches(packet.mark))
        case .connmark(let test):
            // xt_connmark returns false without a conntrack entry, even when negated.
            guard let entry = currentEntry(flight) else { return false }
            return test.holds(test.value.matches(entry.mark))
        case .conntrack(let test):
            return evaluateConntrack(test, flight)
        case .state(let test):
            let view = conntrackView(flight)
            return test.holds(!view.states.subtracting([.snat, .dnat]).isDisjoint(with: test.value))
        case .comment:
            return true
        case .addrtype(let test):
            if let types = test.sourceTypes {
                let type = network.addressType(packet.source, limitedTo: test.limitInputInterface ? flight.inInterface ?? "" : test.limitOutputInterface ? flight.outInterface ?? "" : nil)
                if !types.holds(types.value.contains(type)) { return false }
            }
            if let types = test.destinationTypes {
                let type = network.addressType(packet.destination, limitedTo: test.limitInputInterface ? flight.inInterface ?? "" : test.limitOutputInterface ? flight.outInterface ?? "" : nil)
                if !types.holds(types.value.contains(type)) { return false }
            }
            return true
        case .set(let test):
            return evaluateSet(test, flight)
        case .rpfilter(let test):
            let inInterface = flight.inInterface ?? ""
            var hit: Bool
            if inInterface == "lo" {
                hit = true
            } else if packet.source == .any, packet.destination == .broadcast || packet.destination.value >> 8 == 0xe00000 {
                hit = true
            } else {
                hit = reversePathOK(packet.source, interface: inInterface, loose: test.loose, acceptLocal: test.acceptLocal)
            }
            if test.invert { hit.toggle() }
            return hit
        case .statistic(let test):
            switch test.mode {
            case .random(let probability):
                var below: Bool
                if branchScript != nil {
                    below = branchScript!.next(probability: probability)
                } else {
                    below = UInt32(truncatingIfNeeded: random.next()) & 0x7fff_ffff < probability
                }
                return below != test.negated
            case .nth(let every, let packetIndex):
                // xt_statistic keeps count starting at every-1-packet and matches when it wraps to 0.
                let last = every &- 1
                let count = nthCounters[key] ?? (last &- packetIndex)
                let next = count == last ? 0 : count &+ 1
                nthCounters[key] = next
                return (next == 0) != test.negated
            }
        case .limit(let test):
            let rate = Double(test.rate) / test.unit.seconds
            var bucket = limitBuckets[key] ?? (Double(test.burst), flight.now)
            bucket.tokens = min(Double(test.burst), bucket.tokens + (flight.now - bucket.last) * rate)
            bucket.last = flight.now
            let hit = bucket.tokens >= 1
            if hit { bucket.tokens -= 1 }
            limitBuckets[key] = bucket
            return hit
        case .length(let test):
            return test.holds(test.value.contains(packet.totalLength))
        case .physdev(let test):
            // Routed packets have no bridge port: each given option holds only when negated.
            for option in [test.inInterface?.negated, test.outInterface?.negated, test.isIn?.negated, test.isOut?.negated, test.isBridged?.negated] {
                if let negated = option, !negated { return false }
            }
            return true
        case .policy(let test):
            return !test.ipsec
        case .iprange(let test):
            if let range = test.source, !range.holds(range.value.contains(packet.source)) { return false }
            if let range = test.destination, !range.holds(range.value.contains(packet.destination)) { return false }
            return true
        case .pkttype(let test):
            return test.holds(packet.linkLayerCast == test.value)
        case .ttl(let test):
            switch test {
            case .equal(let value): return packet.ttl == value
            case .notEqual(let value): return packet.ttl != value
            case .lessThan(let value): return packet.ttl < value
            case .greaterThan(let value): return packet.ttl > value
            }
        case .recent(let test):
            // The lists are made when the rules load (`recent_mt_check`); the engine's state
            // starts empty, so they are made at the first evaluation, from the whole ruleset.
            if !recentLists.configured { recentLists.configure(from: recentRulesets) }
            let address = test.side == .source ? packet.source : packet.destination
            return recentLists.evaluate(test, address: address, ttl: recentTTL(flight, hook: hook), now: flight.now)
        case .unsupported:
            return false
        }
    }

    /// xt_conntrack (revision 3): every given option must hold; without an entry only a
    /// `--ctstate` test can hold (INVALID or UNTRACKED).
    func evaluateConntrack(_ test: ConntrackMatch, _ flight: InFlight) -> Bool {
        let view = conntrackView(flight)
        if let states = test.states, !states.holds(!view.states.isDisjoint(with: states.value)) { return false }
        guard let entry = view.entry, let direction = view.direction else { return test.states != nil }
        if let wanted = test.direction, (wanted == .original) != (direction == .original) { return false }
        if let proto = test.proto, !proto.holds(entry.proto == proto.value) { return false }
        func address(_ test: Negatable<IPv4Network>?, _ value: IPv4Address) -> Bool {
            guard let test else { return true }
            return test.holds(test.value.contains(value))
        }
        func port(_ test: Negatable<PortRange>?, _ value: UInt16) -> Bool {
            guard let test else { return true }
            return test.holds(test.value.contains(value))
        }
        guard address(test.originalSource, entry.original.source), address(test.originalDestination, entry.original.destination),
              address(test.replySource, entry.reply.source), address(test.replyDestination, entry.reply.destination),
              port(test.originalSourcePort, entry.original.sourcePort), port(test.originalDestinationPort, entry.original.destinationPort),
              port(test.replySourcePort, entry.reply.sourcePort), port(test.replyDestinationPort, entry.reply.destinationPort)
        else { return false }
        if let status = test.status {
            var current = entry.status
            if flight.pending?.id == entry.id { current.remove(.confirmed) }
            if !status.holds(!current.isDisjoint(with: status.value)) { return false }
        }
        if let expire = test.expire {
            let left = UInt32(max(0, (entry.expires - flight.now).rounded(.down)))
            if !expire.holds(expire.value.contains(left)) { return false }
        }
        return true
    }

    /// `-m set`: flags pick packet fields per dimension; fewer flags than dimensions never
    /// match, extra flags are ignored; the port dimension of ICMP is type/code whatever
    /// the flag says (observed).
    func evaluateSet(_ test: SetMatch, _ flight: InFlight) -> Bool {
        guard let index = loaded.sets[test.name], test.packets == nil, test.bytes == nil else { return false }
        let result = lookup(index, flags: test.flags, flight, depth: 0)
        var hit: Bool
        switch result {
        case .found: hit = !test.returnNomatch || !index.supportsNomatch
        case .nomatchElement: hit = test.returnNomatch
        case .absent: hit = false
        }
        if test.negated { hit.toggle() }
        return hit
    }

    func lookup(_ index: IPSetIndex, flags: [SetFlag], _ flight: InFlight, depth: Int) -> IPSetLookup {
        if index.set.type == .listSet {
            guard depth < 8 else { return .absent }
            for entry in index.set.entries {
                if case .member(let name) = entry.element, let member = loaded.sets[name],
                   case .found = lookup(member, flags: flags, flight, depth: depth + 1) {
                    return .found
                }
            }
            return .absent
        }
        guard flags.count >= index.set.type.dimensions, index.set.family == .ipv4 else { return .absent }
        let packet = flight.packet
        func address(_ flag: SetFlag) -> UInt32 { flag == .src ? packet.source.value : packet.destination.value }
        func port(_ flag: SetFlag) -> UInt32? {
            if packet.proto == IPProtocolNumber.icmp {
                return UInt32(IPProtocolNumber.icmp) << 16 | UInt32(packet.icmpType) << 8 | UInt32(packet.icmpCode)
            }
            guard IPProtocolNumber.hasPorts(packet.proto), !packet.isNonFirstFragment else { return nil }
            let value = flag == .src ? packet.sourcePort : packet.destinationPort
            return UInt32(packet.proto) << 16 | UInt32(value)
        }
        switch index.set.type {
        case .hashIP, .hashNet, .bitmapIP:
            return index.lookup(addresses: [address(flags[0])], port: nil, interface: nil)
        case .bitmapPort:
            guard let value = port(flags[0]), packet.proto != IPProtocolNumber.icmp else { return .absent }
            return index.lookup(addresses: [], port: value & 0xffff, interface: nil)
        case .hashIPPort, .hashNetPort:
            return index.lookup(addresses: [address(flags[0])], port: port(flags[1]), interface: nil)
        case .hashIPPortIP, .hashIPPortNet:
            return index.lookup(addresses: [address(flags[0]), address(flags[2])], port: port(flags[1]), interface: nil)
        case .hashNetIface:
            let interface = flags[1] == .src ? flight.inInterface : flight.outInterface
            return index.lookup(addresses: [address(flags[0])], port: nil, interface: interface ?? "")
        case .listSet:
            return .absent
        }
    }
}
