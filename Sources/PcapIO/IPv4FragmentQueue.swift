/// One datagram being reassembled: the state of the kernel's `struct ipq` / `inet_frag_queue`.
struct IPv4FragmentQueue: Sendable {
    /// A stretch of contiguous fragments (`FRAG_CB(skb)->frag_run_len`). The kernel decides
    /// duplicate versus overlap against runs, not single fragments, so they are kept as it keeps them.
    struct Run: Sendable {
        var start: Int
        var end: Int
    }

    enum Insertion {
        case inserted
        /// Wholly inside one existing run: dropped, the queue kept (RFC 5722 errata 3089).
        case duplicate
        /// Crosses a run boundary: the whole datagram is dropped (RFC 5722).
        case overlap(Run)
    }

    /// When the expiry timer was armed (queue creation, or re-initialisation).
    var started: Double
    /// Every frame that went into the queue, duplicates included, in arrival order.
    var frames: [Int] = []
    /// Fragment payloads (after the IP header) with their byte offsets, in arrival order.
    var fragments: [(offset: Int, bytes: ArraySlice<UInt8>)] = []
    /// Sorted by start, disjoint; the last one is the kernel's `fragments_tail` run.
    var runs: [Run] = []
    /// The IP header, options included, of the offset-0 fragment (INET_FRAG_FIRST_IN).
    var firstHeader: ArraySlice<UInt8>?
    /// The last fragment (MF clear) has arrived (INET_FRAG_LAST_IN).
    var lastSeen = false
    /// `q.len`: the end of the datagram's payload as far as known.
    var length = 0
    /// `q.meat`: payload bytes held.
    var held = 0
    /// `1 << (tos & 3)` of every fragment, ORed (RFC 3168 5.3).
    var ecnSeen: UInt8 = 0
    /// Largest fragment (header plus payload), and largest one with DF set: DF is kept on the
    /// reassembled datagram only when the largest fragment had it.
    var largestFragment = 0
    var largestDontFragment = 0
    /// The source's fragment counter at this queue's last fragment (`qp->rid`, for ipfrag_max_dist).
    var peerSequence: UInt32 = 0

    init(started: Double) {
        self.started = started
    }

    /// `inet_frag_queue_insert`.
    mutating func insert(start: Int, end: Int) -> Insertion {
        guard let tail = runs.last else {
            runs.append(Run(start: start, end: end))
            return .inserted
        }
        if tail.end < end {
            if start < tail.end { return .overlap(tail) }
            if start == tail.end {
                runs[runs.count - 1].end = end
            } else {
                runs.append(Run(start: start, end: end))
            }
            return .inserted
        }
        // Not after the tail: the first run that ends after `start` is the only candidate.
        var low = 0
        var high = runs.count
        while low < high {
            let middle = (low + high) / 2
            if runs[middle].end <= start { low = middle + 1 } else { high = middle }
        }
        let candidate = runs[low]
        if end <= candidate.start {
            runs.insert(Run(start: start, end: end), at: low)
            return .inserted
        }
        if start >= candidate.start && end <= candidate.end { return .duplicate }
        return .overlap(candidate)
    }

    /// Puts the datagram back together (`ip_frag_reasm`); the caller checked it is complete.
    func reassemble() -> Result<[UInt8], ReassemblyFailure> {
        // ip_frag_ecn_table: Not-ECT mixed with any ECN codepoint is invalid; CE with ECT is CE.
        if ecnSeen & 1 != 0 && ecnSeen != 1 {
            return .failure(ReassemblyFailure(reason: "fragments mix Not-ECT with ECN-capable TOS codepoints"))
        }
        let ecnToSet: UInt8 = ecnSeen & 8 != 0 && ecnSeen & 6 != 0 ? 3 : 0
        guard let firstHeader else { preconditionFailure("complete datagram without its first fragment") }
        let totalLength = firstHeader.count + length
        guard totalLength <= 65535 else {
            return .failure(ReassemblyFailure(reason: "reassembled datagram would be \(totalLength) bytes, more than 65535"))
        }
        var packet = [UInt8]()
        packet.reserveCapacity(totalLength)
        packet.append(contentsOf: firstHeader)
        for fragment in fragments.sorted(by: { $0.offset < $1.offset }) {
            packet.append(contentsOf: fragment.bytes)
        }
        packet[1] |= ecnToSet
        packet[2] = UInt8(totalLength >> 8)
        packet[3] = UInt8(totalLength & 0xff)
        packet[6] = largestDontFragment == largestFragment ? 0x40 : 0
        packet[7] = 0
        packet[10] = 0
        packet[11] = 0
        let checksum = IPv4HeaderChecksum.compute(packet[0..<firstHeader.count])
        packet[10] = UInt8(checksum >> 8)
        packet[11] = UInt8(checksum & 0xff)
        return .success(packet)
    }

    struct ReassemblyFailure: Error {
        var reason: String
    }
}
