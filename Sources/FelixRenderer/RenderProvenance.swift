import CalicoModel
import Foundation

/// Which object produced a rendered rule, and what part of it.
public struct RuleOrigin: Hashable, Sendable, Codable {
    /// `KubernetesNetworkPolicy`, `NetworkPolicy`, `GlobalNetworkPolicy`, `Profile`,
    /// `WorkloadEndpoint`, `Pod`, `HostEndpoint`, `IPPool`, `FelixConfiguration`, or `felix` for
    /// rules felix writes on every node.
    public var kind: String
    /// `namespace/name` or `name`; empty for `felix`.
    public var name: String
    public var file: String?
    public var line: Int?
    /// ingress / egress, for policy, profile and endpoint rules.
    public var direction: String?
    /// 0-based index of the rule in the policy's or profile's list (for a Kubernetes policy,
    /// of its `ingress`/`egress` entry).
    public var ruleIndex: Int?
    /// What the rule does, in words ("ingress rule 2", "End of tier default", "dispatch to default/web").
    public var role: String

    public init(kind: String, name: String = "", location: SourceLocation? = nil, direction: String? = nil, ruleIndex: Int? = nil, role: String) {
        self.kind = kind
        self.name = name
        self.file = location?.file
        self.line = location?.line
        self.direction = direction
        self.ruleIndex = ruleIndex
        self.role = role
    }

    public var location: SourceLocation? { file.map { SourceLocation(file: $0, line: line ?? 0) } }

    public var summary: String {
        var text = kind == "felix" ? "felix" : "\(kind) \(name)"
        if let ruleIndex, let direction { text += ", \(direction) rule \(ruleIndex + 1)" }
        return text + ": " + role
    }
}

public struct IPSetOrigin: Hashable, Sendable, Codable {
    /// selector, named-port or fixed.
    public var kind: String
    public var selector: String?
    public var namedPort: String?
    public var description: String?
    public init(kind: String, selector: String?, namedPort: String?, description: String? = nil) {
        self.kind = kind
        self.selector = selector
        self.namedPort = namedPort
        self.description = description
    }
}

/// Rendering's back-map, written as `provenance.json` next to the snapshot: every chain, rule and
/// ipset with the object that produced it.
public struct RenderProvenance: Hashable, Sendable, Codable {
    public struct ChainRecord: Hashable, Sendable, Codable {
        public var table: String
        public var chain: String
        public var origin: RuleOrigin
    }
    public struct RuleRecord: Hashable, Sendable, Codable {
        public var table: String
        public var chain: String
        /// 1-based, as `iptables -L --line-numbers` counts.
        public var position: Int
        public var hash: String
        public var origin: RuleOrigin
    }
    public struct IPSetRecord: Hashable, Sendable, Codable {
        public var name: String
        public var origin: IPSetOrigin
    }
    public var felixVersion: String
    public var node: String
    public var chains: [ChainRecord] = []
    public var rules: [RuleRecord] = []
    public var ipsets: [IPSetRecord] = []

    public static let fileName = "provenance.json"

    public func rule(table: String, chain: String, position: Int) -> RuleRecord? {
        rules.first { $0.table == table && $0.chain == chain && $0.position == position }
    }

    public func chain(table: String, chain: String) -> ChainRecord? {
        chains.first { $0.table == table && $0.chain == chain }
    }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    public static func load(json: String, file: String) throws(RenderError) -> RenderProvenance {
        do {
            return try JSONDecoder().decode(RenderProvenance.self, from: Data(json.utf8))
        } catch {
            throw RenderError(location: SourceLocation(file: file, line: 0), message: "not a pathsim provenance file: \(error)")
        }
    }
}
