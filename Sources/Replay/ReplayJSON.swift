import Netfilter
import TraceFormat

/// `replay --format json`: JSON Lines. A replayed packet is the trace object of `pathsim
/// trace --format json` with `frame` (1-based, as in the file) first; egress copies,
/// skipped frames and disagreements get objects of their own; a `summary` object ends it.
public enum ReplayJSON {
    /// nil for events that print nothing (a fragment held for reassembly).
    public static func object(_ event: ReplayEvent) -> JSONValue? {
        switch event {
        case .replayed(let packet):
            guard case .object(let pairs) = TraceJSON.object(packet.trace, index: nil) else { return nil }
            var head: [(String, JSONValue)] = [("frame", .int(packet.frame))]
            if packet.frames.count > 1 { head.append(("frames", .array(packet.frames.map(JSONValue.int)))) }
            head.append(("origin", .string(packet.origin.rawValue)))
            if packet.truncated { head.append(("truncated", .bool(true))) }
            return .object(head + pairs)
        case .egressCopy(let frame, let original, let interface):
            return .object([("frame", .int(frame)), ("egress_copy_of", .int(original)), ("interface", interface.map(JSONValue.string) ?? .null)])
        case .heldFragment:
            return nil
        case .skipped(let frame, let reason):
            return .object([("frame", .int(frame)), ("skipped", .string(reason))])
        case .disagreement(let d):
            var pairs: [(String, JSONValue)] = [
                ("kind", .string(d.kind.rawValue)), ("original_frame", .int(d.originalFrame)), ("message", .string(d.message)),
            ]
            if let blamed = d.blamed { pairs.append(("blamed", TraceJSON.step(blamed))) }
            return .object([("frame", .int(d.frame)), ("disagreement", .object(pairs))])
        }
    }

    public static func summary(_ s: ReplaySummary) -> JSONValue {
        .object([("summary", .object([
            ("frames", .int(s.frames)), ("packets", .int(s.packets)),
            ("delivered", .int(s.delivered)), ("forwarded", .int(s.forwarded)), ("sent_by_node", .int(s.sentByNode)),
            ("dropped_by_rule", .int(s.droppedByRule)), ("dropped_in_routing", .int(s.droppedInRouting)),
            ("undetermined", .int(s.undetermined)), ("egress_copies", .int(s.egressCopies)),
            ("reassembled", .int(s.reassembled)), ("truncated", .int(s.truncated)), ("disagreements", .int(s.disagreements)), ("translations_adopted", .int(s.translationsAdopted)),
            ("skipped", .object(s.skipped.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.int($0.value)) })),
            ("top_drops", .array(s.topDrops().map { .object([("step", TraceJSON.step($0.step)), ("packets", .int($0.packets))]) })),
            ("routing_drops", .object(s.routingDrops.sorted { $0.key.rawValue < $1.key.rawValue }.map { ($0.key.rawValue, JSONValue.int($0.value)) })),
        ]))])
    }
}
