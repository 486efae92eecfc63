/// Splits one iptables-restore line into words the way iptables-restore does:
/// whitespace separates, double quotes group, `\"` inside quotes is a literal quote.
/// Single quotes are ordinary characters, which is why `'a b'` fails in the real tool.
enum SaveLineTokenizer {
    struct Token: Equatable {
        var text: String
        /// Whether the word was written in double quotes; kept so unknown modules print back as written.
        var quoted: Bool
        /// The word exactly as written, quotes and escapes included.
        var raw: String
    }

    enum Failure: Error {
        case unterminatedQuote
        case strayQuote(String)
    }

    static func tokenize(_ line: Substring) throws(Failure) -> [Token] {
        var tokens: [Token] = []
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if character == " " || character == "\t" || character == "\r" {
                index = line.index(after: index)
                continue
            }
            let start = index
            if character == "\"" {
                var text = ""
                index = line.index(after: index)
                var closed = false
                while index < line.endIndex {
                    let c = line[index]
                    if c == "\\" {
                        let next = line.index(after: index)
                        if next < line.endIndex, line[next] == "\"" || line[next] == "\\" || line[next] == "'" {
                            text.append(line[next])
                            index = line.index(after: next)
                            continue
                        }
                        text.append(c)
                        index = next
                        continue
                    }
                    if c == "\"" {
                        closed = true
                        index = line.index(after: index)
                        break
                    }
                    text.append(c)
                    index = line.index(after: index)
                }
                guard closed else { throw .unterminatedQuote }
                if index < line.endIndex, line[index] != " " && line[index] != "\t" && line[index] != "\r" {
                    throw .strayQuote(String(line[start...]).split(separator: " ").first.map(String.init) ?? "\"")
                }
                tokens.append(Token(text: text, quoted: true, raw: String(line[start..<index])))
            } else {
                while index < line.endIndex, line[index] != " ", line[index] != "\t", line[index] != "\r" {
                    if line[index] == "\"" {
                        var end = index
                        while end < line.endIndex, line[end] != " " { end = line.index(after: end) }
                        throw .strayQuote(String(line[start..<end]))
                    }
                    index = line.index(after: index)
                }
                let word = String(line[start..<index])
                tokens.append(Token(text: word, quoted: false, raw: word))
            }
        }
        return tokens
    }
}
