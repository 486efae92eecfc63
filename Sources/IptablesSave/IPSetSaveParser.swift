import Netfilter

/// Reads `ipset save` output, and what `ipset restore` accepts, into sets with decoded elements.
///
/// `create`, `add`, `del`, `flush`, `destroy`, `swap` and `rename` are applied in order;
/// `-exist`/`-!` make repeated creates and adds harmless as in ipset; `#` lines and `COMMIT`
/// (which felix writes) are accepted.
public enum IPSetSaveParser {
    public static let maximumSetNameLength = 31

    public static func parse(_ text: String, file: String) throws(IptablesSaveError) -> [IPSet] {
        var sets: [IPSet] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            func fail(_ problem: String, _ expected: String? = nil) -> IptablesSaveError {
                IptablesSaveError(file: file, line: lineNumber, text: String(line), problem: problem, expected: expected)
            }
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed == "COMMIT" { continue }
            var tokens: [SaveLineTokenizer.Token]
            do { tokens = try SaveLineTokenizer.tokenize(line) } catch {
                throw fail("unbalanced quotes", "double quotes around a whole word, e.g. comment \"two words\"")
            }
            let exist = tokens.contains { $0.text == "-exist" || $0.text == "-!" }
            tokens.removeAll { $0.text == "-exist" || $0.text == "-!" }
            let words = tokens.map(\.text)
            func index(_ name: String) -> Int? { sets.firstIndex { $0.name == name } }
            func existing(_ position: Int) throws(IptablesSaveError) -> Int {
                guard words.count > position else { throw fail("missing set name", "\(words[0]) SETNAME ...") }
                guard let found = index(words[position]) else {
                    throw fail("set \"\(words[position])\" does not exist", "a set created by an earlier create line")
                }
                return found
            }
            switch words[0] {
            case "create", "-N", "n", "new":
                guard words.count >= 3 else { throw fail("create needs a name and a type", "create SETNAME TYPE [options]") }
                let name = words[1]
                guard name.utf8.count <= maximumSetNameLength else {
                    throw fail("set name \"\(name)\" too long", "at most \(maximumSetNameLength) characters")
                }
                guard let type = IPSetType(rawValue: words[2]) else {
                    throw fail("unsupported set type \"\(words[2])\"", IPSetType.allCases.map(\.rawValue).joined(separator: ", "))
                }
                let options = Array(tokens.dropFirst(3).map(\.raw))
                var set = IPSet(name: name, type: type, options: options, location: SourceLocation(file: file, line: lineNumber))
                if let at = options.firstIndex(of: "family"), at + 1 < options.count {
                    switch options[at + 1] {
                    case "inet", "ipv4": set.family = .ipv4
                    case "inet6", "ipv6": set.family = .ipv6
                    default: throw fail("bad family \"\(options[at + 1])\"", "inet or inet6")
                    }
                }
                if let at = options.firstIndex(of: "netmask"), at + 1 < options.count {
                    guard let length = Int(options[at + 1]), length >= 1, length <= 32 else {
                        throw fail("bad netmask \"\(options[at + 1])\"", "a prefix length 1-32")
                    }
                    set.netmask = length
                }
                if let found = index(name) {
                    guard exist, sets[found].type == type else {
                        throw fail("set \"\(name)\" already exists", "each set created once (or -exist with the same type)")
                    }
                    continue
                }
                sets.append(set)
            case "add", "-A", "a", "del", "-D", "d":
                let position = try existing(1)
                guard tokens.count >= 3 else { throw fail("\(words[0]) needs an element", "\(words[0]) SETNAME ELEMENT [extensions]") }
                let set = sets[position]
                let decoded: [(IPSetElement, String)]
                do {
                    decoded = try IPSetElementDecoder.decode(words[2], type: set.type, netmask: set.netmask)
                } catch {
                    throw fail(error.problem, error.expected)
                }
                if set.type == .listSet, case .member(let member)? = decoded.first?.0 {
                    guard member != set.name, index(member) != nil else {
                        throw fail("set \"\(member)\" cannot be added to list:set \"\(set.name)\"", "an existing set other than the list itself")
                    }
                }
                if words[0] == "add" || words[0] == "-A" || words[0] == "a" {
                    let extensions = Array(tokens.dropFirst(3).map(\.raw))
                    let nomatch = extensions.contains("nomatch")
                    if nomatch && set.type != .hashNet && set.type != .hashNetPort && set.type != .hashNetIface && set.type != .hashIPPortNet {
                        throw fail("nomatch is not valid for \(set.type.rawValue)", "nomatch only on hash:net* sets")
                    }
                    for (element, text) in decoded {
                        if sets[position].entries.contains(where: { $0.element == element }) {
                            if exist { continue }
                            throw fail("element \(text) is already in set \"\(set.name)\"", "each element added once (or -exist)")
                        }
                        sets[position].entries.append(IPSetEntry(element: element, nomatch: nomatch, text: text, extensions: extensions))
                    }
                } else {
                    for (element, text) in decoded {
                        guard let at = sets[position].entries.firstIndex(where: { $0.element == element }) else {
                            if exist { continue }
                            throw fail("element \(text) is not in set \"\(set.name)\"", "an element added earlier (or -exist)")
                        }
                        sets[position].entries.remove(at: at)
                    }
                }
            case "flush", "-F", "f":
                if words.count == 1 { for i in sets.indices { sets[i].entries.removeAll() } }
                else { sets[try existing(1)].entries.removeAll() }
            case "destroy", "-X", "x":
                if words.count == 1 { sets.removeAll() }
                else { sets.remove(at: try existing(1)) }
            case "swap", "-W", "w":
                guard words.count == 3 else { throw fail("swap needs two set names", "swap FROM TO") }
                let a = try existing(1), b = try existing(2)
                let first = sets[a]
                sets[a].entries = sets[b].entries
                sets[a].type = sets[b].type
                sets[a].options = sets[b].options
                sets[a].netmask = sets[b].netmask
                sets[b].entries = first.entries
                sets[b].type = first.type
                sets[b].options = first.options
                sets[b].netmask = first.netmask
            case "rename", "-E", "e":
                guard words.count == 3 else { throw fail("rename needs two set names", "rename FROM TO") }
                let a = try existing(1)
                guard index(words[2]) == nil else { throw fail("set \"\(words[2])\" already exists", "a new name") }
                sets[a].name = words[2]
            default:
                throw fail("unknown ipset command \"\(words[0])\"", "create, add, del, flush, destroy, swap, rename, COMMIT or a # comment")
            }
        }
        return sets
    }
}
