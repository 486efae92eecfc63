import Netfilter

/// `--format json`: one JSON object per packet (JSON Lines). `steps` are exactly the events
/// `nft monitor trace` reports: one per matched rule (`rule` = 1-based position) and one
/// per applied built-in chain policy (`rule` = null).
public enum TraceJSON {
    public static func object(_ trace: PacketTrace, index: Int?) -> JSONValue {
        var pairs: [(String, JSONValue)] = []
        if let index { pairs.append(("index", .int(index))) }
        pairs.append(("packet", .string(PacketDescription.spec(trace.input.packet, ingress: trace.input.ingress))))
        pairs.append(("verdict", .string(trace.verdict.rawValue)))
        pairs.append(("fate", fate(trace.fate)))
        pairs.append(("steps", .array(trace.steps.map(step))))
        pairs.append(("final", .string(PacketDescription.spec(trace.finalPacket, ingress: nil))))
        pairs.append(("out", trace.outInterface.map(JSONValue.string) ?? .null))
        var conntrack: [(String, JSONValue)] = []
        conntrack.append(("state", trace.conntrackState.map { .string(PacketDescription.states($0)) } ?? .null))
        conntrack.append(("direction", trace.conntrackDirection.map { .string($0.rawValue) } ?? .null))
        conntrack.append(("entry", trace.conntrackEntry.map { .string($0.conntrackLine(now: trace.input.timestamp)) } ?? .null))
        pairs.append(("conntrack", .object(conntrack)))
        if trace.loopedBack { pairs.append(("loopback", .bool(true))) }
        if !trace.unsupported.isEmpty { pairs.append(("unsupported", .array(trace.unsupported.map { .string($0.description) }))) }
        if !trace.notes.isEmpty { pairs.append(("notes", .array(trace.notes.map(JSONValue.string)))) }
        if !trace.generated.isEmpty { pairs.append(("generated", .array(trace.generated.map { object($0, index: nil) }))) }
        return .object(pairs)
    }

    public static func step(_ step: TraceStep) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("table", .string(step.table.rawValue)),
            ("chain", .string(step.chain)),
            ("rule", step.rule.map(JSONValue.int) ?? .null),
            ("verdict", .string(step.verdict.rawValue)),
        ]
        if let target = step.target { pairs.append(("target", .string(target))) }
        if step.backend == .legacy { pairs.append(("backend", .string(step.backend.rawValue))) }
        return .object(pairs)
    }

    static func fate(_ fate: PacketFate) -> JSONValue {
        switch fate {
        case .delivered: return .object([("kind", .string("delivered"))])
        case .sent(let interface): return .object([("kind", .string("sent")), ("interface", .string(interface))])
        case .droppedByRule(let deciding):
            return .object([("kind", .string(deciding.rule == nil ? "policy" : "rule")), ("step", step(deciding))])
        case .droppedInRouting(let reason):
            return .object([("kind", .string("routing")), ("reason", .string(reason.rawValue))])
        case .undetermined(let why):
            return .object([("kind", .string("undetermined")), ("reason", .string(why))])
        }
    }
}
