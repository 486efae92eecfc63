/// Per-direction window data of a TCP connection (`struct ip_ct_tcp_state`).
public struct TCPDirectionState: Hashable, Sendable {
    /// max of seq + len
    public var end: UInt32 = 0
    /// max of ack + max(win, 1)
    public var maxEnd: UInt32 = 0
    /// max(win)
    public var maxWindow: UInt32 = 0
    /// max of ack
    public var maxAck: UInt32 = 0
    public var scale: UInt8 = 0
    public var flags: TCPTrackFlags = []
}

public struct TCPTrackFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let windowScale = TCPTrackFlags(rawValue: 0x01)
    public static let sackPermitted = TCPTrackFlags(rawValue: 0x02)
    public static let closeInit = TCPTrackFlags(rawValue: 0x04)
    public static let beLiberal = TCPTrackFlags(rawValue: 0x08)
    public static let dataUnacknowledged = TCPTrackFlags(rawValue: 0x10)
    public static let maxAckSet = TCPTrackFlags(rawValue: 0x20)
}

/// Everything `struct ip_ct_tcp` keeps: both directions plus the "last packet" notes the
/// kernel uses to resynchronise after ignored packets.
public struct TCPTracking: Hashable, Sendable {
    public var seen = [TCPDirectionState(), TCPDirectionState()]
    var lastIndex: TCPPacketClass = .none
    var lastDirection: ConntrackDirection = .original
    var lastSequence: UInt32 = 0
    var lastAck: UInt32 = 0
    var lastEnd: UInt32 = 0
    var lastWindow: UInt16 = 0
    var simultaneousOpen = false
    var expectChallengeAck = false
    var retransmissions = 0
}

/// What the tracker decided for one packet.
enum TCPVerdict {
    /// Tracked; refresh the entry to this many seconds (nil: keep the timeout).
    case accept(timeout: Double?, kill: Bool)
    /// Accepted with the entry's state, nothing changed.
    case ignore
    /// The packet is INVALID (and gets no entry).
    case invalid
    /// A SYN reopening a closed connection: delete the entry and look up again.
    case reopen
}

/// The kernel's TCP connection tracker (`nf_conntrack_proto_tcp.c`, `nf_conntrack_tcp_packet`
/// and `tcp_in_window`), ported decision by decision. Synthetic packets carry no TCP
/// options, so window scaling and SACK never apply.
enum TCPTracker {
    static func before(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) < 0 }
    static func after(_ a: UInt32, _ b: UInt32) -> Bool { before(b, a) }

    static func segmentEnd(_ packet: Packet) -> UInt32 {
        let payload = UInt32(max(0, Int(packet.totalLength) - 40))
        return packet.sequence &+ payload &+ (packet.tcpFlags.contains(.syn) ? 1 : 0) &+ (packet.tcpFlags.contains(.fin) ? 1 : 0)
    }

    /// `tcp_new`: whether a packet may open an entry, and the entry's initial window data.
    static func newConnection(_ packet: Packet, tcpLoose: Bool) -> TCPTracking? {
        guard case .to(let state) = TCPStateTable.transition(direction: .original, packet: TCPPacketClass(packet.tcpFlags), state: .none) else { return nil }
        var tracking = TCPTracking()
        let window = UInt32(packet.window)
        tracking.seen[0].end = segmentEnd(packet)
        tracking.seen[0].maxWindow = window == 0 ? 1 : window
        if state == .synSent {
            tracking.seen[0].maxEnd = tracking.seen[0].end
        } else {
            guard tcpLoose else { return nil }
            tracking.seen[0].maxEnd = tracking.seen[0].end &+ tracking.seen[0].maxWindow
            tracking.seen[0].flags = [.sackPermitted, .beLiberal]
            tracking.seen[1].flags = [.sackPermitted, .beLiberal]
        }
        return tracking
    }

    /// `nf_conntrack_tcp_packet` for a packet of `entry` (a new entry comes in with state NONE).
    static func packet(_ packet: Packet, direction: ConntrackDirection, entry: inout ConntrackEntry, sysctls: Sysctls) -> TCPVerdict {
        let index = TCPPacketClass(packet.tcpFlags)
        let dir = direction == .original ? 0 : 1
        var oldState = entry.tcpState
        var transition = TCPStateTable.transition(direction: direction, packet: index, state: oldState)
        var t = entry.tcp
        defer { entry.tcp = t }
        var skipWindow = false

        switch transition {
        case .to(.synSent) where oldState.rawValue >= TCPConntrackState.timeWait.rawValue:
            if t.seen[dir].flags.union(t.seen[1 - dir].flags).contains(.closeInit) || (t.lastDirection == direction && t.lastIndex == .rst) {
                return .reopen
            }
            if let verdict = ignored(packet, index: index, direction: direction, oldState: oldState, tracking: &t, state: &oldState, transition: &transition) {
                return verdict
            }
        case .ignore:
            if let verdict = ignored(packet, index: index, direction: direction, oldState: oldState, tracking: &t, state: &oldState, transition: &transition) {
                return verdict
            }
        case .invalid:
            return .invalid
        case .to(.timeWait):
            if oldState == .lastAck, index == .ack, t.lastDirection != direction, t.lastIndex == .syn, t.expectChallengeAck {
                t.expectChallengeAck = false
                return .ignore
            }
        case .to(.synSent2):
            t.simultaneousOpen = true
        case .to(.synReceived):
            if direction == .reply, index == .ack, t.simultaneousOpen { transition = .to(.established) }
        case .to(.close):
            guard index == .rst else { break }
            if [.finWait, .lastAck, .timeWait, .close, .closeWait].contains(oldState) {
                skipWindow = true
                break
            }
            if t.seen[1 - dir].flags.contains(.maxAckSet), t.lastIndex != .syn {
                let seq = packet.sequence
                let established = oldState == .established && entry.status.contains(.assured)
                if seq == 0 && !established { break }
                if before(seq, t.seen[1 - dir].maxAck) { return .invalid }
                if !established || seq == t.seen[1 - dir].maxAck { break }
                if t.lastIndex == .ack, t.lastDirection == direction, seq == t.lastEnd { break }
                transition = .to(oldState)
            }
            if ((entry.status.contains(.seenReply) && t.lastIndex == .syn) || (!entry.status.contains(.assured) && t.lastIndex == .ack))
                && packet.acknowledgement == t.lastEnd {
                skipWindow = true
                break
            }
            if oldState == .synSent, t.lastIndex == .ack, t.lastDirection == .reply, packet.sequence == t.lastAck {
                skipWindow = true
            }
        default:
            break
        }
        guard case .to(let newState) = transition else { return .ignore }

        if !skipWindow {
            switch window(packet, index: index, direction: direction, state: oldState, tracking: &t, beLiberal: sysctls.tcpBeLiberal) {
            case .ignore: return .ignore
            case .invalid: return .invalid
            default: break
            }
        }
        t.lastIndex = index
        t.lastDirection = direction
        entry.tcpState = newState
        if oldState != newState, newState == .finWait { t.seen[dir].flags.insert(.closeInit) }

        let timeouts = sysctls.timeouts
        let stateTimeout = timeouts.tcp(newState)
        var timeout: Double
        if t.retransmissions >= timeouts.tcpMaxRetransmissions, stateTimeout > timeouts.tcpMaxRetransmitted {
            timeout = timeouts.tcpMaxRetransmitted
        } else if index == .rst {
            timeout = timeouts.tcp(.close)
        } else if t.seen[0].flags.union(t.seen[1].flags).contains(.dataUnacknowledged), stateTimeout > timeouts.tcpUnacknowledged {
            timeout = timeouts.tcpUnacknowledged
        } else if t.lastWindow == 0, stateTimeout > timeouts.tcpMaxRetransmitted {
            timeout = timeouts.tcpMaxRetransmitted
        } else {
            timeout = stateTimeout
        }
        if !entry.status.contains(.seenReply) {
            if packet.tcpFlags.contains(.rst) { return .accept(timeout: nil, kill: true) }
            if index == .syn, oldState == .synSent { return .accept(timeout: nil, kill: false) }
            if newState == .established, timeout > timeouts.tcpUnacknowledged { timeout = timeouts.tcpUnacknowledged }
        } else if !entry.status.contains(.assured), oldState == .synReceived || oldState == .established, newState == .established {
            entry.status.insert(.assured)
        }
        return .accept(timeout: timeout, kill: false)
    }

    /// The "ignored packet" branch: note the packet so a later SYN-ACK can resynchronise.
    /// Returns nil when the packet resynchronised the entry and tracking goes on.
    private static func ignored(_ packet: Packet, index: TCPPacketClass, direction: ConntrackDirection, oldState: TCPConntrackState,
                                tracking t: inout TCPTracking, state: inout TCPConntrackState, transition: inout TCPTransition) -> TCPVerdict? {
        if index == .synAck, t.lastIndex == .syn, t.lastDirection != direction, packet.acknowledgement == t.lastEnd {
            state = .synSent
            transition = .to(.synReceived)
            let last = t.lastDirection == .original ? 0 : 1
            t.seen[last].end = t.lastEnd
            t.seen[last].maxEnd = t.lastEnd
            t.seen[last].maxWindow = t.lastWindow == 0 ? 1 : UInt32(t.lastWindow)
            t.seen[last].scale = 0
            t.expectChallengeAck = false
            t.seen[last].flags = []
            let other = 1 - last
            t.seen[other] = TCPDirectionState(flags: t.seen[other].flags.intersection(.beLiberal))
            return nil
        }
        t.lastIndex = index
        t.lastDirection = direction
        t.lastSequence = packet.sequence
        t.lastEnd = segmentEnd(packet)
        t.lastWindow = packet.window
        if index == .syn, direction == .original {
            t.expectChallengeAck = oldState == .lastAck
        }
        if oldState == .synSent, index == .ack, direction == .reply { t.lastAck = packet.acknowledgement }
        return .ignore
    }

    private enum WindowResult { case accept, ignore, invalid }

    /// `tcp_in_window`: are seq and ack inside what each side has seen?
    private static func window(_ packet: Packet, index: TCPPacketClass, direction: ConntrackDirection, state: TCPConntrackState,
                               tracking t: inout TCPTracking, beLiberal: Bool) -> WindowResult {
        let dir = direction == .original ? 0 : 1
        let flags = packet.tcpFlags
        var seq = packet.sequence
        var ack = packet.acknowledgement
        var sack = ack
        let windowRaw = packet.window
        let win = UInt32(windowRaw)
        var end = segmentEnd(packet)
        var sender = t.seen[dir]
        var receiver = t.seen[1 - dir]
        defer {
            t.seen[dir] = sender
            t.seen[1 - dir] = receiver
        }
        func invalid(_ result: WindowResult) -> WindowResult {
            sender.flags.contains(.beLiberal) || beLiberal ? .accept : result
        }
        func maxAckWindow() -> UInt32 { sender.maxWindow > 66000 ? sender.maxWindow : 66000 }

        if sender.maxWindow == 0 {
            if flags.contains(.syn) {
                sender.end = end
                sender.maxEnd = end
                sender.maxWindow = win == 0 ? 1 : win
                if direction == .reply { sender.scale = 0; receiver.scale = 0 }
                if !flags.contains(.ack) { return .accept }
            } else {
                sender.end = end
                let swin = win << UInt32(sender.scale)
                sender.maxWindow = swin == 0 ? 1 : swin
                sender.maxEnd = end &+ sender.maxWindow
                if receiver.maxWindow == 0 {
                    receiver.end = sack
                    receiver.maxEnd = sack
                } else if sack == receiver.end &+ 1 {
                    receiver.end &+= 1
                }
            }
        } else if flags.contains(.syn), after(end, sender.end), state == .synSent || state == .synReceived {
            sender.end = end
            sender.maxEnd = end
            sender.maxWindow = win == 0 ? 1 : win
            if direction == .reply { sender.scale = 0; receiver.scale = 0 }
            if direction == .reply, !flags.contains(.ack) { return .accept }
        }

        if !flags.contains(.ack) {
            ack = receiver.end
            sack = ack
        } else if flags.contains(.rst), ack == 0 {
            ack = receiver.end
            sack = ack
        }
        if flags.contains(.rst), seq == 0, state == .synSent {
            seq = sender.end
            end = sender.end
        }

        if !before(seq, sender.maxEnd &+ 1) {
            let overshot = end &- sender.maxEnd &+ 1
            let ackOK = after(sack, receiver.end &- maxAckWindow() &- 1)
            let inReceiveWindow = receiver.maxWindow != 0 && after(end, sender.end &- receiver.maxWindow &- 1)
            if inReceiveWindow, ackOK, overshot <= receiver.maxWindow, before(sack, receiver.end &+ 1) {
                sender.end = end
                sender.flags.insert(.dataUnacknowledged)
                return invalid(.ignore)
            }
            return invalid(.invalid)
        }
        if !before(sack, receiver.end &+ 1) { return invalid(.invalid) }
        let inReceiveWindow = receiver.maxWindow == 0 || after(end, sender.end &- receiver.maxWindow &- 1)
        if !inReceiveWindow { return invalid(.ignore) }
        if !after(sack, receiver.end &- maxAckWindow() &- 1) { return invalid(.ignore) }

        var scaledWindow = win
        if !flags.contains(.syn) { scaledWindow <<= UInt32(sender.scale) }
        let swin = scaledWindow &+ (sack &- ack)
        if sender.maxWindow < swin { sender.maxWindow = swin }
        if after(end, sender.end) {
            sender.end = end
            sender.flags.insert(.dataUnacknowledged)
        }
        if flags.contains(.ack) {
            if !sender.flags.contains(.maxAckSet) {
                sender.maxAck = ack
                sender.flags.insert(.maxAckSet)
            } else if after(ack, sender.maxAck) {
                sender.maxAck = ack
            }
        }
        if receiver.maxWindow != 0, after(end, sender.maxEnd) { receiver.maxWindow &+= end &- sender.maxEnd }
        if after(sack &+ scaledWindow, receiver.maxEnd &- 1) {
            receiver.maxEnd = sack &+ scaledWindow
            if scaledWindow == 0 { receiver.maxEnd &+= 1 }
        }
        if ack == receiver.end { receiver.flags.remove(.dataUnacknowledged) }
        if index == .ack {
            if t.lastDirection == direction, t.lastSequence == seq, t.lastAck == ack, t.lastEnd == end, t.lastWindow == windowRaw {
                t.retransmissions += 1
            } else {
                t.lastDirection = direction
                t.lastSequence = seq
                t.lastAck = ack
                t.lastEnd = end
                t.lastWindow = windowRaw
                t.retransmissions = 0
            }
        }
        return .accept
    }
}
