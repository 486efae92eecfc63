/// TCP connection states of the kernel's tracker (`nf_conntrack_proto_tcp.c`).
public enum TCPConntrackState: Int, Hashable, Sendable, CaseIterable {
    case none = 0, synSent, synReceived, established, finWait, closeWait, lastAck, timeWait, close, synSent2

    /// `conntrack -L` spelling.
    public var name: String {
        switch self {
        case .none: return "NONE"
        case .synSent: return "SYN_SENT"
        case .synReceived: return "SYN_RECV"
        case .established: return "ESTABLISHED"
        case .finWait: return "FIN_WAIT"
        case .closeWait: return "CLOSE_WAIT"
        case .lastAck: return "LAST_ACK"
        case .timeWait: return "TIME_WAIT"
        case .close: return "CLOSE"
        case .synSent2: return "SYN_SENT2"
        }
    }
}

/// The packet classes of `get_conntrack_index`.
enum TCPPacketClass: Int {
    case syn = 0, synAck, fin, ack, rst, none

    init(_ flags: TCPFlags) {
        if flags.contains(.rst) { self = .rst }
        else if flags.contains(.syn) { self = flags.contains(.ack) ? .synAck : .syn }
        else if flags.contains(.fin) { self = .fin }
        else if flags.contains(.ack) { self = .ack }
        else { self = .none }
    }
}

/// What the state table says for a packet: a new state, ignore, or invalid.
enum TCPTransition: Equatable {
    case to(TCPConntrackState)
    case ignore
    case invalid
}

enum TCPStateTable {
    private typealias S = TCPConntrackState
    private static let iv = TCPTransition.invalid
    private static let ig = TCPTransition.ignore
    private static func t(_ s: S) -> TCPTransition { .to(s) }

    // Columns: NONE, SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE, SYN_SENT2
    // (the kernel's tcp_conntracks[dir][class][state]).
    private static let original: [[TCPTransition]] = [
        /* syn    */ [t(.synSent), t(.synSent), ig, ig, ig, ig, ig, t(.synSent), t(.synSent), t(.synSent2)],
        /* synack */ [iv, iv, ig, ig, ig, ig, ig, ig, ig, t(.synReceived)],
        /* fin    */ [iv, iv, t(.finWait), t(.finWait), t(.lastAck), t(.lastAck), t(.lastAck), t(.timeWait), t(.close), iv],
        /* ack    */ [t(.established), iv, t(.established), t(.established), t(.closeWait), t(.closeWait), t(.timeWait), t(.timeWait), t(.close), iv],
        /* rst    */ [iv, t(.close), t(.close), t(.close), t(.close), t(.close), t(.close), t(.close), t(.close), t(.close)],
        /* none   */ [iv, iv, iv, iv, iv, iv, iv, iv, iv, iv],
    ]
    private static let reply: [[TCPTransition]] = [
        /* syn    */ [iv, t(.synSent2), iv, iv, iv, iv, iv, t(.synSent), iv, t(.synSent2)],
        /* synack */ [iv, t(.synReceived), ig, ig, ig, ig, ig, ig, ig, t(.synReceived)],
        /* fin    */ [iv, iv, t(.finWait), t(.finWait), t(.lastAck), t(.lastAck), t(.lastAck), t(.timeWait), t(.close), iv],
        /* ack    */ [iv, ig, t(.synReceived), t(.established), t(.closeWait), t(.closeWait), t(.timeWait), t(.timeWait), t(.close), ig],
        /* rst    */ [iv, t(.close), t(.close), t(.close), t(.close), t(.close), t(.close), t(.close), t(.close), t(.close)],
        /* none   */ [iv, iv, iv, iv, iv, iv, iv, iv, iv, iv],
    ]

    static func transition(direction: ConntrackDirection, packet: TCPPacketClass, state: TCPConntrackState) -> TCPTransition {
        let table = direction == .original ? original : reply
        return table[packet.rawValue][state.rawValue]
    }

    /// `tcp_error`'s flag check: with PSH, ECE and CWR ignored, only these combinations
    /// are valid; anything else is INVALID before the state machine runs.
    static func flagsAreValid(_ flags: TCPFlags) -> Bool {
        let relevant = flags.subtracting([.psh, .ece, .cwr])
        let valid: [TCPFlags] = [[.syn], [.syn, .urg], [.syn, .ack], [.rst], [.rst, .ack], [.fin, .ack], [.fin, .ack, .urg], [.ack], [.ack, .urg]]
        return valid.contains(relevant)
    }
}
