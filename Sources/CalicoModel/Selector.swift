/// A Calico label selector, as libcalico-go's `selector/parser` represents it.
///
/// The cases mirror upstream's AST nodes one-to-one:
///
/// | case           | upstream node              | canonical form            |
/// |----------------|----------------------------|---------------------------|
/// | `all`          | `AllNode`                  | `all()`                   |
/// | `global`       | `GlobalNode`               | `global()`                |
/// | `equal`        | `LabelEqValueNode`         | `k == "v"`                |
/// | `notEqual`     | `LabelNeValueNode`         | `k != "v"`                |
/// | `contains`     | `LabelContainsValueNode`   | `k contains "v"`          |
/// | `startsWith`   | `LabelStartsWithValueNode` | `k starts with "v"`       |
/// | `endsWith`     | `LabelEndsWithValueNode`   | `k ends with "v"`         |
/// | `inSet`        | `LabelInSetNode`           | `k in {"a", "b"}`         |
/// | `notInSet`     | `LabelNotInSetNode`        | `k not in {"a", "b"}`     |
/// | `has`          | `HasNode`                  | `has(k)`                  |
/// | `not`          | `NotNode`                  | `!` + operand             |
/// | `and`          | `AndNode`                  | `(op1 && op2 && ...)`     |
/// | `or`           | `OrNode`                   | `(op1 \|\| op2 \|\| ...)` |
///
/// Invariants of a parsed selector (the parser guarantees them; values you build yourself should
/// respect them too for `canonical` to re-parse to the same value):
/// - `and`/`or` have at least two operands; a chain `a && b && c` is one node with three operands,
///   while parentheses are kept as nesting (`(a) && (b && c)` is `and([a, and([b, c])])`).
/// - `inSet`/`notInSet` values are sorted by UTF-8 bytes (Go's string order) and de-duplicated.
/// - runs of `!` collapse by parity, so a parsed `not` is only directly nested in another `not`
///   when parentheses separate them (`!(!has(a))`).
public indirect enum Selector: Hashable, Sendable {
    /// `all()`, and also the empty (or all-whitespace) selector.
    case all
    /// `global()`. Evaluates to true on every label set, exactly as upstream's `GlobalNode`:
    /// its "match only non-namespaced endpoints" meaning is applied by felix's callers (which
    /// look for `global()` in a namespace selector), not by evaluation.
    case global
    case equal(String, String), notEqual(String, String)
    case contains(String, String), startsWith(String, String), endsWith(String, String)
    /// Values sorted (by UTF-8 bytes) and de-duplicated.
    case inSet(String, [String]), notInSet(String, [String])
    case has(String)
    case not(Selector)
    /// At least two operands; not flattened across parentheses.
    case and([Selector]), or([Selector])

    /// Parses `text` exactly as libcalico-go's `parser.Parse` does (same tokenizer rules, same
    /// accepted language, same tree shape), reporting failures with a character offset and what
    /// was expected there.
    public static func parse(_ text: String) throws(SelectorError) -> Selector {
        try SelectorParser.parse(text)
    }

    /// Felix's canonical string for this selector: upstream's `Selector.String()`, the text whose
    /// hash names felix's selector ipsets.
    public var canonical: String {
        var out = ""
        writeCanonical(into: &out)
        return out
    }

    /// Evaluates the selector against a set of labels with upstream's semantics:
    /// `k == v` needs `k` present with value `v`; `k != v` is true when `k` is absent or different;
    /// `in` needs presence; `not in` is true when absent; `contains`/`starts with`/`ends with`
    /// need presence; `has(k)` is presence; `all()` and `global()` are always true.
    ///
    /// Keys and values are compared byte-for-byte on their UTF-8 encodings, as Go compares strings
    /// (not with Swift's Unicode canonical equivalence).
    public func matches(_ labels: [String: String]) -> Bool {
        switch self {
        case .all, .global:
            return true
        case let .equal(key, value):
            guard let actual = Selector.lookup(key, in: labels) else { return false }
            return actual.utf8.elementsEqual(value.utf8)
        case let .notEqual(key, value):
            guard let actual = Selector.lookup(key, in: labels) else { return true }
            return !actual.utf8.elementsEqual(value.utf8)
        case let .contains(key, value):
            guard let actual = Selector.lookup(key, in: labels) else { return false }
            return Selector.bytes(of: actual, contain: value)
        case let .startsWith(key, value):
            guard let actual = Selector.lookup(key, in: labels) else { return false }
            return actual.utf8.starts(with: value.utf8)
        case let .endsWith(key, value):
            guard let actual = Selector.lookup(key, in: labels) else { return false }
            let a = actual.utf8, v = value.utf8
            return a.count >= v.count && a.suffix(v.count).elementsEqual(v)
        case let .inSet(key, values):
            guard let actual = Selector.lookup(key, in: labels) else { return false }
            return values.contains { $0.utf8.elementsEqual(actual.utf8) }
        case let .notInSet(key, values):
            guard let actual = Selector.lookup(key, in: labels) else { return true }
            return !values.contains { $0.utf8.elementsEqual(actual.utf8) }
        case let .has(key):
            return Selector.lookup(key, in: labels) != nil
        case let .not(operand):
            return !operand.matches(labels)
        case let .and(operands):
            return operands.allSatisfy { $0.matches(labels) }
        case let .or(operands):
            return operands.contains { $0.matches(labels) }
        }
    }
}

// MARK: - Canonical form

extension Selector {
    func writeCanonical(into out: inout String) {
        switch self {
        case .all:
            out += "all()"
        case .global:
            out += "global()"
        case let .equal(key, value):
            Selector.writeLabelOp(key, " == ", value, into: &out)
        case let .notEqual(key, value):
            Selector.writeLabelOp(key, " != ", value, into: &out)
        case let .contains(key, value):
            Selector.writeLabelOp(key, " contains ", value, into: &out)
        case let .startsWith(key, value):
            Selector.writeLabelOp(key, " starts with ", value, into: &out)
        case let .endsWith(key, value):
            Selector.writeLabelOp(key, " ends with ", value, into: &out)
        case let .inSet(key, values):
            Selector.writeSetOp(key, "in", values, into: &out)
        case let .notInSet(key, values):
            Selector.writeSetOp(key, "not in", values, into: &out)
        case let .has(key):
            out += "has("
            out += key
            out += ")"
        case let .not(operand):
            out += "!"
            operand.writeCanonical(into: &out)
        case let .and(operands):
            Selector.writeBoolean(operands, " && ", empty: "all()", into: &out)
        case let .or(operands):
            Selector.writeBoolean(operands, " || ", empty: "!all()", into: &out)
        }
    }

    /// `(op1 sep op2 ...)`, as upstream's AndNode/OrNode. Operand lists outside the ≥2 invariant
    /// still print something that parses and evaluates the same: an empty `and` is `all()`, an
    /// empty `or` is `!all()`, and a single operand prints as `(op)`.
    private static func writeBoolean(_ operands: [Selector], _ separator: String, empty: String, into out: inout String) {
        guard !operands.isEmpty else {
            out += empty
            return
        }
        out += "("
        for (i, operand) in operands.enumerated() {
            if i > 0 { out += separator }
            operand.writeCanonical(into: &out)
        }
        out += ")"
    }

    private static func writeLabelOp(_ key: String, _ op: String, _ value: String, into out: inout String) {
        out += key
        out += op
        writeQuoted(value, into: &out)
    }

    private static func writeSetOp(_ key: String, _ op: String, _ values: [String], into out: inout String) {
        out += key
        out += " "
        out += op
        out += " {"
        for (i, value) in normalizedSet(values).enumerated() {
            if i > 0 { out += ", " }
            writeQuoted(value, into: &out)
        }
        out += "}"
    }

    /// Double quotes, or single quotes when the value contains a double quote (upstream's rule;
    /// a value containing both kinds of quote cannot be written back, upstream or here).
    private static func writeQuoted(_ value: String, into out: inout String) {
        let quote = value.utf8.contains(UInt8(ascii: "\"")) ? "'" : "\""
        out += quote
        out += value
        out += quote
    }
}

// MARK: - Helpers shared with the parser

extension Selector {
    /// Sorts by UTF-8 bytes and removes byte-identical duplicates: Go's `sort.Strings` + de-dup,
    /// upstream's `ConvertToStringSetInPlace`.
    static func normalizedSet(_ values: [String]) -> [String] {
        if values.count <= 1 { return values }
        let sorted = values.sorted { utf8Less($0, $1) }
        var out: [String] = [sorted[0]]
        out.reserveCapacity(sorted.count)
        for value in sorted.dropFirst() where !value.utf8.elementsEqual(out[out.count - 1].utf8) {
            out.append(value)
        }
        return out
    }

    static func utf8Less(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// A label's value, looked up by exact UTF-8 bytes of the key (Go map semantics). Swift's
    /// `Dictionary` matches keys by canonical equivalence, so the stored key is re-checked.
    static func lookup(_ key: String, in labels: [String: String]) -> String? {
        guard let index = labels.index(forKey: key) else { return nil }
        let entry = labels[index]
        guard entry.key.utf8.elementsEqual(key.utf8) else { return nil }
        return entry.value
    }

    /// Go's `strings.Contains`: a byte-wise substring search.
    static func bytes(of haystack: String, contain needle: String) -> Bool {
        let h = Array(haystack.utf8), n = Array(needle.utf8)
        if n.isEmpty { return true }
        if n.count > h.count { return false }
        outer: for start in 0...(h.count - n.count) {
            for j in 0..<n.count where h[start + j] != n[j] {
                continue outer
            }
            return true
        }
        return false
    }
}
