import Explain

/// One scenario file: a suite of cases, each a run of packets through one engine with what is
/// expected of them.
public struct ScenarioFile: Sendable {
    /// The path as given.
    public var path: String
    /// The file name without `.yaml`: how reports name the suite.
    public var name: String
    public var cases: [ScenarioCase]
}

/// Where a case's node comes from, with paths already resolved against the scenario file.
/// The same fields as the CLI's `--snapshot`/`--cluster` options, with the same meaning.
public struct WorldSpec: Hashable, Sendable {
    public var snapshot: String?
    public var cluster: [String] = []
    public var node: String?
    public var felixVersion = "3.32"
    public var kubeProxy = true
    public var clusterCIDR: String?
    public var legacyFirst = true
    public var closedPorts = false
    public var seed: UInt64 = 0
    /// Where it was written, for errors while loading it.
    public var file: String
    public var line: Int
}

/// A packet of a case: a `--pkt` spec, a TCP handshake flow standing for three packets, or a
/// capture file standing for every packet in it.
public struct PacketStep: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable { case packet, handshake, capture }
    public var kind: Kind
    /// The spec; for a capture, the file's path.
    public var spec: String
    public var line: Int
    /// A capture's interface, for captures that do not record one per frame.
    public var interface: String? = nil

    /// How many packets the step sends when nothing stops it; a capture's count is known only
    /// when it is read, and counts 0 here.
    public var count: Int {
        switch kind {
        case .packet: return 1
        case .handshake: return 3
        case .capture: return 0
        }
    }
}

public struct ScenarioCase: Sendable {
    public var name: String
    public var line: Int
    public var world: WorldSpec
    public var packets: [PacketStep]
    public var expectations: [Expectation]
    /// `expect:` was written as a list (kept so `--update` writes it back the same way).
    public var expectationsAsList: Bool
    public var counters: [CounterExpectation]
    public var conntrack: [String]

    /// Packets sent when every handshake runs to its end.
    public var packetCount: Int { packets.reduce(0) { $0 + $1.count } }
}

/// What one packet must show. Every field is optional; those given must all hold.
public struct Expectation: Hashable, Sendable {
    public var line: Int
    /// 1-based; nil means the case's last packet.
    public var packet: Int?
    public var verdict: String?
    public var cause: ExplainCause?
    public var policy: String?
    public var policyKind: String?
    public var endpoint: String?
    public var tier: String?
    public var direction: String?
    public var service: String?
    public var decidingRule: StepReferenceText?
    public var pathContains: [StepReferenceText]?
    public var path: [StepReferenceText]?
    public var explanationNames: [String]?
    public var outInterface: String?
    /// Text the packet as it left (after NAT) must contain, as `trace` prints it.
    public var final: String?

    public init(line: Int) { self.line = line }

    public static let verdicts = ["accepted", "dropped", "rejected", "undetermined"]
}

/// A step of a path as scenario files write it: `table:chain:position`, `table:chain:policy`,
/// with `legacy ` in front for the iptables-legacy tables of a mixed node.
public struct StepReferenceText: Hashable, Sendable, CustomStringConvertible {
    public var legacy: Bool
    public var table: String
    public var chain: String
    /// nil for the chain's policy.
    public var position: Int?

    public init(legacy: Bool = false, table: String, chain: String, position: Int?) {
        self.legacy = legacy
        self.table = table
        self.chain = chain
        self.position = position
    }

    /// nil when the text is not of that form.
    public init?(_ text: String) {
        var body = Substring(text)
        legacy = body.hasPrefix("legacy ")
        if legacy { body = body.dropFirst("legacy ".count) }
        guard let firstColon = body.firstIndex(of: ":"), let lastColon = body.lastIndex(of: ":"), firstColon < lastColon else { return nil }
        table = String(body[..<firstColon])
        chain = String(body[body.index(after: firstColon)..<lastColon])
        let last = body[body.index(after: lastColon)...]
        guard ["raw", "mangle", "nat", "filter", "security"].contains(table), !chain.isEmpty, !chain.contains(" ") else { return nil }
        if last == "policy" {
            position = nil
        } else if let number = Int(last), number >= 1 {
            position = number
        } else {
            return nil
        }
    }

    public var description: String { (legacy ? "legacy " : "") + "\(table):\(chain):" + (position.map(String.init) ?? "policy") }

    static let grammar = "table:chain:position or table:chain:policy (filter:cali-tw-cali96bc57f337a:7)"
}

/// A counter after all packets of a case: a rule's (or a chain policy's) packets, and bytes
/// when given.
public struct CounterExpectation: Hashable, Sendable {
    public var step: StepReferenceText
    public var packets: UInt64
    public var bytes: UInt64?
    public var line: Int

    var valueText: String { bytes.map { "\(packets)/\($0)" } ?? "\(packets)" }
}
