enum NATManip {
    case source, destination

    var done: NATStatus { self == .source ? .sourceDone : .destinationDone }
    var changed: NATStatus { self == .source ? .sourceNAT : .destinationNAT }

    /// DNAT at PREROUTING/OUTPUT (-100), SNAT at INPUT/POSTROUTING (+100).
    init(_ hook: Hook) { self = hook == .prerouting || hook == .output ? .destination : .source }
}

extension Simulator {
    /// The nat table at one hook: its chain runs only for a connection's first packet
    /// (ctstate NEW, or a RELATED non-ICMP packet) until that hook's decision is made;
    /// then every packet is translated from the entry.
    mutating func runNAT(_ hook: Hook, _ flight: inout InFlight) -> Bool {
        guard loaded.conntrackActive, let attachment = flight.ct, let entry = currentEntry(flight) else { return true }
        let manip = NATManip(hook)
        if attachment.state == .related, flight.packet.proto == IPProtocolNumber.icmp {
            translateICMPError(entry, direction: attachment.direction, manip: manip, &flight)
            return true
        }
        if attachment.state != .established, !entry.nat.contains(manip.done) {
            // With both back ends, nf_nat runs their nat chains in hook order and stops at
            // the first that sets up a mapping (`nf_nat_inet_fn`).
            for backend in backendOrder {
                guard let table = tables(backend)[.nat], let chain = table.builtin[hook] else { continue }
                if !walk(table, hook: hook, from: chain, &flight) { return false }
                if currentEntry(flight)?.nat.contains(manip.done) == true { break }
            }
            if let entry = currentEntry(flight), !entry.nat.contains(manip.done) { allocateNullBinding(entry, manip: manip, &flight) }
        }
        if let entry = currentEntry(flight) {
            translate(&flight.packet, entry: entry, direction: attachment.direction, manip: manip)
        }
        return true
    }

    /// No NAT target fired: `nf_nat_alloc_null_binding`, so the chain is not consulted
    /// again. It still goes through `get_unique_tuple`: when the connection's reply tuple
    /// is already another entry's (a packet answering a connection the node opened and
    /// DNATed elsewhere, say), a source manip moves to a free port and the entry becomes
    /// SNAT; a destination manip cannot change the port, and confirm drops the clash.
    mutating func allocateNullBinding(_ entry: ConntrackEntry, manip: NATManip, _ flight: inout InFlight) {
        let current = entry.reply.inverted
        // Without a nat table no nat hook is registered: nothing is remapped.
        let hasNAT = loaded.tables[.nat] != nil || legacy?.tables[.nat] != nil
        let wanted = hasNAT ? uniqueTuple(current, ports: nil, manip: manip, entryID: entry.id) : current
        modifyEntry(entry.id, &flight) { entry in
            entry.nat.insert(manip.done)
            if wanted != current {
                entry.nat.insert(manip.changed)
                if manip == .source { entry.nat.insert(.randomPort) }
                entry.reply = wanted.inverted
            }
        }
    }

    /// `nf_nat_packet`: rewrite the manip side of the packet to the inverse of the other
    /// direction's tuple, when that side was translated.
    func translate(_ packet: inout Packet, entry: ConntrackEntry, direction: ConntrackDirection, manip: NATManip) {
        var status = manip.changed
        if direction == .reply { status = manip == .source ? .destinationNAT : .sourceNAT }
        guard entry.nat.contains(status) else { return }
        let target = entry.tuple(direction == .original ? .reply : .original).inverted
        apply(target, manip: manip, to: &packet)
    }

    func apply(_ target: ConntrackTuple, manip: NATManip, to packet: inout Packet) {
        let ports = IPProtocolNumber.hasPorts(packet.proto)
        if manip == .source {
            packet.source = target.source
            if ports { packet.sourcePort = target.sourcePort }
        } else {
            packet.destination = target.destination
            if ports { packet.destinationPort = target.destinationPort }
        }
        if packet.proto == IPProtocolNumber.icmp, !packet.isICMPError { packet.icmpID = target.sourcePort }
    }

    /// `nf_nat_icmp_reply_translation`: the quoted header gets the opposite manip, the outer one the usual.
    func translateICMPError(_ entry: ConntrackEntry, direction: ConntrackDirection, manip: NATManip, _ flight: inout InFlight) {
        var status = manip.changed
        if direction == .reply { status = manip == .source ? .destinationNAT : .sourceNAT }
        guard entry.nat.contains(status) else { return }
        let other = entry.tuple(direction == .original ? .reply : .original)
        if var quoted = flight.packet.quoted {
            if manip == .source {
                quoted.destination = other.destination
                if IPProtocolNumber.hasPorts(quoted.proto) { quoted.destinationPort = other.destinationPort }
            } else {
                quoted.source = other.source
                if IPProtocolNumber.hasPorts(quoted.proto) { quoted.sourcePort = other.sourcePort }
            }
            if quoted.proto == IPProtocolNumber.icmp { quoted.icmpID = other.sourcePort }
            flight.packet.quoted = quoted
        }
        let target = other.inverted
        if manip == .source { flight.packet.source = target.source } else { flight.packet.destination = target.destination }
    }

    /// DNAT, SNAT, MASQUERADE, REDIRECT: choose the new address and port, store the
    /// binding in the entry, and translate the packet. False when no address exists
    /// (MASQUERADE on an interface without one).
    mutating func applyNATTarget(_ target: Target, hook: Hook, _ flight: inout InFlight) -> Bool {
        guard let attachment = flight.ct, let entry = currentEntry(flight) else { return true }
        let manip = NATManip(hook)
        var addresses: ClosedRange<IPv4Address>?
        var ports: PortRange?
        var flags: NATFlags = []
        switch target {
        case .dnat(let range, let f), .snat(let range, let f):
            addresses = range.addresses
            ports = range.ports
            flags = f
        case .masquerade(let p, let f):
            ports = p
            flags = f
            let nextHop = network.lookup(flight.packet.destination)?.gateway ?? flight.packet.destination
            guard let device = flight.outInterface, let address = network.masqueradeAddress(device: device, nextHop: nextHop) else { return false }
            addresses = address...address
        case .redirect(let p, let f):
            ports = p
            flags = f
            if hook == .output {
                addresses = IPv4Address(127, 0, 0, 1)...IPv4Address(127, 0, 0, 1)
            } else {
                guard let name = flight.inInterface, let address = network.interface(named: name)?.addresses.first?.address else { return false }
                addresses = address...address
            }
        default:
            return true
        }
        // The tuple as the packet's original direction sees it now (after any earlier manip).
        let current = entry.reply.inverted
        let random = flags.contains(.random) || flags.contains(.randomFully)
        var wanted: ConntrackTuple
        if manip == .source, !random, let kept = sourceMapping(current, addresses: addresses, ports: ports, entryID: entry.id) {
            wanted = kept
        } else {
            wanted = current
            if let addresses {
                let chosen = chooseAddress(addresses, for: current, persistent: flags.contains(.persistent))
                if manip == .source { wanted.source = chosen } else { wanted.destination = chosen }
            }
            wanted = uniqueTuple(wanted, ports: ports, manip: manip, entryID: entry.id)
        }
        // `nf_nat_l4proto_unique_tuple` starts a source port search at a random offset; a
        // destination range (without --random) starts at its low end, as pathsim does.
        let portDrawn = random || (manip == .source && wanted.sourcePort != current.sourcePort)
        modifyEntry(attachment.id, &flight) { entry in
            entry.nat.insert(manip.done)
            if portDrawn { entry.nat.insert(.randomPort) }
            if wanted != current {
                entry.nat.insert(manip.changed)
                entry.reply = wanted.inverted
            }
        }
        if random {
            flight.trace.notes.append("\(target.name) with --random/--random-fully: the kernel picks a random port; pathsim keeps the lowest free one")
        }
        if let entry = currentEntry(flight) {
            translate(&flight.packet, entry: entry, direction: attachment.direction, manip: manip)
        }
        return true
    }

    /// `get_unique_tuple`'s first step for SNAT: the original tuple if it is already in the
    /// range and free, else the mapping an earlier connection from the same source address
    /// and port got (`find_appropriate_src`), if that is in the range and free.
    func sourceMapping(_ tuple: ConntrackTuple, addresses: ClosedRange<IPv4Address>?, ports: PortRange?, entryID: Int) -> ConntrackTuple? {
        let hasPorts = IPProtocolNumber.hasPorts(tuple.proto) || tuple.proto == IPProtocolNumber.icmp
        func inRange(_ candidate: ConntrackTuple) -> Bool {
            if let addresses, !addresses.contains(candidate.source) { return false }
            if let ports, hasPorts, !ports.contains(candidate.sourcePort) { return false }
            return true
        }
        let free = { (candidate: ConntrackTuple) in !conntrack.isTaken(candidate.inverted, except: entryID) }
        if inRange(tuple) { return free(tuple) ? tuple : nil }
        for earlier in conntrack.entries(fromSourceOf: tuple) where earlier.id != entryID && earlier.nat.contains(.sourceDone) {
            var mapped = earlier.reply.inverted
            mapped.destination = tuple.destination
            mapped.destinationPort = tuple.destinationPort
            if inRange(mapped) { return free(mapped) ? mapped : nil }
        }
        return nil
    }

    /// An address from a range as `find_best_ips_proto` picks it: Jenkins' hash of the
    /// source address keyed by the destination (not with --persistent), scaled to the range.
    /// The kernel hashes the addresses as they lie in memory (network order, read as a
    /// little-endian word) and over all four words of its IPv6-sized address union.
    func chooseAddress(_ range: ClosedRange<IPv4Address>, for tuple: ConntrackTuple, persistent: Bool) -> IPv4Address {
        let size = UInt64(range.upperBound.value - range.lowerBound.value) + 1
        guard size > 1 else { return range.lowerBound }
        let key = persistent ? 0 : tuple.destination.value.byteSwapped
        let hash = JenkinsHash.words([tuple.source.value.byteSwapped, 0, 0, 0], initial: key)
        return IPv4Address(range.lowerBound.value + UInt32((UInt64(hash) * size) >> 32))
    }

    /// `get_unique_tuple`: keep the port when it is in range and the resulting reply tuple
    /// is free; otherwise the first free port of the range (the kernel starts at a hashed
    /// or random offset, so its choice can differ; this one is deterministic).
    func uniqueTuple(_ tuple: ConntrackTuple, ports: PortRange?, manip: NATManip, entryID: Int) -> ConntrackTuple {
        let hasPorts = IPProtocolNumber.hasPorts(tuple.proto) || tuple.proto == IPProtocolNumber.icmp
        let portNow = manip == .source || tuple.proto == IPProtocolNumber.icmp ? tuple.sourcePort : tuple.destinationPort
        let free = { (candidate: ConntrackTuple) in !conntrack.isTaken(candidate.inverted, except: entryID) }
        if let ports, hasPorts {
            if ports.lower == ports.upper || (ports.contains(portNow) && free(tuple)) {
                return with(tuple, port: ports.contains(portNow) ? portNow : ports.lower, manip: manip)
            }
        } else if free(tuple) || !hasPorts {
            return tuple
        }
        let range: PortRange
        if let ports { range = ports }
        else if manip == .destination { return tuple }
        else if portNow < 512 { range = PortRange(1, 511) }
        else if portNow < 1024 { range = PortRange(600, 1023) }
        else { range = PortRange(1024, 65535) }
        var port = range.lower
        while true {
            let candidate = with(tuple, port: port, manip: manip)
            if free(candidate) || port == range.upper { return candidate }
            port += 1
        }
    }

    private func with(_ tuple: ConntrackTuple, port: UInt16, manip: NATManip) -> ConntrackTuple {
        var result = tuple
        if manip == .source || tuple.proto == IPProtocolNumber.icmp { result.sourcePort = port } else { result.destinationPort = port }
        return result
    }
}

extension Simulator {
    /// Takes the kernel's NAT choice, seen in a capture, for a connection whose first packet
    /// pathsim just translated: where the kernel picks a port at random or by a hash pathsim
    /// does not reproduce, the captured packet shows what it picked. Only the translation
    /// changes (the packet left as `captured`); false when that tuple is another entry's.
    public mutating func adoptTranslation(entryID: Int, leftAs captured: Packet) -> Bool {
        guard let entry = conntrack.entries[entryID], captured.proto == entry.proto else { return false }
        let reply = ConntrackTuple(captured).inverted
        if reply == entry.reply { return true }
        guard !conntrack.isTaken(reply, except: entryID) else { return false }
        conntrack.replaceReply(id: entryID, with: reply)
        guard var updated = conntrack.entries[entryID] else { return false }
        let original = entry.original
        updated.nat.remove([.sourceNAT, .destinationNAT])
        if reply.destination != original.source || reply.destinationPort != original.sourcePort { updated.nat.insert(.sourceNAT) }
        if reply.source != original.destination || reply.sourcePort != original.destinationPort { updated.nat.insert(.destinationNAT) }
        conntrack.update(updated)
        return true
    }
}
