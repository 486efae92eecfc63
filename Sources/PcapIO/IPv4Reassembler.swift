/// The kernel reassembles IPv4 fragments (nf_defrag_ipv4, before raw PREROUTING) so netfilter sees whole datagrams.
///
/// Follows `net/ipv4/ip_fragment.c` (Linux 5.x/6.x): queues keyed by source, destination,
/// protocol and IP id; an expiry timer armed when a queue is created and not extended by later
/// fragments; RFC 5722 overlap handling (a fragment crossing what is held drops the whole
/// datagram, one wholly inside what is held is a duplicate and ignored); inconsistent ends,
/// empty fragments, datagrams over 65535 bytes and invalid ECN mixes drop the datagram; and
/// `net.ipv4.ipfrag_max_dist`, which restarts a queue when too many other fragments from the same
/// source arrived since its last one. The memory limits (`ipfrag_high_thresh`) are not modelled.
///
/// Packets are expected as the link layer delivered them: fragments with a bad IP header (which
/// `ip_rcv` would have dropped before defragmentation) fail on their own without touching any queue.
public struct IPv4Reassembler: Sendable {
    public enum Result: Sendable, Equatable {
        /// Not a fragment: the packet as given (trimmed to IP total length).
        case whole([UInt8])
        /// The last fragment completed a datagram: a valid IPv4 packet (header of the first
        /// fragment, MF/offset cleared, total length and header checksum recomputed); frames are the
        /// frame numbers of all fragments in arrival order, duplicates included.
        case reassembled([UInt8], frames: [Int])
        /// Held until the rest arrives (also for a duplicate fragment, which the kernel drops).
        case pending
        /// Overlapping/inconsistent fragments, datagram > 65535, fragment with bad offsets: says
        /// which. `frames` are every frame the failure discarded, this one last.
        case failed(String, frames: [Int])
    }

    /// Seconds an incomplete datagram is held (`net.ipv4.ipfrag_time`).
    public let timeout: Double
    /// `net.ipv4.ipfrag_max_dist`; 0 turns the check off.
    public let maxDistance: Int

    private var queues: [IPv4FragmentKey: IPv4FragmentQueue] = [:]
    /// Per source address, fragments seen (the inet_peer's `rid`); only kept when maxDistance > 0.
    private var peerSequences: [UInt32: UInt32] = [:]
    /// Datagrams dropped outside `expire` (timed out before a late fragment, or restarted by
    /// ipfrag_max_dist), reported by the next `expire` call.
    private var dropped: [(frames: [Int], reason: String)] = []
    /// No queue expires before this; lets `expire` return at once on the common path.
    private var nextDeadline = Double.infinity

    public init(timeout: Double = 30, maxDistance: Int = 64) {  // net.ipv4.ipfrag_time, ipfrag_max_dist defaults
        self.timeout = timeout
        self.maxDistance = maxDistance
    }

    /// Datagrams waiting for fragments.
    public var pendingDatagrams: Int { queues.count }

    /// Whether `packet` (an IPv4 packet from its first header byte) is a fragment, so callers can
    /// skip `add` and its copy for the common case.
    public static func isFragment(_ packet: ArraySlice<UInt8>) -> Bool {
        let base = packet.startIndex
        guard packet.count >= 20, packet[base] >> 4 == 4 else { return false }
        return (UInt16(packet[base + 6]) << 8 | UInt16(packet[base + 7])) & 0x3fff != 0
    }

    /// Feeds one IPv4 packet (from its first header byte; link-layer padding after the total
    /// length is ignored).
    public mutating func add(_ packet: ArraySlice<UInt8>, frame: Int, timestamp: Double) -> Result {
        let base = packet.startIndex
        guard packet.count >= 20, packet[base] >> 4 == 4 else { return .whole(Array(packet)) }
        let headerLength = Int(packet[base] & 0x0f) * 4
        let totalLength = Int(packet[base + 2]) << 8 | Int(packet[base + 3])
        let fragmentField = UInt16(packet[base + 6]) << 8 | UInt16(packet[base + 7])
        guard Self.isFragment(packet) else {
            let whole = packet.count >= totalLength && totalLength >= headerLength ? packet.prefix(totalLength) : packet
            return .whole(Array(whole))
        }
        let key = IPv4FragmentKey(
            source: Self.address(packet, at: base + 12),
            destination: Self.address(packet, at: base + 16),
            identification: UInt16(packet[base + 4]) << 8 | UInt16(packet[base + 5]),
            protocolNumber: packet[base + 9])
        if let problem = Self.headerProblem(packet, headerLength: headerLength, totalLength: totalLength) {
            return .failed("fragment of \(key.datagramText) \(problem)", frames: [frame])
        }

        var queue = takeLiveQueue(key, at: timestamp)
        if maxDistance > 0 { checkDistance(&queue, key: key, at: timestamp) }

        // ip_frag_queue
        let start = Int(fragmentField & 0x1fff) * 8
        var end = start + totalLength - headerLength
        if fragmentField & 0x2000 == 0 {
            if end < queue.length || (queue.lastSeen && end != queue.length) {
                return discard(queue, key, frame: frame, because: "last fragment ends at byte \(end) but the datagram already reaches byte \(queue.length)")
            }
            queue.lastSeen = true
            queue.length = end
        } else {
            end &= ~7  // RFC 791: all but the last fragment carry multiples of 8 bytes
            if end > queue.length {
                if queue.lastSeen {
                    return discard(queue, key, frame: frame, because: "fragment reaches byte \(end), beyond the end \(queue.length) its last fragment gave")
                }
                queue.length = end
            }
        }
        if end == start {
            return discard(queue, key, frame: frame, because: "fragment at offset \(start) carries no data")
        }
        switch queue.insert(start: start, end: end) {
        case .overlap(let held):
            return discard(queue, key, frame: frame,
                because: "fragment bytes \(start)-\(end) overlap the held bytes \(held.start)-\(held.end)")
        case .duplicate:
            queue.frames.append(frame)
            queues[key] = queue
            return .pending
        case .inserted:
            break
        }
        let payloadStart = base + headerLength
        queue.fragments.append((start, packet[payloadStart..<(payloadStart + end - start)]))
        queue.frames.append(frame)
        queue.held += end - start
        queue.ecnSeen |= 1 << (packet[base + 1] & 3)
        if start == 0 { queue.firstHeader = packet[base..<payloadStart] }
        let fragmentSize = end - start + headerLength
        queue.largestFragment = max(queue.largestFragment, fragmentSize)
        if fragmentField & 0x4000 != 0 { queue.largestDontFragment = max(queue.largestDontFragment, fragmentSize) }

        guard queue.firstHeader != nil, queue.lastSeen, queue.held == queue.length else {
            queues[key] = queue
            return .pending
        }
        switch queue.reassemble() {
        case .success(let datagram):
            return .reassembled(datagram, frames: queue.frames)
        case .failure(let failure):
            return .failed("fragments of \(key.datagramText): \(failure.reason)", frames: queue.frames)
        }
    }

    /// Drops the datagrams whose timer ran out by `now` (incomplete `timeout` seconds after their
    /// first fragment), as `ip_expire` does, and returns them with every other datagram dropped
    /// since the last call, in the order of their first frame.
    public mutating func expire(now: Double) -> [(frames: [Int], reason: String)] {
        var reports = dropped
        dropped = []
        if now >= nextDeadline {
            nextDeadline = .infinity
            for (key, queue) in queues {
                if queue.started + timeout <= now {
                    reports.append((queue.frames, incompleteReason(key)))
                    queues[key] = nil
                } else {
                    nextDeadline = min(nextDeadline, queue.started + timeout)
                }
            }
        }
        return reports.sorted { ($0.frames.first ?? 0) < ($1.frames.first ?? 0) }
    }

    /// The queue for `key`, new when there is none or when its timer fired before `timestamp`.
    private mutating func takeLiveQueue(_ key: IPv4FragmentKey, at timestamp: Double) -> IPv4FragmentQueue {
        if let queue = queues.removeValue(forKey: key) {
            if queue.started + timeout > timestamp { return queue }
            dropped.append((queue.frames, incompleteReason(key)))
        }
        nextDeadline = min(nextDeadline, timestamp + timeout)
        return IPv4FragmentQueue(started: timestamp)
    }

    /// `ip_frag_too_far` / `ip_frag_reinit`: more than maxDistance fragments from the same
    /// source since this queue's last one restart it (its fragments are dropped, the timer re-armed).
    private mutating func checkDistance(_ queue: inout IPv4FragmentQueue, key: IPv4FragmentKey, at timestamp: Double) {
        let sequence = (peerSequences[key.source] ?? 0) &+ 1
        peerSequences[key.source] = sequence
        let previous = queue.peerSequence
        queue.peerSequence = sequence
        guard !queue.runs.isEmpty, sequence &- previous > UInt32(maxDistance) else { return }
        dropped.append((queue.frames,
            "fragments of \(key.datagramText) dropped: more than \(maxDistance) other fragments from \(IPv4FragmentKey.dotted(key.source)) arrived in between (net.ipv4.ipfrag_max_dist)"))
        var restarted = IPv4FragmentQueue(started: timestamp)
        restarted.peerSequence = sequence
        // ip_frag_reinit leaves the size maxima alone.
        restarted.largestFragment = queue.largestFragment
        restarted.largestDontFragment = queue.largestDontFragment
        queue = restarted
        nextDeadline = min(nextDeadline, timestamp + timeout)
    }

    private func discard(_ queue: IPv4FragmentQueue, _ key: IPv4FragmentKey, frame: Int, because reason: String) -> Result {
        .failed("fragments of \(key.datagramText) dropped: \(reason)", frames: queue.frames + [frame])
    }

    private func incompleteReason(_ key: IPv4FragmentKey) -> String {
        let seconds = timeout == timeout.rounded() && abs(timeout) < 1e15 ? String(Int(timeout)) : String(timeout)
        return "fragments of \(key.datagramText) incomplete after \(seconds) s"
    }

    /// What `ip_rcv_core` would drop the fragment for, before it reaches defragmentation.
    private static func headerProblem(_ packet: ArraySlice<UInt8>, headerLength: Int, totalLength: Int) -> String? {
        if headerLength < 20 { return "has header length \(headerLength), below 20" }
        if totalLength < headerLength { return "has total length \(totalLength), shorter than its header (\(headerLength))" }
        if packet.count < totalLength {
            return "holds \(packet.count) of its \(totalLength) bytes in the capture (snaplen), so it cannot be reassembled"
        }
        let header = packet[packet.startIndex..<(packet.startIndex + headerLength)]
        if IPv4HeaderChecksum.compute(header) != 0 { return "has a bad header checksum (ip_rcv drops it)" }
        return nil
    }

    private static func address(_ packet: ArraySlice<UInt8>, at index: Int) -> UInt32 {
        UInt32(packet[index]) << 24 | UInt32(packet[index + 1]) << 16 | UInt32(packet[index + 2]) << 8 | UInt32(packet[index + 3])
    }
}
