/// A problem found inside one rule line; the file parser adds file, line and text to it.
struct RuleProblem: Error {
    var problem: String
    var expected: String?
    init(_ problem: String, expected: String? = nil) {
        self.problem = problem
        self.expected = expected
    }
}

/// The words of a rule after `-A CHAIN`, consumed left to right.
struct ArgumentCursor {
    var tokens: [SaveLineTokenizer.Token]
    var index = 0

    init(_ tokens: [SaveLineTokenizer.Token]) { self.tokens = tokens }

    var atEnd: Bool { index >= tokens.count }
    var peek: SaveLineTokenizer.Token? { atEnd ? nil : tokens[index] }

    mutating func next() -> SaveLineTokenizer.Token? {
        guard !atEnd else { return nil }
        defer { index += 1 }
        return tokens[index]
    }

    /// The argument of `option`; a missing one is the classic "option requires an argument".
    mutating func value(for option: String, expected: String) throws(RuleProblem) -> String {
        guard let token = next() else {
            throw RuleProblem("option \"\(option)\" requires an argument", expected: expected)
        }
        return token.text
    }

    /// Whether the next word starts a new option (or a negation), so optional arguments stop there.
    var nextIsOption: Bool {
        guard let token = peek, !token.quoted else { return false }
        return token.text == "!" || (token.text.hasPrefix("-") && token.text.count > 1 && !token.text.dropFirst().allSatisfy(\.isNumber))
    }
}
