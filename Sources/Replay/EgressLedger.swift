import Netfilter

/// The packets pathsim let out of the node (and the ones it dropped), waiting for the
/// capture's outgoing copy. A `tcpdump -i any` capture records a forwarded packet twice:
/// as it arrived and as it left (after NAT); the second must not be replayed again, and
/// its absence or presence checks the model.
struct EgressLedger {
    /// What stays the same between a packet's incoming and outgoing copies: NAT may rewrite
    /// addresses, ports and the ICMP id; forwarding lowers the TTL.
    struct Key: Hashable {
        var proto: UInt8
        var ipID: UInt16
        var totalLength: UInt16
        var detail: UInt64

        /// `anyID`: for packets the kernel builds itself (REJECT's ICMP errors and resets),
        /// whose IP id it picks at random and pathsim cannot know.
        init(_ packet: Packet, anyID: Bool = false) {
            proto = packet.proto
            ipID = anyID ? 0 : packet.ipID
            totalLength = packet.totalLength
            switch packet.proto {
            case IPProtocolNumber.tcp:
                detail = UInt64(packet.sequence) << 32 | UInt64(packet.acknowledgement) ^ UInt64(packet.tcpFlags.rawValue) << 24
            case IPProtocolNumber.icmp:
                detail = UInt64(packet.icmpType) << 24 | UInt64(packet.icmpCode) << 16 | UInt64(packet.icmpSequence)
            default:
                detail = UInt64(packet.fragmentOffset)
            }
        }
    }

    struct Expected {
        var serial = 0
        var originalFrame: Int
        var generated = false
        /// The interface it leaves on (`lo` also for the incoming copy of a looped-back packet).
        var interface: String
        var outgoing: Bool
        var packet: Packet
        var deadline: Double
        /// The connection this packet opened, when NAT chose its translation just now: the
        /// capture may show the kernel's choice instead.
        var openedEntry: Int?
    }

    struct Dropped {
        var serial = 0
        var originalFrame: Int
        var trace: PacketTrace
        var deadline: Double
    }

    /// How long a copy may lag its original in the capture: packet sockets see both within
    /// microseconds, so a second is generous.
    static let window = 1.0

    private var expected: [Key: [Expected]] = [:]
    private var dropped: [Key: [Dropped]] = [:]
    /// Every record in the order it was made, which is deadline order (capture time only
    /// grows), so expiry looks only at what is due.
    private var deadlines: [(deadline: Double, key: Key, serial: Int, isDropped: Bool)] = []
    private var head = 0
    private var nextSerial = 0

    var isEmpty: Bool { expected.isEmpty && dropped.isEmpty }

    /// Records what the capture should show for a replayed packet: its copy leaving, or
    /// (for a looped-back one) leaving and coming back in on `lo`; REJECT's answers too.
    mutating func expect(_ trace: PacketTrace, frame: Int, at time: Double, isOutgoingCopyAlreadySeen: Bool, generated: Bool = false) {
        let deadline = time + Self.window
        if trace.fate.isAccepted {
            if trace.loopedBack {
                if !isOutgoingCopyAlreadySeen { add(Expected(originalFrame: frame, generated: generated, interface: "lo", outgoing: true, packet: trace.finalPacket, deadline: deadline)) }
                add(Expected(originalFrame: frame, generated: generated, interface: "lo", outgoing: false, packet: trace.finalPacket, deadline: deadline))
            } else if case .sent(let interface) = trace.fate, !isOutgoingCopyAlreadySeen {
                let opened = trace.conntrackState?.contains(.new) == true && trace.conntrackDirection == .original ? trace.conntrackEntry?.id : nil
                add(Expected(originalFrame: frame, generated: generated, interface: interface, outgoing: true, packet: trace.finalPacket, deadline: deadline, openedEntry: opened))
            }
        } else if !isOutgoingCopyAlreadySeen {
            let key = Key(trace.input.packet)
            nextSerial += 1
            dropped[key, default: []].append(Dropped(serial: nextSerial, originalFrame: frame, trace: trace, deadline: deadline))
            deadlines.append((deadline, key, nextSerial, true))
        }
        for generated in trace.generated {
            expect(generated, frame: frame, at: time, isOutgoingCopyAlreadySeen: false, generated: true)
        }
    }

    private mutating func add(_ copy: Expected) {
        var copy = copy
        nextSerial += 1
        copy.serial = nextSerial
        let key = Key(copy.packet, anyID: copy.generated)
        expected[key, default: []].append(copy)
        deadlines.append((copy.deadline, key, nextSerial, false))
    }

    enum Match {
        case copy(Expected)
        case wasDropped(Dropped)
        case none
    }

    /// The expected copy this frame is, preferring one on the same interface and direction.
    mutating func match(_ packet: Packet, interface: String?, outgoing: Bool) -> Match {
        for key in [Key(packet), Key(packet, anyID: true)] {
            guard var candidates = expected[key] else { continue }
            let index = candidates.firstIndex { $0.outgoing == outgoing && (interface == nil || $0.interface == interface) }
                ?? candidates.firstIndex { $0.outgoing == outgoing }
            if let index {
                let found = candidates.remove(at: index)
                expected[key] = candidates.isEmpty ? nil : candidates
                return .copy(found)
            }
        }
        let key = Key(packet)
        if outgoing, var candidates = dropped[key], !candidates.isEmpty {
            let found = candidates.removeFirst()
            dropped[key] = candidates.isEmpty ? nil : candidates
            return .wasDropped(found)
        }
        return .none
    }

    /// Copies that did not show up in time, oldest first; dropped records simply age out.
    mutating func expire(now: Double) -> [Expected] {
        var late: [Expected] = []
        while head < deadlines.count, deadlines[head].deadline < now {
            let record = deadlines[head]
            head += 1
            if record.isDropped {
                guard var records = dropped[record.key], let index = records.firstIndex(where: { $0.serial == record.serial }) else { continue }
                records.remove(at: index)
                dropped[record.key] = records.isEmpty ? nil : records
            } else {
                guard var copies = expected[record.key], let index = copies.firstIndex(where: { $0.serial == record.serial }) else { continue }
                late.append(copies.remove(at: index))
                expected[record.key] = copies.isEmpty ? nil : copies
            }
        }
        if head > 4096, head * 2 > deadlines.count {
            deadlines.removeFirst(head)
            head = 0
        }
        return late
    }

    /// Everything still expected at the end of the capture.
    mutating func drain() -> [Expected] {
        let late = expected.values.flatMap { $0 }.sorted { $0.originalFrame < $1.originalFrame }
        expected = [:]
        dropped = [:]
        deadlines = []
        head = 0
        return late
    }
}
