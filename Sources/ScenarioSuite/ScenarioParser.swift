import Explain
import Foundation
import PacketSpec
import Yams

/// Reads a scenario file into typed cases. Everything is checked here, before any packet runs:
/// keys, value types, packet specs, step references, causes and packet numbers, each error
/// naming the file and line.
public enum ScenarioParser {
    static let topKeys = ["description", "worlds", "world", "cases"]
    static let worldKeys = ["snapshot", "cluster", "node", "felixVersion", "kubeProxy", "clusterCIDR", "backendOrder", "closedPorts", "seed"]
    static let caseKeys = ["name", "description", "world", "packets", "expect", "counters", "conntrack"]
    static let expectKeys = ["packet", "verdict", "cause", "policy", "policyKind", "endpoint", "tier", "direction", "service",
                             "decidingRule", "pathContains", "path", "explanationNames", "outInterface", "final"]

    public static func load(path: String) throws(ScenarioError) -> ScenarioFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ScenarioError(file: path, line: 0, message: "cannot read the file: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(ScenarioError) -> ScenarioFile {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw syntaxError(error, file: file)
        }
        guard let node else { throw ScenarioError(file: file, line: 0, message: "the file is empty; expected a mapping with world: and cases:") }
        let root = YAMLField(node: node, path: "", file: file, keyLine: nil)
        let base = (file as NSString).deletingLastPathComponent
        var world: WorldSpec?
        var cases: [ScenarioCase] = []
        var casesField: YAMLField?
        let entries = try root.mapping(allowed: topKeys)
        // Named worlds first, so `world:` may name one whatever the key order.
        var named: [String: WorldSpec] = [:]
        if let worlds = entries.first(where: { $0.key == "worlds" })?.value {
            for (name, value) in try worlds.mapping(allowed: []) { named[name] = try parseWorld(value, base: base) }
        }
        for (key, value) in entries {
            switch key {
            case "world": world = try worldReference(value, named: named, base: base)
            case "cases": casesField = value
            case "worlds": break
            default: _ = try value.string()
            }
        }
        guard let casesField else { throw root.error("expected a cases: list", line: 1) }
        var names: Set<String> = []
        for item in try casesField.sequence() {
            let scenarioCase = try parseCase(item, world: world, named: named, base: base)
            if !names.insert(scenarioCase.name).inserted { throw item.error("a case named \"\(scenarioCase.name)\" comes twice; expected unique names") }
            cases.append(scenarioCase)
        }
        if cases.isEmpty { throw casesField.error("expected at least one case") }
        let name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        return ScenarioFile(path: file, name: name, cases: cases)
    }

    /// A world written out, or the name of one under `worlds:`.
    static func worldReference(_ field: YAMLField, named: [String: WorldSpec], base: String) throws(ScenarioError) -> WorldSpec {
        guard case .scalar = field.node else { return try parseWorld(field, base: base) }
        let name = try field.string()
        guard let world = named[name] else {
            throw field.error("no world named \"\(name)\" under worlds:; expected one of \(named.keys.sorted().joined(separator: ", ")) or a world mapping")
        }
        return world
    }

    static func parseWorld(_ field: YAMLField, base: String) throws(ScenarioError) -> WorldSpec {
        var world = WorldSpec(file: field.file, line: field.keyLine ?? field.line)
        for (key, value) in try field.mapping(allowed: worldKeys) {
            switch key {
            case "snapshot": world.snapshot = resolve(try value.string(), base: base)
            case "cluster": world.cluster = try value.stringOrStrings().map { resolve($0, base: base) }
            case "node": world.node = try value.string()
            case "felixVersion": world.felixVersion = try value.string()
            case "kubeProxy": world.kubeProxy = try value.bool()
            case "clusterCIDR": world.clusterCIDR = try value.string()
            case "closedPorts": world.closedPorts = try value.bool()
            case "seed":
                let seed = try value.int()
                guard seed >= 0 else { throw value.expected("a seed of 0 or more") }
                world.seed = UInt64(seed)
            case "backendOrder":
                switch try value.string() {
                case "legacy-first": world.legacyFirst = true
                case "nft-first": world.legacyFirst = false
                default: throw value.expected("legacy-first or nft-first")
                }
            default: break
            }
        }
        if world.snapshot == nil && world.cluster.isEmpty { throw field.error("expected snapshot: DIR or cluster: PATH (or both)") }
        return world
    }

    static func resolve(_ path: String, base: String) -> String {
        path.hasPrefix("/") || base.isEmpty ? path : (base as NSString).appendingPathComponent(path)
    }

    static func parseCase(_ field: YAMLField, world fileWorld: WorldSpec?, named: [String: WorldSpec], base: String) throws(ScenarioError) -> ScenarioCase {
        let entries = try field.mapping(allowed: caseKeys)
        guard let nameField = entries.first(where: { $0.key == "name" })?.value else { throw field.error("expected a name: for the case") }
        let name = try nameField.string()
        var world = fileWorld
        var packets: [PacketStep] = []
        var expectations: [Expectation] = []
        var asList = false
        var counters: [CounterExpectation] = []
        var conntrack: [String] = []
        for (key, value) in entries {
            switch key {
            case "world": world = try worldReference(value, named: named, base: base)
            case "packets": packets = try parsePackets(value, base: base)
            case "expect":
                if case .sequence = value.node { asList = true }
                for item in value.items() { expectations.append(try parseExpectation(item)) }
            case "counters": counters = try parseCounters(value)
            case "conntrack": conntrack = try value.stringOrStrings()
            case "description": _ = try value.string()
            default: break
            }
        }
        guard let world else { throw field.error("case \"\(name)\" has no world: and the file has none") }
        guard !packets.isEmpty else { throw field.error("case \"\(name)\": expected packets: with at least one packet") }
        if expectations.isEmpty && counters.isEmpty && conntrack.isEmpty {
            throw field.error("case \"\(name)\": expected at least one of expect:, counters:, conntrack:")
        }
        let count = packets.reduce(0) { $0 + $1.count }
        // A capture's packets are counted when it is replayed; the run then says when a number is past its end.
        let counted = !packets.contains { $0.kind == .capture }
        for expectation in expectations {
            if let packet = expectation.packet, packet < 1 || (counted && packet > count) {
                throw ScenarioError(file: field.file, line: expectation.line, message: "expect.packet: \(packet) is not a packet of the case; expected 1...\(count)")
            }
        }
        return ScenarioCase(name: name, line: field.line, world: world, packets: packets, expectations: expectations,
                            expectationsAsList: asList, counters: counters, conntrack: conntrack)
    }

    static func parsePackets(_ field: YAMLField, base: String) throws(ScenarioError) -> [PacketStep] {
        var steps: [PacketStep] = []
        for item in try field.sequence() {
            if case .mapping = item.node {
                let entries = try item.mapping(allowed: ["handshake", "pcap", "iface"])
                if let capture = entries.first(where: { $0.key == "pcap" })?.value {
                    let path = resolve(try capture.string(), base: base)
                    guard FileManager.default.fileExists(atPath: path) else { throw capture.error("no capture file at \(path); expected a pcap or pcapng file (relative to the scenario)") }
                    let interface = try entries.first(where: { $0.key == "iface" })?.value.string()
                    steps.append(PacketStep(kind: .capture, spec: path, line: capture.line, interface: interface))
                    continue
                }
                if let stray = entries.first(where: { $0.key == "iface" }) { throw stray.value.error("iface: goes with pcap: FILE") }
                guard let spec = entries.first?.value else { throw item.expected("a packet spec, handshake: SPEC or pcap: FILE") }
                let text = try spec.string()
                if text.contains("flags=") { throw spec.error("a handshake sets its own TCP flags; expected the SYN's spec without flags=") }
                // Only a TCP spec needs flags=; one that reads without is of another protocol.
                if let other = try? PacketSpec.parse(text), other.packet.proto != 6 { throw spec.error("a handshake is TCP; expected a tcp spec") }
                _ = try checkedSpec(text + " flags=S", field: spec)
                steps.append(PacketStep(kind: .handshake, spec: text, line: spec.line))
            } else {
                let text = try item.string()
                _ = try checkedSpec(text, field: item)
                steps.append(PacketStep(kind: .packet, spec: text, line: item.line))
            }
        }
        return steps
    }

    static func checkedSpec(_ text: String, field: YAMLField) throws(ScenarioError) -> PacketSpec {
        do {
            return try PacketSpec.parse(text)
        } catch {
            throw field.error("bad packet spec: \(error)")
        }
    }

    static func parseExpectation(_ field: YAMLField) throws(ScenarioError) -> Expectation {
        var expectation = Expectation(line: field.line)
        for (key, value) in try field.mapping(allowed: expectKeys) {
            switch key {
            case "packet": expectation.packet = try value.int()
            case "verdict":
                let verdict = try value.string()
                guard Expectation.verdicts.contains(verdict) else { throw value.expected(Expectation.verdicts.joined(separator: ", ")) }
                expectation.verdict = verdict
            case "cause":
                guard let cause = ExplainCause(rawValue: try value.string()) else {
                    throw value.expected("a cause (\(ExplainCause.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                expectation.cause = cause
            case "policy": expectation.policy = try value.string()
            case "policyKind": expectation.policyKind = try value.string()
            case "endpoint": expectation.endpoint = try value.string()
            case "tier": expectation.tier = try value.string()
            case "direction": expectation.direction = try value.string()
            case "service": expectation.service = try value.string()
            case "outInterface": expectation.outInterface = try value.string()
            case "final": expectation.final = try value.string()
            case "decidingRule": expectation.decidingRule = try step(value)
            case "pathContains": expectation.pathContains = try steps(value)
            case "path": expectation.path = try steps(value)
            case "explanationNames": expectation.explanationNames = try value.stringOrStrings()
            default: break
            }
        }
        return expectation
    }

    static func step(_ field: YAMLField) throws(ScenarioError) -> StepReferenceText {
        guard let step = StepReferenceText(try field.string()) else { throw field.expected(StepReferenceText.grammar) }
        return step
    }

    static func steps(_ field: YAMLField) throws(ScenarioError) -> [StepReferenceText] {
        var result: [StepReferenceText] = []
        for item in try field.sequence() { result.append(try step(item)) }
        return result
    }

    static func parseCounters(_ field: YAMLField) throws(ScenarioError) -> [CounterExpectation] {
        var counters: [CounterExpectation] = []
        for (key, value) in try field.mapping(allowed: []) {
            let keyField = YAMLField(node: Node(key), path: field.path, file: field.file, keyLine: value.keyLine)
            guard let step = StepReferenceText(key) else { throw keyField.error("expected a counter key \(StepReferenceText.grammar), found \"\(key)\"") }
            let text = try value.string()
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let packets = UInt64(parts[0]) else { throw value.expected("packets or packets/bytes (3 or 3/180)") }
            var bytes: UInt64?
            if parts.count == 2 {
                guard let value = UInt64(parts[1]) else { throw value.expected("packets or packets/bytes (3 or 3/180)") }
                bytes = value
            }
            counters.append(CounterExpectation(step: step, packets: packets, bytes: bytes, line: value.keyLine ?? value.line))
        }
        return counters
    }

    static func syntaxError(_ error: any Error, file: String) -> ScenarioError {
        guard let error = error as? YamlError else { return ScenarioError(file: file, line: 1, message: "YAML syntax error: \(error)") }
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ScenarioError(file: file, line: max(mark.line, 1), message: "YAML syntax error: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ScenarioError(file: file, line: max(context.mark.line, 1), message: "duplicate key \(duplicates.joined(separator: ", ")); expected each key once")
        default:
            return ScenarioError(file: file, line: 1, message: "YAML error: \(error)")
        }
    }
}
