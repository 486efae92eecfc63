import Netfilter

/// Reads `conntrack -L` output (also `-o extended`, which starts each line with the
/// address family): the node's live connections, so packets of a flow that existed
/// before a policy change are ESTABLISHED as they are on the node.
///
/// What the listing does not say is assumed: TCP windows are unknown, so a loaded
/// connection is tracked liberally (as the kernel does a connection it picks up
/// mid-stream); timeouts count from the first packet pathsim processes.
public enum ConntrackListFile {
    public static func parse(_ text: String, file: String) throws(SnapshotError) -> [ConntrackEntry] {
        var entries: [ConntrackEntry] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: " \t\r")
            // The summary line goes to stderr, but a copy-paste often carries it along.
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("conntrack v") { continue }
            do {
                entries.append(try entry(line, id: entries.count + 1))
            } catch {
                throw SnapshotError(file: file, line: index + 1, message: "\(error.message) in \"\(line)\"")
            }
        }
        return entries
    }

    struct LineError: Error { var message: String }

    static func entry(_ line: String, id: Int) throws(LineError) -> ConntrackEntry {
        var tokens = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if tokens.first == "ipv4" {
            tokens.removeFirst(min(2, tokens.count))
        } else if tokens.first == "ipv6" {
            throw LineError(message: "IPv6 connections are not modelled")
        }
        guard tokens.count >= 3, let proto = UInt8(tokens[1]) else {
            throw LineError(message: "expected \"PROTOCOL NUMBER TIMEOUT ...\" as conntrack -L prints it")
        }
        guard let timeout = UInt32(tokens[2]) else { throw LineError(message: "expected the seconds left after \"\(tokens[1])\", found \"\(tokens[2])\"") }
        var rest = tokens.dropFirst(3)
        var tcpState = TCPConntrackState.none
        if proto == IPProtocolNumber.tcp {
            guard let name = rest.first, let state = TCPConntrackState.allCases.first(where: { $0.name == name }) else {
                throw LineError(message: "expected a TCP state (ESTABLISHED, SYN_SENT, TIME_WAIT, ...) after the timeout")
            }
            tcpState = state
            rest = rest.dropFirst()
        }
        var tuples: [[String: String]] = []
        var status: ConntrackStatus = [.confirmed, .seenReply]
        var mark: UInt32 = 0
        for token in rest {
            if token.hasPrefix("[") {
                switch token {
                case "[UNREPLIED]": status.remove(.seenReply)
                case "[ASSURED]": status.insert(.assured)
                case "[OFFLOAD]", "[HW_OFFLOAD]": break
                default: throw LineError(message: "unknown flag \(token): expected [UNREPLIED], [ASSURED] or [OFFLOAD]")
                }
                continue
            }
            guard let equals = token.firstIndex(of: "=") else { throw LineError(message: "expected key=value, found \"\(token)\"") }
            let key = String(token[..<equals]), value = String(token[token.index(after: equals)...])
            switch key {
            case "src":
                guard tuples.count < 2 else { throw LineError(message: "more than two tuples") }
                tuples.append(["src": value])
            case "dst", "sport", "dport", "type", "code", "id":
                guard !tuples.isEmpty else { throw LineError(message: "\(key)= before the first src=") }
                tuples[tuples.count - 1][key] = value
            case "mark":
                guard let number = UInt32(value) else { throw LineError(message: "expected a number for mark, found \"\(value)\"") }
                mark = number
            case "zone":
                guard value == "0" else { throw LineError(message: "conntrack zones are not modelled (zone=\(value))") }
            case "use", "packets", "bytes", "secctx", "helper", "labels", "delta-time", "timestamp", "timeout":
                continue
            default:
                throw LineError(message: "unknown field \(key)=")
            }
        }
        guard tuples.count == 2 else { throw LineError(message: "expected an original and a reply tuple (src=... dst=... twice)") }
        let original = try tuple(tuples[0], proto: proto), reply = try tuple(tuples[1], proto: proto)
        var nat: NATStatus = [.sourceDone, .destinationDone]
        let expected = original.inverted
        if reply.source != expected.source || reply.sourcePort != expected.sourcePort { nat.insert(.destinationNAT) }
        if reply.destination != expected.destination || reply.destinationPort != expected.destinationPort { nat.insert(.sourceNAT) }
        var entry = ConntrackEntry(id: id, original: original, reply: reply, status: status, nat: nat, tcpState: tcpState, mark: mark,
                                   created: 0, expires: Double(timeout))
        if proto == IPProtocolNumber.tcp { entry.trackWindowsLiberally() }
        return entry
    }

    static func tuple(_ fields: [String: String], proto: UInt8) throws(LineError) -> ConntrackTuple {
        func address(_ key: String) throws(LineError) -> IPv4Address {
            guard let text = fields[key] else { throw LineError(message: "missing \(key)=") }
            guard let value = IPv4Address(text) else { throw LineError(message: "expected an IPv4 address for \(key)=, found \"\(text)\"") }
            return value
        }
        func number<T: FixedWidthInteger>(_ key: String, _: T.Type) throws(LineError) -> T {
            guard let text = fields[key] else { throw LineError(message: "missing \(key)= for protocol \(IPProtocolNumber.name(proto))") }
            guard let value = T(text) else { throw LineError(message: "expected a number for \(key)=, found \"\(text)\"") }
            return value
        }
        let source = try address("src"), destination = try address("dst")
        if IPProtocolNumber.hasPorts(proto) {
            return ConntrackTuple(source: source, destination: destination, proto: proto,
                                  sourcePort: try number("sport", UInt16.self), destinationPort: try number("dport", UInt16.self))
        }
        if proto == IPProtocolNumber.icmp {
            let type = try number("type", UInt8.self), code = try number("code", UInt8.self)
            return ConntrackTuple(source: source, destination: destination, proto: proto,
                                  sourcePort: try number("id", UInt16.self), destinationPort: UInt16(type) << 8 | UInt16(code))
        }
        return ConntrackTuple(source: source, destination: destination, proto: proto, sourcePort: 0, destinationPort: 0)
    }
}
