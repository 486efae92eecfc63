/// Which NAT decisions an entry has had, and which changed a tuple (`IPS_SRC_NAT`, `IPS_DST_NAT`).
public struct NATStatus: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// The source-manip decision (nat POSTROUTING / INPUT) was made, possibly a null binding.
    public static let sourceDone = NATStatus(rawValue: 1)
    public static let destinationDone = NATStatus(rawValue: 2)
    /// The decision changed the tuple.
    public static let sourceNAT = NATStatus(rawValue: 4)
    public static let destinationNAT = NATStatus(rawValue: 8)
    /// The kernel chose this entry's NAT port at random (`--random`, `--random-fully`, or a
    /// source moved off a taken or out-of-range port): pathsim's port is a stand-in.
    public static let randomPort = NATStatus(rawValue: 16)
}

/// One connection: the ORIGINAL tuple as the first packet saw it and the REPLY tuple a
/// reply must carry (after NAT).
public struct ConntrackEntry: Hashable, Sendable {
    public static func == (lhs: ConntrackEntry, rhs: ConntrackEntry) -> Bool {
        lhs.id == rhs.id && lhs.original == rhs.original && lhs.reply == rhs.reply && lhs.status == rhs.status && lhs.nat == rhs.nat
            && lhs.tcpState == rhs.tcpState && lhs.mark == rhs.mark && lhs.expires == rhs.expires
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    public var id: Int
    public var original: ConntrackTuple
    public var reply: ConntrackTuple
    public var status: ConntrackStatus
    public var nat: NATStatus
    public var tcpState: TCPConntrackState
    public var mark: UInt32
    public var created: Double
    public var expires: Double
    /// TCP window tracking, as the kernel keeps it per connection.
    public var tcp = TCPTracking()

    public init(id: Int, original: ConntrackTuple, reply: ConntrackTuple, status: ConntrackStatus, nat: NATStatus, tcpState: TCPConntrackState,
                mark: UInt32, created: Double, expires: Double) {
        self.id = id
        self.original = original
        self.reply = reply
        self.status = status
        self.nat = nat
        self.tcpState = tcpState
        self.mark = mark
        self.created = created
        self.expires = expires
    }

    /// For a connection whose windows pathsim never saw (declared, or loaded from
    /// `conntrack -L`): as the kernel tracks one picked up mid-stream.
    public mutating func trackWindowsLiberally() {
        tcp.seen[0].flags = [.beLiberal]
        tcp.seen[1].flags = [.beLiberal]
    }

    public var proto: UInt8 { original.proto }

    public func tuple(_ direction: ConntrackDirection) -> ConntrackTuple {
        direction == .original ? original : reply
    }

    /// The line `conntrack -L` prints, with seconds left at `now`.
    public func conntrackLine(now: Double) -> String {
        let name = IPProtocolNumber.names[proto].map { $0 == "ip" ? "unknown" : $0 } ?? "unknown"
        var text = name.padding(to: 8) + " \(proto) \(max(0, Int((expires - now).rounded(.down))))"
        if proto == IPProtocolNumber.tcp { text += " \(tcpState.name)" }
        text += " \(original)"
        if !status.contains(.seenReply) { text += " [UNREPLIED]" }
        text += " \(reply)"
        if status.contains(.assured) { text += " [ASSURED]" }
        text += " mark=\(mark) use=1"
        return text
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

/// The conntrack table: confirmed entries by id, and both tuples of each indexed.
public struct ConntrackTable: Sendable {
    public private(set) var entries: [Int: ConntrackEntry] = [:]
    private var byTuple: [ConntrackTuple: (id: Int, direction: ConntrackDirection)] = [:]
    /// Entries by their original source (`nf_nat_bysource`), for SNAT's "same mapping for
    /// the same source" rule.
    private var bySource: [SourceKey: [Int]] = [:]
    private var expiries = ExpiryQueue()
    private var nextID = 1

    public init() {}

    public var count: Int { entries.count }

    mutating func allocateID() -> Int {
        defer { nextID += 1 }
        return nextID
    }

    public func find(_ tuple: ConntrackTuple) -> (entry: ConntrackEntry, direction: ConntrackDirection)? {
        guard let hit = byTuple[tuple], let entry = entries[hit.id] else { return nil }
        return (entry, hit.direction)
    }

    /// Entries whose original direction came from the tuple's source address, port and
    /// protocol, the most recent first (the kernel walks its bysource chain from the head).
    func entries(fromSourceOf tuple: ConntrackTuple) -> [ConntrackEntry] {
        (bySource[SourceKey(tuple)] ?? []).reversed().compactMap { entries[$0] }
    }

    /// `early_drop`: the first unassured entry in the eight hash buckets starting at the
    /// tuple's (`NF_CT_EVICTION_RANGE`), by pathsim's own bucket hash.
    func earlyDropCandidate(near tuple: ConntrackTuple, buckets: Int) -> ConntrackEntry? {
        let count = UInt32(max(1, buckets))
        let start = Self.bucket(tuple, count: count)
        var best: (distance: UInt32, entry: ConntrackEntry)?
        for entry in entries.values where !entry.status.contains(.assured) {
            let distance = (Self.bucket(entry.original, count: count) &+ count &- start) % count
            guard distance < 8 else { continue }
            if best == nil || distance < best!.distance || (distance == best!.distance && entry.id < best!.entry.id) {
                best = (distance, entry)
            }
        }
        return best?.entry
    }

    static func bucket(_ tuple: ConntrackTuple, count: UInt32) -> UInt32 {
        let hash = JenkinsHash.words([tuple.source.value, tuple.destination.value,
                                      UInt32(tuple.sourcePort) << 16 | UInt32(tuple.destinationPort), UInt32(tuple.proto)], initial: 0)
        return UInt32((UInt64(hash) * UInt64(count)) >> 32)
    }

    /// Whether a tuple is taken by some entry in either direction (NAT clash checks).
    public func isTaken(_ tuple: ConntrackTuple, except id: Int? = nil) -> Bool {
        guard let hit = byTuple[tuple] else { return false }
        return hit.id != id
    }

    /// `indexReply: false` is the kernel's clash resolution for UDP: the entry is kept for
    /// its original direction only, since another connection owns its reply tuple.
    mutating func insert(_ entry: ConntrackEntry, indexReply: Bool = true) {
        entries[entry.id] = entry
        byTuple[entry.original] = (entry.id, .original)
        bySource[SourceKey(entry.original), default: []].append(entry.id)
        if indexReply { byTuple[entry.reply] = (entry.id, .reply) }
        expiries.push(entry.expires, entry.id)
    }

    /// Gives an entry another reply tuple, keeping the index in step.
    mutating func replaceReply(id: Int, with reply: ConntrackTuple) {
        guard var entry = entries[id] else { return }
        if byTuple[entry.reply]?.id == id { byTuple[entry.reply] = nil }
        entry.reply = reply
        entries[id] = entry
        byTuple[reply] = (id, .reply)
    }

    mutating func update(_ entry: ConntrackEntry) {
        guard let old = entries[entry.id] else { return }
        entries[entry.id] = entry
        // A later expiry is found when the old record comes up; an earlier one needs its own.
        if entry.expires < old.expires { expiries.push(entry.expires, entry.id) }
    }

    mutating func remove(id: Int) {
        guard let entry = entries.removeValue(forKey: id) else { return }
        let key = SourceKey(entry.original)
        bySource[key]?.removeAll { $0 == id }
        if bySource[key]?.isEmpty == true { bySource[key] = nil }
        if byTuple[entry.original]?.id == id { byTuple[entry.original] = nil }
        if byTuple[entry.reply]?.id == id { byTuple[entry.reply] = nil }
    }

    mutating func expire(now: Double) {
        while let earliest = expiries.earliest, earliest <= now, let record = expiries.pop() {
            guard let entry = entries[record.id] else { continue }
            if entry.expires <= now {
                remove(id: record.id)
            } else if entry.expires > record.time {
                expiries.push(entry.expires, record.id)
            }
        }
    }

    /// Entries in a stable order (by id); the kernel prints hash order, which no one can rely on.
    public var sortedEntries: [ConntrackEntry] { entries.values.sorted { $0.id < $1.id } }
}

struct SourceKey: Hashable, Sendable {
    var address: IPv4Address
    var port: UInt16
    var proto: UInt8
    init(_ tuple: ConntrackTuple) {
        address = tuple.source
        port = tuple.sourcePort
        proto = tuple.proto
    }
}
