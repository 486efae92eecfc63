// The selector tokenizer and parser, following libcalico-go's
// `lib/selector/tokenizer/tokenizer.go` and `lib/selector/parser/parser.go`:
//
// - The whole input is tokenized first, on UTF-8 bytes; whitespace is only ' ' and '\t'
//   (a newline is an unexpected character, as upstream).
// - `(`, `)`, `{`, `}`, `,`, quoted strings, `==`, `!=`, `!`, `&&`, `||` are recognised anywhere.
// - Otherwise, straight after a label, only an operator word may follow: `contains`,
//   `starts with`, `ends with`, `not in`, `in` (the two-word operators may have any run of
//   blanks, including none, between the words: `startswith`, `notin`), each ending at a word
//   boundary (end of input or a byte that cannot be in a label).
// - Elsewhere `has(label)`, `all()`, `global()` (blanks allowed inside the parentheses) or a label
//   (`[A-Za-z0-9_./-]`, at most 512 bytes).
// - String literals run from a quote to the next identical quote; there are no escapes.
// - Grammar: or := and ("||" and)* ; and := op ("&&" op)* ;
//   op := "!"* ( has | all | global | label cmp string | label (in|not in) "{" [string ("," string)*] [","] "}"
//              | "(" or ")" ).
//   A run of `!` collapses by parity; one `and`/`or` node per chain, kept nested across
//   parentheses; a single term in parentheses is just that term; an empty input is `all()`.
//
// One deliberate limit upstream does not have: parentheses may nest at most
// `SelectorParser.maxNesting` deep, so that pathological input is an error rather than a stack
// overflow.

enum SelectorTokenKind: Equatable, Sendable {
    case label, string
    case lBrace, rBrace, comma
    case eq, ne, `in`, not, notIn, contains, startsWith, endsWith
    case all, has, global
    case lParen, rParen, and, or
    case eof
}

struct SelectorToken: Sendable {
    var kind: SelectorTokenKind
    /// Label name for `.label`/`.has`, the unquoted text for `.string`, otherwise empty.
    var value: String
    /// UTF-8 byte offset of the token's first byte.
    var start: Int
    /// The quote byte a string literal used.
    var quote: UInt8 = 0
}

/// An error positioned by UTF-8 byte offset; converted to a character offset at the end.
struct SelectorRawError: Error {
    var byteOffset: Int
    var message: String
}

enum SelectorParser {
    /// Upstream's `tokenizer.MaxLabelLength`.
    static let maxLabelLength = 512
    /// How deeply parentheses may nest.
    static let maxNesting = 200

    static let labelOperatorList = "(==, !=, in, not in, contains, starts with, ends with)"

    static func parse(_ text: String) throws(SelectorError) -> Selector {
        let bytes = Array(text.utf8)
        do {
            var tokenizer = SelectorTokenizer(text: text, bytes: bytes)
            let tokens = try tokenizer.tokenize()
            var parser = SelectorTokenParser(tokens: tokens, text: text, bytes: bytes)
            return try parser.parseRoot()
        } catch {
            throw SelectorError(
                selector: text,
                offset: characterOffset(in: text, utf8Offset: error.byteOffset),
                message: error.message
            )
        }
    }

    /// The number of characters that start before the given UTF-8 offset.
    static func characterOffset(in text: String, utf8Offset: Int) -> Int {
        let utf8 = text.utf8
        let clamped = max(0, min(utf8Offset, utf8.count))
        let target = utf8.index(utf8.startIndex, offsetBy: clamped)
        var index = text.startIndex
        var count = 0
        while index < target {
            text.formIndex(after: &index)
            count += 1
        }
        return count
    }

    static func isLabelByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// Shows a string value the way the canonical form would quote it.
    static func quoted(_ value: String) -> String {
        value.utf8.contains(UInt8(ascii: "\"")) ? "'\(value)'" : "\"\(value)\""
    }
}

// MARK: - Tokenizer

struct SelectorTokenizer {
    let text: String
    let bytes: [UInt8]
    var pos = 0
    var tokens: [SelectorToken] = []
    /// Whether the last brace seen was `{` (only used to phrase errors).
    var inBraces = false

    init(text: String, bytes: [UInt8]) {
        self.text = text
        self.bytes = bytes
    }

    private var atEnd: Bool { pos >= bytes.count }

    private func byte(_ offset: Int = 0) -> UInt8? {
        let i = pos + offset
        return i < bytes.count ? bytes[i] : nil
    }

    private mutating func skipBlanks() {
        while pos < bytes.count, bytes[pos] == UInt8(ascii: " ") || bytes[pos] == UInt8(ascii: "\t") {
            pos += 1
        }
    }

    private func hasPrefix(_ word: String, at offset: Int) -> Bool {
        let w = Array(word.utf8)
        guard offset + w.count <= bytes.count else { return false }
        for (i, c) in w.enumerated() where bytes[offset + i] != c {
            return false
        }
        return true
    }

    private func isWordBoundary(_ offset: Int) -> Bool {
        offset >= bytes.count || !SelectorParser.isLabelByte(bytes[offset])
    }

    /// Upstream's `cutPrefixCheckBreak`.
    private mutating func cutWord(_ word: String) -> Bool {
        guard hasPrefix(word, at: pos) else { return false }
        let end = pos + word.utf8.count
        guard isWordBoundary(end) else { return false }
        pos = end
        return true
    }

    /// Upstream's `cutMultiWordPrefixCheckBreak`: each word followed by optional blanks; only the
    /// end of the last word (after its blanks) must be a word boundary.
    private mutating func cutWords(_ words: String...) -> Bool {
        var p = pos
        for word in words {
            guard hasPrefix(word, at: p) else { return false }
            p += word.utf8.count
            while p < bytes.count, bytes[p] == UInt8(ascii: " ") || bytes[p] == UInt8(ascii: "\t") {
                p += 1
            }
        }
        guard isWordBoundary(p) else { return false }
        pos = p
        return true
    }

    private mutating func emit(_ kind: SelectorTokenKind, start: Int, value: String = "", quote: UInt8 = 0) {
        tokens.append(SelectorToken(kind: kind, value: value, start: start, quote: quote))
    }

    /// What is at `offset`, for "found ..." in messages.
    func foundDescription(at offset: Int) -> String {
        guard offset < bytes.count else { return "the end of the selector" }
        let utf8 = text.utf8
        let index = utf8.index(utf8.startIndex, offsetBy: offset)
        let scalar = text.unicodeScalars[index]
        return "\"\(scalar.escaped(asASCII: false))\""
    }

    /// A label at `pos` (upstream's `cutIdentifier`), or nil if there is none.
    private mutating func cutLabel() throws(SelectorRawError) -> String? {
        let start = pos
        var end = pos
        while end < bytes.count, SelectorParser.isLabelByte(bytes[end]) {
            end += 1
        }
        guard end > start else { return nil }
        if end - start > SelectorParser.maxLabelLength {
            throw SelectorRawError(
                byteOffset: start,
                message: "label name is longer than \(SelectorParser.maxLabelLength) characters"
            )
        }
        pos = end
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// Phrasing for a byte that starts no token, depending on what came before.
    private func expectationAfter(_ last: SelectorToken?) -> String {
        switch last?.kind {
        case nil, .and?, .or?, .not?, .lParen?:
            return "expected a label name, has(label), all(), global(), \"!\" or \"(\""
        case .eq?, .ne?, .contains?, .startsWith?, .endsWith?:
            return "expected a quoted string after \(SelectorTokenParser.tokenText(last!))"
        case .in?, .notIn?:
            return "expected \"{\" after \(SelectorTokenParser.tokenText(last!))"
        case .lBrace?, .comma?:
            return "expected a quoted string or \"}\""
        case .string? where inBraces:
            return "expected \",\" or \"}\""
        default:
            return "expected \"&&\", \"||\", \")\" or the end of the selector"
        }
    }

    mutating func tokenize() throws(SelectorRawError) -> [SelectorToken] {
        while true {
            skipBlanks()
            let start = pos
            guard let c = byte() else {
                emit(.eof, start: bytes.count)
                return tokens
            }
            let last = tokens.last
            switch c {
            case UInt8(ascii: "("):
                pos += 1
                emit(.lParen, start: start)
            case UInt8(ascii: ")"):
                pos += 1
                emit(.rParen, start: start)
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                var end = pos + 1
                while end < bytes.count, bytes[end] != c {
                    end += 1
                }
                guard end < bytes.count else {
                    let q = c == UInt8(ascii: "\"") ? "\"" : "'"
                    throw SelectorRawError(
                        byteOffset: start,
                        message: "unterminated string literal: expected a closing \(q) before the end of the selector"
                    )
                }
                let value = String(decoding: bytes[(pos + 1)..<end], as: UTF8.self)
                pos = end + 1
                emit(.string, start: start, value: value, quote: c)
            case UInt8(ascii: "{"):
                pos += 1
                inBraces = true
                emit(.lBrace, start: start)
            case UInt8(ascii: "}"):
                pos += 1
                inBraces = false
                emit(.rBrace, start: start)
            case UInt8(ascii: ","):
                pos += 1
                emit(.comma, start: start)
            case UInt8(ascii: "="):
                guard byte(1) == UInt8(ascii: "=") else {
                    throw SelectorRawError(byteOffset: start, message: "expected \"==\", found a single \"=\"")
                }
                pos += 2
                emit(.eq, start: start)
            case UInt8(ascii: "!"):
                if byte(1) == UInt8(ascii: "=") {
                    pos += 2
                    emit(.ne, start: start)
                } else {
                    pos += 1
                    emit(.not, start: start)
                }
            case UInt8(ascii: "&"):
                guard byte(1) == UInt8(ascii: "&") else {
                    throw SelectorRawError(byteOffset: start, message: "expected \"&&\", found a single \"&\"")
                }
                pos += 2
                emit(.and, start: start)
            case UInt8(ascii: "|"):
                guard byte(1) == UInt8(ascii: "|") else {
                    throw SelectorRawError(byteOffset: start, message: "expected \"||\", found a single \"|\"")
                }
                pos += 2
                emit(.or, start: start)
            default:
                if let last, last.kind == .label {
                    // Straight after a label only an operator word may follow.
                    if cutWord("contains") {
                        emit(.contains, start: start)
                    } else if cutWords("starts", "with") {
                        emit(.startsWith, start: start)
                    } else if cutWords("ends", "with") {
                        emit(.endsWith, start: start)
                    } else if cutWords("not", "in") {
                        emit(.notIn, start: start)
                    } else if cutWord("in") {
                        emit(.in, start: start)
                    } else {
                        throw SelectorRawError(
                            byteOffset: start,
                            message: "expected a label operator \(SelectorParser.labelOperatorList) after \"\(last.value)\""
                        )
                    }
                } else if hasPrefix("has(", at: pos) {
                    pos += 4
                    skipBlanks()
                    let labelStart = pos
                    guard let label = try cutLabel() else {
                        throw SelectorRawError(
                            byteOffset: labelStart,
                            message: "expected a label name after \"has(\", found \(foundDescription(at: labelStart))"
                        )
                    }
                    skipBlanks()
                    guard byte() == UInt8(ascii: ")") else {
                        throw SelectorRawError(
                            byteOffset: pos,
                            message: "expected \")\" after \"has(\(label)\", found \(foundDescription(at: pos))"
                        )
                    }
                    pos += 1
                    emit(.has, start: start, value: label)
                } else if hasPrefix("all(", at: pos) || hasPrefix("global(", at: pos) {
                    let isAll = hasPrefix("all(", at: pos)
                    pos += isAll ? 4 : 7
                    skipBlanks()
                    guard byte() == UInt8(ascii: ")") else {
                        throw SelectorRawError(
                            byteOffset: pos,
                            message: "expected \")\" after \"\(isAll ? "all(" : "global(")\", found \(foundDescription(at: pos))"
                        )
                    }
                    pos += 1
                    emit(isAll ? .all : .global, start: start)
                } else if let label = try cutLabel() {
                    emit(.label, start: start, value: label)
                } else {
                    throw SelectorRawError(
                        byteOffset: start,
                        message: "unexpected character \(foundDescription(at: start)): \(expectationAfter(last))"
                    )
                }
            }
        }
    }
}

// MARK: - Parser

struct SelectorTokenParser {
    let tokens: [SelectorToken]
    let text: String
    let bytes: [UInt8]
    var pos = 0
    var depth = 0

    init(tokens: [SelectorToken], text: String, bytes: [UInt8]) {
        self.tokens = tokens
        self.text = text
        self.bytes = bytes
    }

    /// The token at `pos + offset`, or the final EOF token past the end.
    private func token(_ offset: Int = 0) -> SelectorToken {
        let i = pos + offset
        return i < tokens.count ? tokens[i] : tokens[tokens.count - 1]
    }

    /// How a token is written, for "after ..." in messages.
    static func tokenText(_ token: SelectorToken) -> String {
        switch token.kind {
        case .label: return "\"\(token.value)\""
        case .string: return SelectorParser.quoted(token.value)
        case .lBrace: return "\"{\""
        case .rBrace: return "\"}\""
        case .comma: return "\",\""
        case .eq: return "\"==\""
        case .ne: return "\"!=\""
        case .in: return "\"in\""
        case .not: return "\"!\""
        case .notIn: return "\"not in\""
        case .contains: return "\"contains\""
        case .startsWith: return "\"starts with\""
        case .endsWith: return "\"ends with\""
        case .all: return "\"all()\""
        case .has: return "\"has(\(token.value))\""
        case .global: return "\"global()\""
        case .lParen: return "\"(\""
        case .rParen: return "\")\""
        case .and: return "\"&&\""
        case .or: return "\"||\""
        case .eof: return "the end of the selector"
        }
    }

    /// How a token is described after "found".
    static func found(_ token: SelectorToken) -> String {
        switch token.kind {
        case .label: return "label \"\(token.value)\""
        case .string: return "string \(SelectorParser.quoted(token.value))"
        default: return tokenText(token)
        }
    }

    private func fail(_ token: SelectorToken, _ message: String) -> SelectorRawError {
        SelectorRawError(byteOffset: token.start, message: message)
    }

    mutating func parseRoot() throws(SelectorRawError) -> Selector {
        if token().kind == .eof {
            return .all
        }
        let selector = try parseOr()
        let next = token()
        guard next.kind == .eof else {
            throw fail(next, "expected \"&&\", \"||\" or the end of the selector, found \(Self.found(next))")
        }
        return selector
    }

    private mutating func parseOr() throws(SelectorRawError) -> Selector {
        var terms = [try parseAnd()]
        while token().kind == .or {
            pos += 1
            terms.append(try parseAnd())
        }
        return terms.count == 1 ? terms[0] : .or(terms)
    }

    private mutating func parseAnd() throws(SelectorRawError) -> Selector {
        var terms = [try parseOperation()]
        while token().kind == .and {
            pos += 1
            terms.append(try parseOperation())
        }
        return terms.count == 1 ? terms[0] : .and(terms)
    }

    private mutating func parseOperation() throws(SelectorRawError) -> Selector {
        // Collapse any leading "!" to a single boolean.
        var negated = false
        while token().kind == .not {
            negated.toggle()
            pos += 1
        }

        let first = token()
        let selector: Selector
        switch first.kind {
        case .has:
            selector = .has(first.value)
            pos += 1
        case .all:
            selector = .all
            pos += 1
        case .global:
            selector = .global
            pos += 1
        case .label:
            selector = try parseLabelOperation()
        case .lParen:
            guard depth < SelectorParser.maxNesting else {
                throw fail(first, "parentheses nested more than \(SelectorParser.maxNesting) deep")
            }
            depth += 1
            pos += 1
            let inner = try parseOr()
            let close = token()
            guard close.kind == .rParen else {
                let at = SelectorParser.characterOffset(in: text, utf8Offset: first.start)
                throw fail(close, "expected \"&&\", \"||\" or \")\" to close the \"(\" at character \(at), found \(Self.found(close))")
            }
            pos += 1
            depth -= 1
            selector = inner
        default:
            var message = "expected a label name, has(label), all(), global(), \"!\" or \"(\""
            if pos > 0 {
                message += " after \(Self.tokenText(tokens[pos - 1]))"
            }
            message += ", found \(Self.found(first))"
            throw fail(first, message)
        }
        return negated ? .not(selector) : selector
    }

    private mutating func parseLabelOperation() throws(SelectorRawError) -> Selector {
        let label = token()
        let op = token(1)
        let key = label.value
        switch op.kind {
        case .eq, .ne, .contains, .startsWith, .endsWith:
            let literal = token(2)
            guard literal.kind == .string else {
                throw fail(literal, "expected a quoted string after \(Self.tokenText(op)), found \(Self.found(literal))")
            }
            pos += 3
            let value = literal.value
            switch op.kind {
            case .eq: return .equal(key, value)
            case .ne: return .notEqual(key, value)
            case .contains: return .contains(key, value)
            case .startsWith: return .startsWith(key, value)
            default: return .endsWith(key, value)
            }
        case .in, .notIn:
            let brace = token(2)
            guard brace.kind == .lBrace else {
                throw fail(brace, "expected \"{\" to start a set of values after \(Self.tokenText(op)), found \(Self.found(brace))")
            }
            pos += 3
            var values: [String] = []
            var afterValue = false
            while token().kind == .string {
                values.append(token().value)
                pos += 1
                if token().kind == .comma {
                    pos += 1
                    afterValue = false
                } else {
                    afterValue = true
                    break
                }
            }
            let close = token()
            guard close.kind == .rBrace else {
                let expected = afterValue ? "\",\" or \"}\"" : "a quoted string or \"}\""
                throw fail(close, "expected \(expected) in the set of values, found \(Self.found(close))")
            }
            pos += 1
            let set = Selector.normalizedSet(values)
            return op.kind == .in ? .inSet(key, set) : .notInSet(key, set)
        default:
            throw fail(op, "expected a label operator \(SelectorParser.labelOperatorList) after \"\(key)\"")
        }
    }
}
