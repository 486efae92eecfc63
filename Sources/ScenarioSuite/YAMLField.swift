import Yams

/// A YAML node with its file, line and dotted path, for typed reading with errors that say
/// where and what was expected. Scenario files are strict: an unknown key is an error, as a
/// misspelt expectation would otherwise pass silently.
struct YAMLField {
    let node: Node
    let path: String
    let file: String
    let keyLine: Int?

    var line: Int { node.mark?.line ?? keyLine ?? 0 }

    func error(_ message: String, line: Int? = nil) -> ScenarioError {
        ScenarioError(file: file, line: line ?? self.line, message: path.isEmpty ? message : "\(path): \(message)")
    }

    func expected(_ what: String) -> ScenarioError { error("expected \(what), found \(found)") }

    var found: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a sequence"
        case .alias: return "an alias"
        case .scalar(let scalar): return scalar.string.isEmpty && scalar.style == .plain ? "nothing" : "\"\(scalar.string)\""
        }
    }

    /// The entries of a mapping in the order written, refusing keys outside `allowed`.
    func mapping(allowed: [String]) throws(ScenarioError) -> [(key: String, value: YAMLField)] {
        guard case .mapping(let mapping) = node else { throw expected("a mapping with keys \(allowed.joined(separator: ", "))") }
        var entries: [(key: String, value: YAMLField)] = []
        for (keyNode, valueNode) in mapping {
            let keyLine = keyNode.mark?.line ?? line
            guard case .scalar(let scalar) = keyNode else { throw error("expected a key, found a \(keyNode.mapping != nil ? "mapping" : "sequence")", line: keyLine) }
            let key = scalar.string
            if !allowed.isEmpty && !allowed.contains(key) {
                throw error("unknown key \"\(key)\"; expected one of \(allowed.joined(separator: ", "))", line: keyLine)
            }
            if entries.contains(where: { $0.key == key }) { throw error("key \"\(key)\" given twice", line: keyLine) }
            entries.append((key, YAMLField(node: valueNode, path: path.isEmpty ? key : "\(path).\(key)", file: file, keyLine: keyLine)))
        }
        return entries
    }

    func sequence() throws(ScenarioError) -> [YAMLField] {
        guard case .sequence(let sequence) = node else { throw expected("a list") }
        return sequence.enumerated().map { YAMLField(node: $1, path: "\(path)[\($0)]", file: file, keyLine: $1.mark?.line) }
    }

    /// A list, or one item standing for a list of one.
    func items() -> [YAMLField] {
        if case .sequence = node { return (try? sequence()) ?? [] }
        return [self]
    }

    func string() throws(ScenarioError) -> String {
        guard case .scalar(let scalar) = node, !(scalar.style == .plain && ["", "~", "null"].contains(scalar.string)) else { throw expected("a string") }
        return scalar.string
    }

    func strings() throws(ScenarioError) -> [String] {
        var result: [String] = []
        for item in try sequence() { result.append(try item.string()) }
        return result
    }

    /// One string or a list of them.
    func stringOrStrings() throws(ScenarioError) -> [String] {
        if case .sequence = node { return try strings() }
        return [try string()]
    }

    func int() throws(ScenarioError) -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else { throw expected("an integer") }
        return value
    }

    func bool() throws(ScenarioError) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { throw expected("true or false") }
        switch scalar.string {
        case "true", "True", "TRUE", "yes": return true
        case "false", "False", "FALSE", "no": return false
        default: throw expected("true or false")
        }
    }
}
