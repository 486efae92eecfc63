import PolicyTestSupport
import Testing
@testable import CalicoModel

private typealias Sel = CalicoModel.Selector

// Vectors marked "upstream" are copied from projectcalico/calico
// libcalico-go/lib/selector/parser/parser_test.go and tokenizer/tokenizer_test.go.

@Suite("SelectorTests")
struct SelectorTests {

    // MARK: - Canonical forms

    struct CanonicalCase: Sendable, CustomTestStringConvertible {
        var input: String
        var expected: String
        var testDescription: String { "\(input) => \(expected)" }
    }

    /// upstream `canonicalisationTests`, all of them.
    static let upstreamCanonical: [CanonicalCase] = [
        .init(input: "", expected: "all()"),
        .init(input: " all() ", expected: "all()"),
        .init(input: " (all() )", expected: "all()"),
        .init(input: #"! (has( b)||! has(a ))"#, expected: #"!(has(b) || !has(a))"#),
        .init(input: #"! (a == "b"&&! c != "d")"#, expected: #"!(a == "b" && !c != "d")"#),
        .init(input: #"a == "'""#, expected: #"a == "'""#),
        .init(input: #"a == '"'"#, expected: #"a == '"'"#),
        .init(input: #"a contains '"'"#, expected: #"a contains '"'"#),
        .init(input: #"a contains "'""#, expected: #"a contains "'""#),
        .init(input: #"a startswith '"'"#, expected: #"a starts with '"'"#),
        .init(input: #"a endswith "'""#, expected: #"a ends with "'""#),
        .init(input: #"a!='"'"#, expected: #"a != '"'"#),
        .init(input: #"a in {"d"}"#, expected: #"a in {"d"}"#),
        .init(input: #"a in {"a", "b"}"#, expected: #"a in {"a", "b"}"#),
        .init(input: #"a in {"d", "a", "b"}"#, expected: #"a in {"a", "b", "d"}"#),
        .init(input: #"a in {"z", "x", "y", "a"}"#, expected: #"a in {"a", "x", "y", "z"}"#),
        .init(input: #"a in {"z", "z", "x", "y", "x", "a"}"#, expected: #"a in {"a", "x", "y", "z"}"#),
    ]

    /// upstream Visitor table, with the `visited/` prefix the visitor adds taken back out.
    static let upstreamVisitorCanonical: [CanonicalCase] = [
        .init(input: "k == 'v'", expected: #"k == "v""#),
        .init(input: "k != 'v'", expected: #"k != "v""#),
        .init(input: "k contains 'v'", expected: #"k contains "v""#),
        .init(input: "k starts with 'v'", expected: #"k starts with "v""#),
        .init(input: "k ends with 'v'", expected: #"k ends with "v""#),
        .init(input: "k == 'v' && x == 'y'", expected: #"(k == "v" && x == "y")"#),
        .init(input: "k == 'v' || has(x)", expected: #"(k == "v" || has(x))"#),
        .init(input: "!(k == 'v')", expected: #"!k == "v""#),
        .init(input: "k in {'v'}", expected: #"k in {"v"}"#),
        .init(input: "k not in {'v'}", expected: #"k not in {"v"}"#),
        .init(input: "!(!(k == 'v' && has(t) || all()) && (a in {'b', 'c'}))",
              expected: #"!(!((k == "v" && has(t)) || all()) && a in {"b", "c"})"#),
    ]

    /// The brief's rules, plus tokenizer corner cases from upstream tokenizer_test.go.
    static let moreCanonical: [CanonicalCase] = [
        .init(input: "global()", expected: "global()"),
        .init(input: " global( ) ", expected: "global()"),
        .init(input: "all( )", expected: "all()"),
        .init(input: "\t", expected: "all()"),
        .init(input: "has(a)", expected: "has(a)"),
        .init(input: "!has(a)", expected: "!has(a)"),
        .init(input: "!!has(a)", expected: "has(a)"),
        .init(input: "!!!has(a)", expected: "!has(a)"),
        .init(input: "!! ! has(a)", expected: "!has(a)"),
        .init(input: "! !!has(a)", expected: "!has(a)"),
        .init(input: "(has(a))", expected: "has(a)"),
        .init(input: "((((has(a)))))", expected: "has(a)"),
        .init(input: "a == 'b' && c == 'd' && e == 'f'", expected: #"(a == "b" && c == "d" && e == "f")"#),
        .init(input: "a == 'b' || c == 'd' || e == 'f'", expected: #"(a == "b" || c == "d" || e == "f")"#),
        .init(input: "(has(a)) && (has(b) && has(c))", expected: "(has(a) && (has(b) && has(c)))"),
        .init(input: "(has(a) && has(b)) && has(c)", expected: "((has(a) && has(b)) && has(c))"),
        .init(input: "has(a) && has(b) || has(c) && has(d)", expected: "((has(a) && has(b)) || (has(c) && has(d)))"),
        .init(input: "has(a) || has(b) && has(c)", expected: "(has(a) || (has(b) && has(c)))"),
        .init(input: "(has(a) || has(b)) && has(c)", expected: "((has(a) || has(b)) && has(c))"),
        .init(input: "!has(a) && !(has(b) || has(c))", expected: "(!has(a) && !(has(b) || has(c)))"),
        .init(input: "has(a) && !all() || global()", expected: "((has(a) && !all()) || global())"),
        .init(input: #"a not in {"b", "a", "b"}"#, expected: #"a not in {"a", "b"}"#),
        .init(input: "a notin{'x'}", expected: #"a not in {"x"}"#),
        .init(input: "a not  in {}", expected: "a not in {}"),
        .init(input: "a in {}", expected: "a in {}"),
        .init(input: "a in {'x',}", expected: #"a in {"x"}"#),
        .init(input: "a in{'y','x'}", expected: #"a in {"x", "y"}"#),
        // '"' (0x22) sorts before "'" (0x27).
        .init(input: #"a in {"'", '"', "c", '"'}"#, expected: #"a in {'"', "'", "c"}"#),
        .init(input: "label == \"value\"", expected: #"label == "value""#),
        .init(input: "a==\"b\"", expected: #"a == "b""#),
        .init(input: "label contains\"value\"", expected: #"label contains "value""#),
        .init(input: "contains contains 'contains'", expected: #"contains contains "contains""#),
        .init(input: "startswith starts with \"value\"", expected: #"startswith starts with "value""#),
        .init(input: "endswith ends with \"value\"", expected: #"endswith ends with "value""#),
        .init(input: "label starts  with \"value\"", expected: #"label starts with "value""#),
        .init(input: "label ends  with \"value\"", expected: #"label ends with "value""#),
        .init(input: "in in {'in'}", expected: #"in in {"in"}"#),
        .init(input: "not not in {'not'}", expected: #"not not in {"not"}"#),
        .init(input: "has == 'x' && all != 'y' && global contains 'z'", expected: #"(has == "x" && all != "y" && global contains "z")"#),
        .init(input: "has(calico/k8s_NS-.1/role)", expected: "has(calico/k8s_NS-.1/role)"),
        .init(input: "calico/k8s_ns == \"kube-system\" && k8s-app == \"kube-dns\"",
              expected: #"(calico/k8s_ns == "kube-system" && k8s-app == "kube-dns")"#),
        .init(input: "projectcalico.org/namespace == 'default' && pcns.kubernetes.io/metadata.name in {'kube-system', 'default'}",
              expected: #"(projectcalico.org/namespace == "default" && pcns.kubernetes.io/metadata.name in {"default", "kube-system"})"#),
        .init(input: "a == ''", expected: #"a == """#),
        .init(input: "a == 'x && y || (z)'", expected: #"a == "x && y || (z)""#),
        .init(input: "a == 'caf\u{E9} \u{65E5}\u{672C}'", expected: "a == \"caf\u{E9} \u{65E5}\u{672C}\""),
        .init(input: "a == 'line\nbreak'", expected: "a == \"line\nbreak\""),
        // Go's byte order: "Z" (0x5A) < "z" (0x7A) < "é" (0xC3 0xA9).
        .init(input: "a in {'\u{E9}', 'z', 'Z'}", expected: "a in {\"Z\", \"z\", \"\u{E9}\"}"),
    ]

    static func checkCanonical(_ c: CanonicalCase) throws {
        let selector = try Sel.parse(c.input)
        #expect(selector.canonical == c.expected)
        // upstream: "should canonicalise ... and round-trip"
        let again = try Sel.parse(selector.canonical)
        #expect(again.canonical == c.expected)
        #expect(again == selector)
    }

    @Test(arguments: upstreamCanonical)
    func upstreamCanonicalisation(_ c: CanonicalCase) throws { try Self.checkCanonical(c) }

    @Test(arguments: upstreamVisitorCanonical)
    func upstreamVisitorCanonicalisation(_ c: CanonicalCase) throws { try Self.checkCanonical(c) }

    @Test(arguments: moreCanonical)
    func moreCanonicalisation(_ c: CanonicalCase) throws { try Self.checkCanonical(c) }

    // MARK: - Tree shape

    @Test func treeShapes() throws {
        let a = Sel.has("a"), b = Sel.has("b"), c = Sel.has("c")
        #expect(try Sel.parse("") == .all)
        #expect(try Sel.parse(" ") == .all)
        #expect(try Sel.parse("all()") == .all)
        #expect(try Sel.parse("global()") == .global)
        #expect(try Sel.parse("has(a) && has(b) && has(c)") == .and([a, b, c]))
        #expect(try Sel.parse("has(a) || has(b) || has(c)") == .or([a, b, c]))
        #expect(try Sel.parse("(has(a)) && (has(b) && has(c))") == .and([a, .and([b, c])]))
        #expect(try Sel.parse("has(a) || has(b) && has(c)") == .or([a, .and([b, c])]))
        #expect(try Sel.parse("!has(a) && has(b)") == .and([.not(a), b]))
        #expect(try Sel.parse("!(has(a) && has(b))") == .not(.and([a, b])))
        #expect(try Sel.parse("!!has(a)") == a)
        #expect(try Sel.parse("!(!has(a))") == .not(.not(a)))
        #expect(try Sel.parse("!(has(a))") == .not(a))
        #expect(try Sel.parse("k == 'v'") == .equal("k", "v"))
        #expect(try Sel.parse("k != \"v\"") == .notEqual("k", "v"))
        #expect(try Sel.parse("k contains 'v'") == .contains("k", "v"))
        #expect(try Sel.parse("k starts with 'v'") == .startsWith("k", "v"))
        #expect(try Sel.parse("k ends with 'v'") == .endsWith("k", "v"))
        #expect(try Sel.parse("k in {'b', 'a', 'b'}") == .inSet("k", ["a", "b"]))
        #expect(try Sel.parse("k not in {'b', 'a', 'b'}") == .notInSet("k", ["a", "b"]))
        #expect(try Sel.parse("k in {}") == .inSet("k", []))
        #expect(try Sel.parse("!k in {'x'}") == .not(.inSet("k", ["x"])))
    }

    /// Upstream quirk, kept: `!(!x)` is a NotNode inside a NotNode and prints as `!!x`, but a run
    /// of `!` collapses by parity when parsed, so that canonical form re-parses to plain `x`
    /// (same truth value, different canonical string). The parser never produces `!!x` otherwise.
    @Test func doubleNegationThroughParentheses() throws {
        let selector = try Sel.parse("!(!has(a))")
        #expect(selector == .not(.not(.has("a"))))
        #expect(selector.canonical == "!!has(a)")
        let reparsed = try Sel.parse(selector.canonical)
        #expect(reparsed == .has("a"))
        #expect(reparsed.canonical == "has(a)")
        for labels: [String: String] in [[:], ["a": ""], ["b": "x"]] {
            #expect(reparsed.matches(labels) == selector.matches(labels))
        }
    }

    @Test func labelLength() throws {
        let ok = String(repeating: "a", count: 512)
        #expect(try Sel.parse("\(ok) == 'x'") == .equal(ok, "x"))
        #expect(try Sel.parse("has( \(ok) )") == .has(ok))
    }

    @Test func canonicalOfHandBuiltValues() {
        // Set values are normalised when printed even if built unsorted.
        #expect(Sel.inSet("a", ["b", "a", "b"]).canonical == #"a in {"a", "b"}"#)
        #expect(Sel.notEqual("a", #"say "hi""#).canonical == #"a != 'say "hi"'"#)
        #expect(Sel.not(.not(.has("a"))).canonical == "!!has(a)")
        #expect(Sel.and([.has("a"), .or([.has("b"), .global])]).canonical == "(has(a) && (has(b) || global()))")
        // Outside the >=2-operand invariant: still parseable and equivalent.
        #expect(Sel.and([]).canonical == "all()")
        #expect(Sel.or([]).canonical == "!all()")
        #expect(Sel.and([.has("a")]).canonical == "(has(a))")
        #expect(Sel.and([]).matches([:]))
        #expect(!Sel.or([]).matches([:]))
    }

    // MARK: - Evaluation (upstream selectorTests)

    struct EvalCase: Sendable, CustomTestStringConvertible {
        var selector: String
        var matches: [[String: String]]
        var nonMatches: [[String: String]]
        var testDescription: String { selector }
    }

    static let upstreamEvaluation: [EvalCase] = [
        .init(selector: #"a == "b""#, matches: [["a": "b"], ["a": "b", "c": "d"]], nonMatches: [[:], ["a": "c"], ["c": "d"]]),
        .init(selector: #"a == "b" && c == "d""#, matches: [["a": "b", "c": "d"]],
              nonMatches: [[:], ["a": "b", "c": "e"], ["a": "c", "c": "d"], ["c": "d"], ["a": "b"]]),
        .init(selector: #"a == "b" || c == "d""#, matches: [["a": "b", "c": "d"], ["a": "b"], ["c": "d"]],
              nonMatches: [[:], ["a": "e", "c": "e"], ["c": "e"], ["a": "e"]]),
        .init(selector: #"a in {"'", '"', "c"}"#, matches: [["a": "c"], ["a": #"""#], ["a": "'"]], nonMatches: [[:], ["a": "e"]]),
        .init(selector: #"a not in {"'", '"', "c"}"#, matches: [[:], ["a": "e"]], nonMatches: [["a": "c"], ["a": #"""#], ["a": "'"]]),
        .init(selector: "a == 'a'", matches: [["a": "a"]], nonMatches: []),
        .init(selector: #"a == "a""#, matches: [["a": "a"]], nonMatches: []),
        .init(selector: #"a != "b""#, matches: [["a": "a"]], nonMatches: []),
        .init(selector: #"a != "a""#, matches: [[:]], nonMatches: []),
        .init(selector: #"a contains "a""#, matches: [["a": "a"], ["a": "bab"], ["a": "aaa", "b": "c"]],
              nonMatches: [[:], ["a": "b"], ["b": "aaa"]]),
        .init(selector: #"a starts with "a""#, matches: [["a": "a"], ["a": "abb"], ["a": "aaa", "b": "c"]],
              nonMatches: [[:], ["a": "b"], ["a": "baa"], ["b": "aaa"]]),
        .init(selector: #"a ends with "a""#, matches: [["a": "a"], ["a": "bba"], ["a": "aaa", "b": "c"]],
              nonMatches: [[:], ["a": "b"], ["a": "aab"], ["b": "aaa"]]),
        .init(selector: #"a in {"a"}"#, matches: [["a": "a"]], nonMatches: []),
        .init(selector: #"!a in {"a"}"#, matches: [["a": "b"]], nonMatches: []),
        .init(selector: #"a in {"a", "b"}"#, matches: [["a": "a"]], nonMatches: []),
        .init(selector: #"a in {"a", "b"}"#, matches: [["a": "b"]], nonMatches: []),
        .init(selector: #"a not in {"d", "e"}"#, matches: [["a": "a"]], nonMatches: []),
        .init(selector: "has(a)", matches: [["a": "b"]], nonMatches: []),
        .init(selector: "!has(a)", matches: [["b": "b"]], nonMatches: []),
        .init(selector: "", matches: [[:]], nonMatches: []),
        .init(selector: " ", matches: [[:]], nonMatches: []),
        .init(selector: "", matches: [["a": "b"]], nonMatches: []),
        .init(selector: "all()", matches: [[:]], nonMatches: []),
        .init(selector: " all()", matches: [[:]], nonMatches: []),
        .init(selector: " all()", matches: [["a": "b"]], nonMatches: []),
        .init(selector: "global()", matches: [[:]], nonMatches: []),
        .init(selector: " global()", matches: [[:]], nonMatches: []),
        .init(selector: " global()", matches: [["a": "b"]], nonMatches: []),
        .init(selector: "a == 'a'", matches: [], nonMatches: [["a": "b"]]),
        .init(selector: "a == 'a'", matches: [], nonMatches: [[:]]),
        .init(selector: #"a != "a""#, matches: [], nonMatches: [["a": "a"]]),
        .init(selector: "a != 'a'", matches: [], nonMatches: [["a": "a"]]),
        .init(selector: #"a in {"a"}"#, matches: [], nonMatches: [["a": "b"]]),
        .init(selector: #"a not in {"a"}"#, matches: [], nonMatches: [["a": "a"]]),
        .init(selector: #"a in {"a", "b"}"#, matches: [], nonMatches: [["a": "c"]]),
        .init(selector: "has(b)", matches: [], nonMatches: [["a": "b"]]),
        .init(selector: "!!has(b)", matches: [], nonMatches: [["a": "b"]]),
        .init(selector: "! has(a)", matches: [], nonMatches: [["a": "b"]]),
        .init(selector: "!has(a)", matches: [], nonMatches: [["a": "b"]]),
        .init(selector: "!!! has(a)", matches: [], nonMatches: [["a": "b"]]),
        .init(selector: "!!!has(a)", matches: [], nonMatches: [["a": "b"]]),
        .init(selector: "!! ! has(a)", matches: [], nonMatches: [["a": "b"]]),
        .init(selector: "! !!has(a)", matches: [], nonMatches: [["a": "b"]]),
        .init(selector: "a == 'a1' && b == 'b1'", matches: [["a": "a1", "b": "b1"]], nonMatches: []),
        .init(selector: "a == 'a1' && b != 'b1'", matches: [], nonMatches: [["a": "a1", "b": "b1"]]),
        .init(selector: "a != 'a1' && b == 'b1'", matches: [], nonMatches: [["a": "a1", "b": "b1"]]),
        .init(selector: "a != 'a1' && b != 'b1'", matches: [], nonMatches: [["a": "a1", "b": "b1"]]),
        .init(selector: "a != 'a1' && !b == 'b1'", matches: [], nonMatches: [["a": "a1", "b": "b1"]]),
        .init(selector: "!a == 'a1' && b == 'b1'", matches: [], nonMatches: [["a": "a1", "b": "b1"]]),
        .init(selector: "has(a) && !has(b)", matches: [["a": "a"]], nonMatches: []),
        .init(selector: "!has(b) && has(a)", matches: [["a": "a"]], nonMatches: []),
        .init(selector: "!(!has(a) || has(b))", matches: [["a": "a"]], nonMatches: []),
        .init(selector: "!(has(b) || !has(a))", matches: [["a": "a"]], nonMatches: []),
        .init(selector: "a == 'a1' || b == 'b1'", matches: [["a": "a1", "b": "b1"]], nonMatches: []),
        .init(selector: "a == 'a1' || b != 'b1'", matches: [["a": "a1", "b": "b1"]], nonMatches: []),
        .init(selector: "a != 'a1' || b == 'b1'", matches: [["a": "a1", "b": "b1"]], nonMatches: []),
        .init(selector: "a != 'a1' || b != 'b1'", matches: [], nonMatches: [["a": "a1", "b": "b1"]]),
        .init(selector: "! a == 'a1' || ! b == 'b1'", matches: [], nonMatches: [["a": "a1", "b": "b1"]]),
    ]

    @Test(arguments: upstreamEvaluation)
    func upstreamEvaluationTable(_ c: EvalCase) throws {
        let selector = try Sel.parse(c.selector)
        // upstream: "should match after canonicalising" / "should not match after canonicalising"
        let canonicalised = try Sel.parse(selector.canonical)
        for labels in c.matches {
            #expect(selector.matches(labels), "\(c.selector) should match \(labels)")
            #expect(canonicalised.matches(labels), "\(selector.canonical) should match \(labels)")
        }
        for labels in c.nonMatches {
            #expect(!selector.matches(labels), "\(c.selector) should not match \(labels)")
            #expect(!canonicalised.matches(labels), "\(selector.canonical) should not match \(labels)")
        }
    }

    /// Presence/absence semantics of every operator, on: label absent, label equal to the operand,
    /// label different.
    @Test func operatorTruthTable() {
        let absent: [String: String] = ["other": "x"]
        let same: [String: String] = ["k": "abc"]
        let different: [String: String] = ["k": "xyz"]
        let rows: [(Sel, absent: Bool, same: Bool, different: Bool)] = [
            (.equal("k", "abc"), false, true, false),
            (.notEqual("k", "abc"), true, false, true),
            (.contains("k", "b"), false, true, false),
            (.contains("k", ""), false, true, true),
            (.startsWith("k", "ab"), false, true, false),
            (.startsWith("k", ""), false, true, true),
            (.endsWith("k", "bc"), false, true, false),
            (.endsWith("k", "abcd"), false, false, false),
            (.inSet("k", ["abc", "def"]), false, true, false),
            (.inSet("k", []), false, false, false),
            (.notInSet("k", ["abc", "def"]), true, false, true),
            (.notInSet("k", []), true, true, true),
            (.has("k"), false, true, true),
            (.not(.has("k")), true, false, false),
            (.all, true, true, true),
            (.global, true, true, true),
            (.not(.global), false, false, false),
            (.and([.has("k"), .notEqual("k", "abc")]), false, false, true),
            (.or([.equal("k", "abc"), .not(.has("k"))]), true, true, false),
        ]
        for row in rows {
            #expect(row.0.matches(absent) == row.absent, "\(row.0.canonical) on absent")
            #expect(row.0.matches(same) == row.same, "\(row.0.canonical) on same")
            #expect(row.0.matches(different) == row.different, "\(row.0.canonical) on different")
        }
    }

    /// Strings compare as Go compares them: by bytes, not by Unicode canonical equivalence.
    @Test func byteWiseComparison() {
        let precomposed = "caf\u{E9}", decomposed = "cafe\u{301}"
        #expect(precomposed == decomposed)  // Swift's own notion...
        #expect(!Sel.equal("a", precomposed).matches(["a": decomposed]))  // ...is not upstream's.
        #expect(Sel.notEqual("a", precomposed).matches(["a": decomposed]))
        #expect(!Sel.inSet("a", [precomposed]).matches(["a": decomposed]))
        #expect(!Sel.startsWith("a", "caf\u{E9}").matches(["a": decomposed]))
        #expect(Sel.startsWith("a", "cafe").matches(["a": decomposed]))
        #expect(Sel.contains("a", "e\u{301}").matches(["a": "x" + decomposed]))
        #expect(Sel.endsWith("a", "\u{301}").matches(["a": decomposed]))
        // KELVIN SIGN is canonically equivalent to "K": a Swift dictionary finds one for the other.
        #expect(!Sel.has("K").matches(["\u{212A}": "v"]))
        #expect(Sel.has("K").matches(["K": "v"]))
    }

    // MARK: - Errors

    /// upstream `badSelectors`, all of them, plus tokenizer_test.go's error inputs.
    static let upstreamBad: [String] = [
        "b == b", "b contains b", "b starts with b", "b ends with b", "'b1' == b", "b", "a b", "!",
        #"foo == "bar" &"#, #"foo == "bar" |"#, "foo != ||", #"foo in {"", ||"#, #"foo in """#,
        #""FOO"#, #""FOO'"#, "'FOO", "(", #"(a == "foo""#, ")", "()", "%",
        #"a == "b" && %"#, #"a == "b" || %"#, "a ", "has(foo) &&",
        #"label starts foo "value""#, #"label ends foo "value""#, #"label squiggles "value""#,
        #"a not in "bar" && !has(foo) || b in c"#, #"a notin"bar"&&!has(foo)||b in"c""#,
    ]

    @Test(arguments: upstreamBad)
    func upstreamBadSelectors(_ text: String) {
        #expect(throws: SelectorError.self) { try Sel.parse(text) }
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var input: String
        var offset: Int
        var message: String
        var testDescription: String { input }
    }

    static let operatorList = "(==, !=, in, not in, contains, starts with, ends with)"
    static let termList = #"expected a label name, has(label), all(), global(), "!" or "(""#

    static let errorCases: [ErrorCase] = [
        .init(input: "app ==", offset: 6, message: #"expected a quoted string after "==", found the end of the selector"#),
        .init(input: "app", offset: 3, message: "expected a label operator \(operatorList) after \"app\""),
        .init(input: "app ", offset: 4, message: "expected a label operator \(operatorList) after \"app\""),
        .init(input: "app foo", offset: 4, message: "expected a label operator \(operatorList) after \"app\""),
        .init(input: "app)", offset: 3, message: "expected a label operator \(operatorList) after \"app\""),
        .init(input: "a starts foo 'v'", offset: 2, message: "expected a label operator \(operatorList) after \"a\""),
        .init(input: "a inside {}", offset: 2, message: "expected a label operator \(operatorList) after \"a\""),
        .init(input: "a containsx 'v'", offset: 2, message: "expected a label operator \(operatorList) after \"a\""),
        .init(input: "has(", offset: 4, message: #"expected a label name after "has(", found the end of the selector"#),
        .init(input: "has( )", offset: 5, message: #"expected a label name after "has(", found ")""#),
        .init(input: "has(a", offset: 5, message: #"expected ")" after "has(a", found the end of the selector"#),
        .init(input: "has(a b)", offset: 6, message: #"expected ")" after "has(a", found "b""#),
        .init(input: "all(x)", offset: 4, message: #"expected ")" after "all(", found "x""#),
        .init(input: "global(", offset: 7, message: #"expected ")" after "global(", found the end of the selector"#),
        .init(input: "a in {", offset: 6, message: #"expected a quoted string or "}" in the set of values, found the end of the selector"#),
        .init(input: "a in {'x'", offset: 9, message: #"expected "," or "}" in the set of values, found the end of the selector"#),
        .init(input: "a in {'x' 'y'}", offset: 10, message: #"expected "," or "}" in the set of values, found string "y""#),
        .init(input: "a in {,}", offset: 6, message: #"expected a quoted string or "}" in the set of values, found ",""#),
        .init(input: "a in {'x', %}", offset: 11, message: #"unexpected character "%": expected a quoted string or "}""#),
        .init(input: "a in {'x' %}", offset: 10, message: #"unexpected character "%": expected "," or "}""#),
        .init(input: "a in 'x'", offset: 5, message: #"expected "{" to start a set of values after "in", found string "x""#),
        .init(input: "a not in", offset: 8, message: #"expected "{" to start a set of values after "not in", found the end of the selector"#),
        .init(input: "((a == 'b')", offset: 11,
              message: #"expected "&&", "||" or ")" to close the "(" at character 0, found the end of the selector"#),
        .init(input: "(a == 'b' c", offset: 10,
              message: #"expected "&&", "||" or ")" to close the "(" at character 0, found label "c""#),
        .init(input: "a == 'b' &&", offset: 11, message: termList + #" after "&&", found the end of the selector"#),
        .init(input: "a == 'b' || ||", offset: 12, message: termList + #" after "||", found "||""#),
        .init(input: "!", offset: 1, message: termList + #" after "!", found the end of the selector"#),
        .init(input: ")", offset: 0, message: termList + #", found ")""#),
        .init(input: "()", offset: 1, message: termList + #" after "(", found ")""#),
        .init(input: "'b1' == b", offset: 0, message: termList + #", found string "b1""#),
        .init(input: "a == b", offset: 5, message: #"expected a quoted string after "==", found label "b""#),
        .init(input: "a contains", offset: 10, message: #"expected a quoted string after "contains", found the end of the selector"#),
        .init(input: "a starts with {}", offset: 14, message: #"expected a quoted string after "starts with", found "{""#),
        .init(input: "a == 'b')", offset: 8, message: #"expected "&&", "||" or the end of the selector, found ")""#),
        .init(input: "has(a) b == 'c'", offset: 7, message: #"expected "&&", "||" or the end of the selector, found label "b""#),
        .init(input: "a == 'b' c", offset: 9, message: #"expected "&&", "||" or the end of the selector, found label "c""#),
        .init(input: "a == \"b", offset: 5, message: #"unterminated string literal: expected a closing " before the end of the selector"#),
        .init(input: "'FOO", offset: 0, message: "unterminated string literal: expected a closing ' before the end of the selector"),
        .init(input: #""FOO'"#, offset: 0, message: #"unterminated string literal: expected a closing " before the end of the selector"#),
        .init(input: "%", offset: 0, message: #"unexpected character "%": "# + termList),
        .init(input: "a == 'b' && %", offset: 12, message: #"unexpected character "%": "# + termList),
        .init(input: "a == %", offset: 5, message: #"unexpected character "%": expected a quoted string after "==""#),
        .init(input: "a in %", offset: 5, message: #"unexpected character "%": expected "{" after "in""#),
        .init(input: "has(a) %", offset: 7, message: #"unexpected character "%": expected "&&", "||", ")" or the end of the selector"#),
        .init(input: "a == 'b'\n", offset: 8, message: #"unexpected character "\n": expected "&&", "||", ")" or the end of the selector"#),
        .init(input: "a = 'b'", offset: 2, message: #"expected "==", found a single "=""#),
        .init(input: "a == 'b' & c", offset: 9, message: #"expected "&&", found a single "&""#),
        .init(input: "a == 'b' |", offset: 9, message: #"expected "||", found a single "|""#),
        // Offsets count characters, not UTF-8 bytes: "é" is one character, two bytes.
        .init(input: "a == '\u{E9}' && %", offset: 12, message: #"unexpected character "%": "# + termList),
        .init(input: "a == '\u{E9}' &&  \u{E9}", offset: 13, message: "unexpected character \"\u{E9}\": " + termList),
        .init(input: String(repeating: "a", count: 513) + " == 'x'", offset: 0, message: "label name is longer than 512 characters"),
        .init(input: String(repeating: "(", count: 300) + "has(a)" + String(repeating: ")", count: 300), offset: 200,
              message: "parentheses nested more than 200 deep"),
    ]

    @Test(arguments: errorCases)
    func errorOffsetsAndMessages(_ c: ErrorCase) {
        do {
            let selector = try Sel.parse(c.input)
            Issue.record("expected an error, parsed \(selector.canonical)")
        } catch {
            #expect(error.selector == c.input)
            #expect(error.offset == c.offset)
            #expect(error.message == c.message)
        }
    }

    @Test func errorDescription() {
        let error = SelectorError(selector: "app ==", offset: 6,
                                  message: #"expected a quoted string after "==", found the end of the selector"#)
        #expect(error.description == #"selector "app ==": at character 6: expected a quoted string after "==", found the end of the selector"#)
        do {
            _ = try Sel.parse("app")
            Issue.record("should not parse")
        } catch {
            #expect(error.description == "selector \"app\": at character 3: expected a label operator \(Self.operatorList) after \"app\"")
        }
    }

    @Test func deepButAllowedNesting() throws {
        let text = String(repeating: "(", count: 200) + "has(a)" + String(repeating: ")", count: 200)
        #expect(try Sel.parse(text) == .has("a"))
        let bangs = String(repeating: "!", count: 10_001) + "has(a)"
        #expect(try Sel.parse(bangs) == .not(.has("a")))
    }

    // MARK: - Properties over random inputs

    static let keys = [
        "a", "b", "app", "k8s-app", "projectcalico.org/namespace", "pcns.kubernetes.io/metadata.name",
        "in", "not", "contains", "has", "all", "global", "starts", "with", "ends", "_x.y-z/w", "0",
    ]
    static let shortValues = ["", "a", "b", "ab", "ba", "aba", "caf\u{E9}", "cafe\u{301}", "x y"]
    static let valueAtoms = [
        "a", "b", " ", "'", "\"", "\u{E9}", "e\u{301}", "\u{65E5}", "&&", "||", "(", ")", "{", "}", ",", "!", "\t", "\n", "==",
    ]

    static func randomValue(_ rng: inout ClusterRandom) -> String {
        if rng.below(3) > 0 { return rng.pick(shortValues) }
        var s = ""
        for _ in 0..<rng.below(6) { s += rng.pick(valueAtoms) }
        // A value holding both kinds of quote cannot be written back (upstream too).
        if s.contains("'") && s.contains("\"") { s = s.replacingAll("'", with: "") }
        return s
    }

    fileprivate static func randomLeaf(_ rng: inout ClusterRandom) -> Sel {
        let key = rng.pick(keys)
        switch rng.below(11) {
        case 0: return .all
        case 1: return .global
        case 2: return .equal(key, randomValue(&rng))
        case 3: return .notEqual(key, randomValue(&rng))
        case 4: return .contains(key, randomValue(&rng))
        case 5: return .startsWith(key, randomValue(&rng))
        case 6: return .endsWith(key, randomValue(&rng))
        case 7, 8:
            let values = (0..<rng.below(4)).map { _ in randomValue(&rng) }
            let set = Sel.normalizedSet(values)
            return rng.below(2) == 0 ? .inSet(key, set) : .notInSet(key, set)
        default: return .has(key)
        }
    }

    /// Random trees in the form the parser produces: and/or with >= 2 operands, normalised sets,
    /// and no `not` directly inside a `not` (the parser collapses `!!x` to `x`).
    fileprivate static func randomSelector(_ rng: inout ClusterRandom, depth: Int) -> Sel {
        if depth == 0 || rng.below(4) == 0 { return randomLeaf(&rng) }
        switch rng.below(4) {
        case 0:
            let inner = randomSelector(&rng, depth: depth - 1)
            if case .not = inner { return inner }
            return .not(inner)
        case 1: return .and((0..<(2 + rng.below(3))).map { _ in randomSelector(&rng, depth: depth - 1) })
        case 2: return .or((0..<(2 + rng.below(3))).map { _ in randomSelector(&rng, depth: depth - 1) })
        default: return randomLeaf(&rng)
        }
    }

    static func randomLabels(_ rng: inout ClusterRandom) -> [String: String] {
        var labels: [String: String] = [:]
        for key in keys where rng.below(3) == 0 {
            labels[key] = randomValue(&rng)
        }
        return labels
    }

    @Test func canonicalRoundTripProperty() throws {
        var rng = ClusterRandom(seed: 0xCA11C0)
        for _ in 0..<3000 {
            let selector = Self.randomSelector(&rng, depth: 4)
            let canonical = selector.canonical
            let reparsed: Sel
            do {
                reparsed = try Sel.parse(canonical)
            } catch {
                Issue.record("canonical form did not parse: \(error)")
                continue
            }
            #expect(reparsed.canonical == canonical)
            #expect(reparsed == selector, "\(canonical)")
            for _ in 0..<8 {
                let labels = Self.randomLabels(&rng)
                #expect(reparsed.matches(labels) == selector.matches(labels), "\(canonical) on \(labels)")
            }
        }
    }

    /// Random strings of selector-ish fragments: parsing never crashes, and whatever parses has a
    /// canonical form that is a fixed point and evaluates the same.
    @Test func fuzzNeverCrashes() {
        let atoms = [
            "a", "b", "app", " ", "  ", "\t", "==", "!=", "=", "!", "&&", "&", "||", "|", "(", ")", "{", "}", ",",
            "'x'", "\"y\"", "'", "\"", "in", " in ", "not in", " not ", "contains", " starts with ", " ends with ",
            "has(", "has(a)", "all()", "all(", "global()", "%", "\u{E9}", "\n", "k/x.y-z",
        ]
        var rng = ClusterRandom(seed: 42)
        var parsed = 0
        for _ in 0..<20000 {
            var text = ""
            for _ in 0..<rng.below(12) { text += rng.pick(atoms) }
            do {
                let selector = try Sel.parse(text)
                parsed += 1
                let canonical = selector.canonical
                let again = try Sel.parse(canonical)
                #expect(again.canonical == canonical, "\(text)")
                for _ in 0..<3 {
                    let labels = Self.randomLabels(&rng)
                    #expect(again.matches(labels) == selector.matches(labels))
                }
            } catch {
                #expect(error.offset >= 0 && error.offset <= text.count, "\(text): \(error)")
                #expect(!error.message.isEmpty)
            }
        }
        #expect(parsed > 100)
    }
}

private extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self {
            if c == target { out += replacement } else { out.append(c) }
        }
        return out
    }
}
