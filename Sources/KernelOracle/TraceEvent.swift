import Netfilter

/// One line of `nft monitor trace` (nft 1.0.6), parsed.
///
/// Observed line shapes (kernel 6.18):
/// ```
/// trace id 2f61c9a3 ip filter FORWARD packet: iif "cali1f79f9e08f2" oif "cali96bc57f337a" ether saddr ... ip saddr 10.65.0.2 ...
/// trace id 2f61c9a3 ip filter FORWARD rule tcp dport 81 counter packets 0 bytes 0 reject with tcp reset # handle 5 (verdict drop)
/// trace id 2f61c9a3 ip raw PREROUTING rule  counter packets 0 bytes 0 jump u-prer-0 # handle 9 (verdict jump u-prer-0)
/// trace id b4eefcf8 ip pathsim_oracle pre policy accept
/// ```
/// `packet:` and `policy` lines end with a trailing space (trimmed here).
public struct TraceEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// A base chain was entered; `headers` is the header dump after `packet: `.
        case packet(headers: String)
        /// A rule matched. `handle` is nft's rule handle; `text` the rule as nft prints it, or
        /// empty when nft printed `unknown rule handle N` (its cache predates the rule).
        case rule(handle: Int, verdict: StepVerdict, target: String?, text: String)
        /// The base chain's policy was applied.
        case policy(ChainPolicy)
        /// Anything else (for example `return` events of newer nft versions).
        case other(String)
    }

    public var traceID: String
    public var family: String
    public var table: String
    public var chain: String
    public var kind: Kind
    public var line: String

    public init(traceID: String, family: String, table: String, chain: String, kind: Kind, line: String) {
        self.traceID = traceID
        self.family = family
        self.table = table
        self.chain = chain
        self.kind = kind
        self.line = line
    }

    public var isPacket: Bool { if case .packet = kind { return true } else { return false } }

    /// Parses one line; nil for lines that are not trace events (for example nft's
    /// "# Warning" lines or blank lines).
    public static func parse(_ rawLine: String) -> TraceEvent? {
        var line = Substring(rawLine)
        while line.last == " " || line.last == "\n" || line.last == "\r" { line.removeLast() }
        let text = String(line)
        guard line.hasPrefix("trace id ") else { return nil }
        line = line.dropFirst("trace id ".count)
        guard let idEnd = line.firstIndex(of: " ") else { return nil }
        let id = String(line[..<idEnd])
        line = line[line.index(after: idEnd)...]
        // family table chain
        var words: [String] = []
        for _ in 0..<3 {
            guard let end = line.firstIndex(of: " ") else { return nil }
            words.append(String(line[..<end]))
            line = line[line.index(after: end)...]
        }
        let rest = line
        let kind: Kind
        if rest.hasPrefix("packet: ") || rest == "packet:" {
            kind = .packet(headers: String(rest.dropFirst("packet:".count)).trimmingLeadingSpaces())
        } else if rest.hasPrefix("policy ") {
            let word = rest.dropFirst("policy ".count).prefix { $0 != " " }
            guard let policy = ChainPolicy(rawValue: word.uppercased()) else { return nil }
            kind = .policy(policy)
        } else if rest.hasPrefix("rule ") || rest.hasPrefix("unknown rule handle ") {
            // `nft monitor trace` resolves rule text from a ruleset cache filled when it starts
            // and never refreshed (nft 1.0.6, observed): rules loaded later print as
            // `unknown rule handle 7 (verdict jump c1)`. The handle is what we need anyway.
            if rest.hasPrefix("unknown rule handle ") {
                let body = rest.dropFirst("unknown rule handle ".count)
                guard let space = body.firstIndex(of: " "), let handle = Int(body[..<space]),
                      let verdictRange = body.range(of: "(verdict ") else { return nil }
                var verdictText = body[verdictRange.upperBound...]
                if verdictText.hasSuffix(")") { verdictText.removeLast() }
                let parts = verdictText.split(separator: " ", maxSplits: 1)
                guard let first = parts.first, let verdict = StepVerdict(rawValue: String(first)) else { return nil }
                return TraceEvent(traceID: id, family: words[0], table: words[1], chain: words[2],
                                  kind: .rule(handle: handle, verdict: verdict, target: parts.count > 1 ? String(parts[1]) : nil, text: ""),
                                  line: text)
            }
            let body = rest.dropFirst("rule ".count)
            guard let verdictRange = body.range(of: " (verdict ", options: .backwards),
                  let handleRange = body.range(of: "# handle ", options: .backwards),
                  handleRange.upperBound <= verdictRange.lowerBound,
                  let handle = Int(body[handleRange.upperBound..<verdictRange.lowerBound])
            else { return nil }
            var verdictText = body[verdictRange.upperBound...]
            if verdictText.hasSuffix(")") { verdictText.removeLast() }
            let parts = verdictText.split(separator: " ", maxSplits: 1)
            guard let first = parts.first, let verdict = StepVerdict(rawValue: String(first)) else { return nil }
            let target = parts.count > 1 ? String(parts[1]) : nil
            let ruleText = String(body[..<handleRange.lowerBound]).trimmingCharacters(in: " ")
            kind = .rule(handle: handle, verdict: verdict, target: target, text: ruleText)
        } else {
            kind = .other(String(rest))
        }
        return TraceEvent(traceID: id, family: words[0], table: words[1], chain: words[2], kind: kind, line: text)
    }

    /// A field of a `packet:` header dump, e.g. `value(of: "ip id")` → "1234",
    /// `value(of: "iif")` → "cali1f79f9e08f2" (quotes removed).
    public func headerValue(_ name: String) -> String? {
        guard case .packet(let headers) = kind else { return nil }
        return TraceEvent.headerValue(name, in: headers)
    }

    public static func headerValue(_ name: String, in headers: String) -> String? {
        let padded = " " + headers + " "
        guard let range = padded.range(of: " " + name + " ") else { return nil }
        let value = padded[range.upperBound...].prefix { $0 != " " }
        return String(value).trimmingCharacters(in: "\"")
    }
}

extension String {
    func trimmingLeadingSpaces() -> String { String(drop { $0 == " " }) }
    func trimmingCharacters(in character: Character) -> String {
        var s = Substring(self)
        while s.first == character { s.removeFirst() }
        while s.last == character { s.removeLast() }
        return String(s)
    }
}

/// Rule handle → (chain, 1-based position), per table, from `nft -a list ruleset` (or
/// `nft -a list table ip T`). iptables-nft turns each iptables rule into exactly one nft rule,
/// in order, so the n-th `# handle` line of a chain is iptables rule n.
public struct HandleMap: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var chain: String
        public var position: Int
    }

    /// table name → handle → entry (family `ip` only).
    public var tables: [String: [Int: Entry]] = [:]

    public init() {}

    public init(nftListing: String) {
        var table: String?
        var chain: String?
        var position = 0
        for rawLine in nftListing.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = rawLine.drop { $0 == " " || $0 == "\t" }
            if line.hasPrefix("table ") {
                let words = line.split(separator: " ")
                table = words.count >= 3 && words[1] == "ip" ? String(words[2]) : nil
                chain = nil
            } else if line.hasPrefix("chain ") {
                let words = line.split(separator: " ")
                chain = words.count >= 2 ? String(words[1]).trimmingCharacters(in: "\"") : nil
                position = 0
            } else if line == "}" {
                if chain != nil { chain = nil } else { table = nil }
            } else if let table, let chain, let range = line.range(of: " # handle ", options: .backwards),
                      let handle = Int(line[range.upperBound...]) {
                position += 1
                tables[table, default: [:]][handle] = Entry(chain: chain, position: position)
            }
        }
    }

    public func lookup(table: String, handle: Int) -> Entry? { tables[table]?[handle] }
}

/// One traversal of the node by one packet: from the moment our tracing table saw it
/// (`pathsim_oracle pre` or `out`) until it left, was dropped, or was handed to the stack.
/// A loopback packet makes two passes (OUTPUT side, then re-entry on `lo`), each with its own
/// trace id in practice.
public struct TracedPass: Hashable, Sendable {
    public var traceID: String
    /// Which oracle chain started it: "pre" (received) or "out" (locally generated).
    public var entry: String
    /// Header dump of the first `packet:` line (as the oracle's own chain saw it, before raw).
    public var headers: String
    /// All events of this pass except those of the oracle's table, arrival order.
    public var events: [TraceEvent]
    /// The comparable steps (§9.5a): one per matched rule, one per applied policy.
    public var steps: [TraceStep]
    /// Rule lines whose handle was not in the handle map (should be empty).
    public var unmappedRules: [String]

    public var inputInterface: String? { TraceEvent.headerValue("iif", in: headers) }
    public var outputInterface: String? { TraceEvent.headerValue("oif", in: headers) }
}

/// Splits a window of trace events into passes. Trace ids are reused by the kernel (pitfall
/// 12.1), so a pass starts at each `packet:` line of the oracle's own table, and every later
/// event with that id belongs to the most recent pass with that id.
public enum TraceAssembler {
    public static let oracleTable = "pathsim_oracle"

    public static func passes(_ events: [TraceEvent], handles: HandleMap) -> [TracedPass] {
        var passes: [TracedPass] = []
        var latest: [String: Int] = [:]
        for event in events {
            if event.table == oracleTable {
                if case .packet(let headers) = event.kind {
                    passes.append(TracedPass(traceID: event.traceID, entry: event.chain, headers: headers, events: [], steps: [], unmappedRules: []))
                    latest[event.traceID] = passes.count - 1
                }
                continue
            }
            guard let index = latest[event.traceID] else { continue }  // stray line from an earlier window
            passes[index].events.append(event)
            guard let table = TableName(rawValue: event.table) else { continue }
            switch event.kind {
            case .rule(let handle, let verdict, let target, _):
                if let entry = handles.lookup(table: event.table, handle: handle) {
                    passes[index].steps.append(TraceStep(table: table, chain: entry.chain, rule: entry.position, verdict: verdict, target: target))
                } else {
                    passes[index].unmappedRules.append(event.line)
                    passes[index].steps.append(TraceStep(table: table, chain: event.chain, rule: 0, verdict: verdict, target: target))
                }
            case .policy(let policy):
                passes[index].steps.append(TraceStep(table: table, chain: event.chain, rule: nil, verdict: policy == .accept ? .accept : .drop))
            case .packet, .other:
                break
            }
        }
        return passes
    }
}
