/// `xt_recent`'s named address lists of one network namespace (`struct recent_net`), ported
/// from net/netfilter/xt_recent.c (`recent_mt`, `recent_mt_check`, `recent_entry_*`) with the
/// module's default parameters, which the kernel tests' kernel (6.18) shows in
/// /sys/module/xt_recent/parameters: `ip_list_tot` 100, `ip_pkt_list_tot` 0.
///
/// Each list is created when the first rule naming it is loaded and shared by every rule
/// with that name. What pathsim cannot reproduce:
/// - lists start empty: a node's current entries (/proc/net/xt_recent/NAME) are not read, and
///   the kernel keeps a list's entries across a reload while a rule still names it;
/// - time is continuous seconds, the kernel's is jiffies (1/HZ); and the kernel computes
///   `seconds * HZ` in 32 bits, which wraps beyond 2^32/HZ seconds (about 49 days at HZ=1000);
/// - module parameters other than the defaults.
struct RecentLists: Sendable {
    /// `ip_list_tot`: entries per list; a new address beyond it evicts the least recently
    /// refreshed one.
    static let maxEntries = 100

    /// `struct recent_entry`: the timestamps are a ring of `stampMask + 1` slots written at
    /// `index`, of which the first `count` have been used.
    struct Entry: Sendable {
        var ttl: UInt8
        var stamps: [Double]
        var index: Int
        var count: Int
        /// The latest timestamp (`stamps[index - 1]`), what `--reap` looks at.
        var last: Double { stamps[index - 1] }
    }

    /// `struct recent_table`.
    struct List: Sendable {
        /// From the rule that created the list: later rules' `--mask` is ignored.
        var mask: UInt32
        /// `nstamps_max_mask`: the largest any rule naming the list asked for.
        var stampMask: Int
        var entries: [UInt32: Entry] = [:]
        /// Addresses, least recently refreshed first (the kernel's `lru_list`).
        var lru: [UInt32] = []

        mutating func remove(_ address: UInt32) {
            entries[address] = nil
            lru.removeAll { $0 == address }
        }

        /// `recent_entry_init`: one timestamp, at the LRU tail; a full list loses its head first.
        mutating func insert(_ address: UInt32, ttl: UInt8, now: Double) {
            if entries.count >= RecentLists.maxEntries, let oldest = lru.first { remove(oldest) }
            var stamps = [Double](repeating: 0, count: stampMask + 1)
            stamps[0] = now
            entries[address] = Entry(ttl: ttl, stamps: stamps, index: 1, count: 1)
            lru.append(address)
        }

        /// `recent_entry_update`: the next ring slot, and to the LRU tail.
        mutating func refresh(_ address: UInt32, now: Double) {
            guard var entry = entries[address] else { return }
            entry.index &= stampMask
            entry.stamps[entry.index] = now
            entry.index += 1
            entry.count = max(entry.count, entry.index)
            entries[address] = entry
            lru.removeAll { $0 == address }
            lru.append(address)
        }

        /// `recent_entry_reap`: only the LRU head is looked at, and dropped when its latest
        /// timestamp is older than `time`, unless it is the entry about to be refreshed.
        mutating func reap(before time: Double, working: UInt32, refreshing: Bool) {
            guard let oldest = lru.first, let entry = entries[oldest] else { return }
            if oldest == working && refreshing { return }
            if time > entry.last { remove(oldest) }
        }
    }

    var lists: [String: List] = [:]
    var configured = false

    /// `recent_mt_check` for every rule, in the order the kernel checks them: iptables-nft-
    /// restore adds rules in file order, table after table (legacy iptables checks a table's
    /// rules in blob order, which can differ; it only matters when rules naming one list
    /// disagree on `--mask`). Both back ends use the one xt_recent of the namespace, so a
    /// node with both shares its lists between them; which was loaded first is not known,
    /// and the nf_tables rules are taken first.
    mutating func configure(from rulesets: [Ruleset]) {
        configured = true
        for table in rulesets.flatMap(\.tables) {
            let rules = table.chains.flatMap(\.rules).enumerated().sorted {
                ($0.element.location?.line ?? 0, $0.offset) < ($1.element.location?.line ?? 0, $1.offset)
            }
            for (_, rule) in rules {
                for case .recent(let match) in rule.matches {
                    let stampMask = Self.stampMask(hitCount: match.hitCount)
                    if var list = lists[match.name] {
                        list.stampMask = max(list.stampMask, stampMask)
                        lists[match.name] = list
                    } else {
                        lists[match.name] = List(mask: match.mask.value, stampMask: stampMask)
                    }
                }
            }
        }
    }

    /// The ring size `recent_mt_check` asks for with `ip_pkt_list_tot` 0: 32 timestamps, or the
    /// hit count rounded up to a power of two.
    static func stampMask(hitCount: UInt32) -> Int {
        guard hitCount > 0 else { return 31 }
        var size = 1
        while size < Int(hitCount) { size <<= 1 }
        return size - 1
    }

    /// `recent_mt`. `ttl` is the TTL the kernel uses (see `Simulator.recentTTL`), `now` the
    /// packet's time in seconds.
    mutating func evaluate(_ match: RecentMatch, address: IPv4Address, ttl: UInt8, now: Double) -> Bool {
        var result = match.negated
        guard var list = lists[match.name] else { return result }
        defer { lists[match.name] = list }
        let key = address.value & list.mask
        // recent_entry_lookup: a TTL of 0 (no --rttl) or an entry recorded with TTL 0 matches any.
        let lookupTTL: UInt8 = match.checkTTL ? ttl : 0
        guard let entry = list.entries[key], lookupTTL == 0 || entry.ttl == 0 || entry.ttl == lookupTTL else {
            // Only --set creates an entry; it then matches without a refresh (one timestamp).
            guard match.command == .set else { return result }
            list.insert(key, ttl: ttl, now: now)
            return !result
        }
        switch match.command {
        case .set:
            result.toggle()
        case .remove:
            list.remove(key)
            result.toggle()
        case .check, .update:
            // Timestamps older than `time` are out of the window (`time_after(time, stamp)`);
            // the ring is walked in slot order, not by age.
            let time = now - Double(match.seconds)
            var hits: UInt32 = 0
            for stamp in entry.stamps.prefix(entry.count) {
                if match.seconds != 0 && time > stamp { continue }
                hits += 1
                if match.hitCount == 0 || hits >= match.hitCount {
                    result.toggle()
                    break
                }
            }
            // The kernel decides "will be refreshed" from the result after `!` is applied.
            if match.reap { list.reap(before: time, working: key, refreshing: match.command == .update && result) }
        }
        if match.command == .set || (match.command == .update && result) {
            list.refresh(key, now: now)
            list.entries[key]?.ttl = ttl
        }
        return result
    }

    /// Entries of one list, least recently refreshed first.
    func entries(of name: String) -> [RecentEntry] {
        guard let list = lists[name] else { return [] }
        return list.lru.compactMap { address in
            guard let entry = list.entries[address] else { return nil }
            let used = entry.stamps.prefix(entry.count)
            return RecentEntry(address: IPv4Address(address), ttl: entry.ttl, lastSeen: entry.last, timestamps: Array(used))
        }
    }
}

/// One address of an `xt_recent` list, as /proc/net/xt_recent/NAME shows it (times in the
/// packets' seconds rather than jiffies).
public struct RecentEntry: Hashable, Sendable {
    /// Already masked with the list's `--mask`.
    public var address: IPv4Address
    public var ttl: UInt8
    public var lastSeen: Double
    /// In ring order, as the kernel prints them.
    public var timestamps: [Double]
}

extension Simulator {
    /// The entries of the `-m recent` list `name`, least recently refreshed first; empty for
    /// a list no rule names.
    public func recentEntries(of name: String) -> [RecentEntry] {
        var lists = recentLists
        if !lists.configured { lists.configure(from: recentRulesets) }
        return lists.entries(of: name)
    }

    /// Every ruleset whose rules can name a list: the nf_tables one, then the legacy one.
    var recentRulesets: [Ruleset] { [ruleset] + (legacyRuleset.map { [$0] } ?? []) }

    /// The TTL `recent_mt` records and compares: the packet's, plus one where the hook has an
    /// output device and the packet has no socket of this namespace ("TTL as seen before
    /// forwarding"): forwarded packets, whose TTL `ip_forward` already decremented. Packets
    /// the node sends carry a socket. A TCP reset sent by REJECT (`nf_send_reset`) has none,
    /// so the kernel adds one to its TTL in OUTPUT and POSTROUTING; pathsim does not.
    func recentTTL(_ flight: InFlight, hook: Hook) -> UInt8 {
        if hook.hasOutputInterface, flight.trace.input.ingress != .local { return flight.packet.ttl &+ 1 }
        return flight.packet.ttl
    }
}
