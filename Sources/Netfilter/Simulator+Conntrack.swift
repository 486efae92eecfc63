extension Simulator {
    /// What conntrack matches see: the state bits, the entry and the direction.
    /// Before conntrack has run (raw table) a packet has no entry and is INVALID.
    func conntrackView(_ flight: InFlight) -> (states: ConntrackStates, entry: ConntrackEntry?, direction: ConntrackDirection?) {
        guard let attachment = flight.ct, let entry = currentEntry(flight) else {
            return (flight.untracked ? .untracked : .invalid, nil, nil)
        }
        var states = attachment.state
        if entry.nat.contains(.sourceNAT) { states.insert(.snat) }
        if entry.nat.contains(.destinationNAT) { states.insert(.dnat) }
        return (states, entry, attachment.direction)
    }

    func currentEntry(_ flight: InFlight) -> ConntrackEntry? {
        guard let attachment = flight.ct else { return nil }
        if let pending = flight.pending, pending.id == attachment.id { return pending }
        return conntrack.entries[attachment.id]
    }

    /// Changes the packet's entry, wherever it lives (unconfirmed with the packet, or in the table).
    mutating func modifyEntry(_ id: Int, _ flight: inout InFlight, _ change: (inout ConntrackEntry) -> Void) {
        if var pending = flight.pending, pending.id == id {
            change(&pending)
            flight.pending = pending
        } else if var entry = conntrack.entries[id] {
            change(&entry)
            conntrack.update(entry)
        }
    }

    /// `nf_conntrack_in` at PREROUTING/OUTPUT (priority -200). False when conntrack drops
    /// the packet (a full table).
    mutating func conntrackIn(_ flight: inout InFlight) -> Bool {
        defer {
            if loaded.conntrackActive {
                let view = conntrackView(flight)
                flight.trace.conntrackState = view.states
                flight.trace.conntrackDirection = view.direction
            }
        }
        guard loaded.conntrackActive, flight.ct == nil, !flight.untracked else { return true }
        let packet = flight.packet
        let now = flight.now

        if packet.isICMPError {
            // Related through the quoted header: the inverse of the offending packet's tuple.
            guard let quoted = packet.quoted, let (entry, direction) = conntrack.find(ConntrackTuple(quoted).inverted) else { return true }
            flight.ct = ConntrackAttachment(id: entry.id, state: .related, direction: direction)
            return true
        }
        if packet.proto == IPProtocolNumber.tcp, !TCPStateTable.flagsAreValid(packet.tcpFlags) { return true }

        let tuple = ConntrackTuple(packet)
        if let (entry, direction) = conntrack.find(tuple) {
            track(entry, direction: direction, now: now, &flight)
        } else {
            guard makeRoom(for: tuple, &flight) else { return false }
            create(tuple, now: now, &flight)
        }
        return true
    }

    /// `__nf_conntrack_alloc` on a full table: `early_drop` looks for an unassured entry in
    /// the eight hash buckets from the new tuple's and frees it; if there is none the packet
    /// is dropped. The kernel's bucket hash is keyed by a random boot-time seed, so which
    /// entries share a bucket cannot be reproduced: pathsim uses its own hash over the
    /// same number of buckets (`nf_conntrack_buckets`), so the odds match, not the victim.
    mutating func makeRoom(for tuple: ConntrackTuple, _ flight: inout InFlight) -> Bool {
        guard conntrack.count >= sysctls.conntrackMax else { return true }
        if let victim = conntrack.earlyDropCandidate(near: tuple, buckets: sysctls.conntrackBuckets) {
            flight.trace.notes.append("conntrack table full (\(sysctls.conntrackMax) entries): early drop freed the unassured entry \(victim.conntrackLine(now: flight.now))")
            conntrack.remove(id: victim.id)
            return true
        }
        flight.trace.fate = .droppedInRouting(.conntrackTableFull)
        return false
    }

    /// A packet with no entry: the protocol decides whether it may start a connection.
    mutating func create(_ tuple: ConntrackTuple, now: Double, _ flight: inout InFlight) {
        let packet = flight.packet
        let timeouts = sysctls.timeouts
        var timeout: Double
        var tracking = TCPTracking()
        switch packet.proto {
        case IPProtocolNumber.tcp:
            guard let fresh = TCPTracker.newConnection(packet, tcpLoose: sysctls.tcpLoose) else { return }
            tracking = fresh
            timeout = 0
        case IPProtocolNumber.udp, IPProtocolNumber.udplite:
            timeout = timeouts.udp
        case IPProtocolNumber.icmp:
            guard ICMPType.replyType(forRequest: packet.icmpType) != nil else { return }
            timeout = timeouts.icmp
        case IPProtocolNumber.gre:
            timeout = timeouts.gre
        default:
            timeout = timeouts.generic
        }
        var entry = ConntrackEntry(id: conntrack.allocateID(), original: tuple, reply: tuple.inverted, status: [], nat: [], tcpState: .none, mark: 0, created: now, expires: now + timeout)
        entry.tcp = tracking
        if packet.proto == IPProtocolNumber.tcp {
            // The new entry goes through the tracker like any packet (state NONE).
            switch TCPTracker.packet(packet, direction: .original, entry: &entry, sysctls: sysctls) {
            case .accept(let refresh, _):
                entry.expires = now + (refresh ?? 0)
            case .ignore:
                break
            case .invalid, .reopen:
                return
            }
        }
        flight.pending = entry
        flight.ct = ConntrackAttachment(id: entry.id, state: .new, direction: .original)
    }

    /// A packet of a known connection: the protocol tracker updates the entry (even if
    /// the packet is dropped later) or declares the packet INVALID.
    mutating func track(_ found: ConntrackEntry, direction: ConntrackDirection, now: Double, _ flight: inout InFlight) {
        var entry = found
        let packet = flight.packet
        let seenReplyBefore = entry.status.contains(.seenReply)
        var kill = false
        let timeouts = sysctls.timeouts
        switch packet.proto {
        case IPProtocolNumber.tcp:
            switch TCPTracker.packet(packet, direction: direction, entry: &entry, sysctls: sysctls) {
            case .invalid:
                // The tracker may have noted the packet (resync data) before refusing it.
                conntrack.update(entry)
                return
            case .reopen:
                conntrack.remove(id: entry.id)
                create(ConntrackTuple(packet), now: now, &flight)
                return
            case .ignore:
                break
            case .accept(let refresh, let killEntry):
                if let refresh { entry.expires = now + refresh }
                kill = killEntry
            }
        case IPProtocolNumber.udp, IPProtocolNumber.udplite:
            if seenReplyBefore {
                let stream = now > entry.created + 2
                entry.expires = now + (stream ? timeouts.udpStream : timeouts.udp)
                if stream { entry.status.insert(.assured) }
            } else {
                entry.expires = now + timeouts.udp
            }
        case IPProtocolNumber.icmp:
            entry.expires = now + timeouts.icmp
        case IPProtocolNumber.gre:
            entry.expires = now + (seenReplyBefore ? timeouts.greStream : timeouts.gre)
        default:
            entry.expires = now + timeouts.generic
        }
        if direction == .reply { entry.status.insert(.seenReply) }
        conntrack.update(entry)
        let state: ConntrackStates = direction == .reply || seenReplyBefore ? .established : .new
        flight.ct = ConntrackAttachment(id: entry.id, state: state, direction: direction)
        if kill {
            // The packet keeps its state for this pass; the entry is gone for the next one.
            flight.pending = entry
            conntrack.remove(id: entry.id)
        }
    }

    /// Fills the sequence and acknowledgement numbers a spec left out from the connection,
    /// as the two TCP stacks would have them (NAT does not change sequence numbers, so this
    /// also works when the packet is written to a Service address and the reply from the backend).
    func continueConnection(_ input: inout PacketInput) {
        guard input.packet.proto == IPProtocolNumber.tcp, !input.sequenceGiven || !input.acknowledgementGiven,
              let (entry, direction) = conntrack.find(ConntrackTuple(input.packet)) else { return }
        let mine = entry.tcp.seen[direction == .original ? 0 : 1].end
        let peer = entry.tcp.seen[direction == .original ? 1 : 0].end
        // A SYN or SYN-ACK keeps the ISN it was given; later segments continue from it.
        if !input.sequenceGiven, !input.packet.tcpFlags.contains(.syn), entry.tcp.seen[direction == .original ? 0 : 1].maxWindow != 0 {
            input.packet.sequence = mine
        }
        if !input.acknowledgementGiven, input.packet.tcpFlags.contains(.ack), entry.tcp.seen[direction == .original ? 1 : 0].maxWindow != 0 {
            input.packet.acknowledgement = peer
        }
    }

    /// Inserts a new connection's entry at the end of POSTROUTING or INPUT. Only the
    /// packet that created it confirms it (a REJECT's reply travels the other way).
    /// A new entry whose tuples clash with an existing one (for example a mid-stream pickup
    /// whose reply tuple is another entry's original) is not inserted and the packet is
    /// dropped after all its chains (`__nf_conntrack_confirm`), except that UDP, which
    /// allows clashes, keeps a reply-tuple clash as an original-only entry
    /// (`nf_ct_resolve_clash_harder`).
    mutating func confirm(_ flight: inout InFlight) -> Bool {
        guard var entry = flight.pending, let attachment = flight.ct, attachment.id == entry.id,
              attachment.direction == .original, conntrack.entries[entry.id] == nil, !entry.status.contains(.confirmed) else { return true }
        let originalClash = conntrack.isTaken(entry.original, except: entry.id)
        let replyClash = conntrack.isTaken(entry.reply, except: entry.id)
        let allowsClash = entry.proto == IPProtocolNumber.udp || entry.proto == IPProtocolNumber.udplite
        if replyClash, !originalClash, allowsClash {
            entry.status.insert(.confirmed)
            conntrack.insert(entry, indexReply: false)
            flight.pending = nil
            return true
        }
        if originalClash || replyClash {
            flight.pending = nil
            flight.ct = nil
            flight.trace.fate = .droppedInRouting(.conntrackClash)
            return false
        }
        entry.status.insert(.confirmed)
        conntrack.insert(entry)
        flight.pending = nil
        return true
    }

    /// `--ct-state`: the user says the connection exists, so pathsim makes an entry for it.
    mutating func declare(_ state: DeclaredConntrackState, for flight: inout InFlight) {
        guard loaded.conntrackActive else { return }
        let tuple = ConntrackTuple(flight.packet)
        guard conntrack.find(tuple) == nil else { return }
        let packet = flight.packet
        var entry = ConntrackEntry(id: conntrack.allocateID(), original: tuple, reply: tuple.inverted, status: [.seenReply, .assured, .confirmed], nat: [.sourceDone, .destinationDone], tcpState: packet.proto == IPProtocolNumber.tcp ? .established : .none, mark: 0, created: flight.now, expires: flight.now + sysctls.timeouts.tcp(.established))
        if packet.proto == IPProtocolNumber.tcp {
            entry.trackWindowsLiberally()
        }
        if state == .related {
            entry.status.insert(.expected)
            flight.trace.notes.append("declared RELATED: pathsim attached the packet to a synthetic expected connection")
            flight.pending = entry
            flight.ct = ConntrackAttachment(id: entry.id, state: .related, direction: .original)
            return
        }
        conntrack.insert(entry)
        flight.trace.notes.append("declared ESTABLISHED: pathsim added a conntrack entry for \(tuple)")
    }
}
