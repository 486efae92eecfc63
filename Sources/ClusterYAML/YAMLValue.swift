import Yams

/// What a scalar means, read the way kubectl and calicoctl read YAML (go-yaml, YAML 1.1):
/// quoted scalars are strings; plain ones may be null, booleans or numbers.
///
/// Yams' own constructors are not used on input scalars: its sexagesimal integers
/// (`1:2:3:…`) overflow and trap on long enough input.
enum ScalarMeaning: Equatable {
    case null
    case bool(Bool)
    /// nil when the digits do not fit an `Int`.
    case int(Int?)
    case float(Double)
    case string

    init(_ scalar: Node.Scalar) {
        if scalar.style != .plain || scalar.tag.description == Tag.Name.str.rawValue {
            self = .string
            return
        }
        self.init(plain: scalar.string)
    }

    init(plain text: String) {
        // Most scalars are words: settle those by their first byte.
        guard let first = text.utf8.first else {
            self = .null
            return
        }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "~"),
             UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"),
             UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "o"), UInt8(ascii: "O"):
            break
        default:
            self = .string
            return
        }
        switch text {
        case "~", "null", "Null", "NULL":
            self = .null
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON":
            self = .bool(true)
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF":
            self = .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF":
            self = .float(.infinity)
        case "-.inf", "-.Inf", "-.INF":
            self = .float(-.infinity)
        case ".nan", ".NaN", ".NAN":
            self = .float(.nan)
        default:
            if let integer = ScalarMeaning.integer(text) {
                self = .int(integer)
            } else if ScalarMeaning.isFloat(text), let value = Double(text) {
                self = .float(value)
            } else {
                self = .string
            }
        }
    }

    /// Decimal (`80`, `-1`, `+7`), hexadecimal (`0x1F`) or octal (`0o17`) integers.
    /// The outer optional says whether `text` is integer syntax at all; the inner one is nil
    /// when the value does not fit an `Int`.
    static func integer(_ text: String) -> Int?? {
        var body = Substring(text).utf8[...]
        var negative = false
        if let first = body.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            body = body.dropFirst()
        }
        var radix = 10
        if body.count > 2, body.first == UInt8(ascii: "0") {
            let marker = body[body.index(after: body.startIndex)]
            if marker == UInt8(ascii: "x") || marker == UInt8(ascii: "X") {
                radix = 16
                body = body.dropFirst(2)
            } else if marker == UInt8(ascii: "o") {
                radix = 8
                body = body.dropFirst(2)
            }
        }
        guard !body.isEmpty else { return nil }
        for byte in body {
            let digit: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = Int(byte - UInt8(ascii: "A")) + 10
            default: return nil
            }
            if digit >= radix { return nil }
        }
        return .some(Int((negative ? "-" : "") + String(Substring(body)), radix: radix))
    }

    /// `1.5`, `.5`, `1e3`, `-2.0E-3`: digits with a point or an exponent.
    static func isFloat(_ text: String) -> Bool {
        var bytes = text.utf8[...]
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        var digits = 0, sawPoint = false, sawExponent = false, exponentDigits = 0, signAllowed = false
        for byte in bytes {
            let allowSign = signAllowed
            signAllowed = false
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if sawExponent { exponentDigits += 1 } else { digits += 1 }
            case UInt8(ascii: ".") where !sawPoint && !sawExponent:
                sawPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                guard !sawExponent && digits > 0 else { return false }
                sawExponent = true
                signAllowed = true
            case UInt8(ascii: "-"), UInt8(ascii: "+"):
                guard allowSign else { return false }
            default:
                return false
            }
        }
        return digits > 0 && (sawPoint || sawExponent) && (!sawExponent || exponentDigits > 0)
    }
}

/// A node of a document with the path that names it in errors (`spec.ingress[0].ports[1]`).
struct YAMLValue {
    let node: Node
    let path: String
    let file: String
    /// The line of the key this value is the value of, if any.
    let keyLine: Int?

    init(node: Node, path: String, file: String, keyLine: Int? = nil) {
        self.node = node
        self.path = path
        self.file = file
        self.keyLine = keyLine
    }

    var line: Int { node.mark?.line ?? keyLine ?? 0 }
    /// Where to report something missing from this value: its key when it has one.
    var ownerLine: Int { keyLine ?? line }

    var meaning: ScalarMeaning? {
        if case .scalar(let scalar) = node { return ScalarMeaning(scalar) }
        return nil
    }

    var isNull: Bool { meaning == .null }

    /// The scalar's text as written.
    var text: String? { node.scalar?.string }

    /// "a mapping", "a string", … for `expected X, found Y`.
    var found: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a sequence"
        case .alias: return "an alias"
        case .scalar(let scalar):
            switch ScalarMeaning(scalar) {
            case .null: return "null"
            case .bool: return "a boolean"
            case .int: return "an integer"
            case .float: return "a number"
            case .string: return "a string"
            }
        }
    }

    func error(_ message: String, line: Int? = nil) -> ClusterLoadError {
        ClusterLoadError(file: file, line: line ?? self.line, message: path.isEmpty ? message : "\(path): \(message)")
    }

    func expected(_ what: String) -> ClusterLoadError { error("expected \(what), found \(found)") }

    static func childPath(_ path: String, key: String) -> String {
        let plain = !key.isEmpty && key.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7a) || byte == 0x5f || byte == 0x2d
        }
        let component = plain ? key : "[\"\(key)\"]"
        if path.isEmpty { return component }
        return plain ? "\(path).\(component)" : "\(path)\(component)"
    }

    func mapping() throws(ClusterLoadError) -> YAMLMapping {
        guard case .mapping(let mapping) = node else { throw expected("a mapping") }
        var entries: [YAMLMapping.Entry] = []
        entries.reserveCapacity(mapping.count)
        for (keyNode, valueNode) in mapping {
            let keyLine = keyNode.mark?.line ?? line
            guard case .scalar(let keyScalar) = keyNode else {
                let key = YAMLValue(node: keyNode, path: path, file: file)
                throw key.error("expected a field name, found \(key.found) as a key")
            }
            let key = keyScalar.string
            entries.append(.init(key: key, keyLine: keyLine,
                                 value: YAMLValue(node: valueNode, path: Self.childPath(path, key: key), file: file, keyLine: keyLine)))
        }
        return YAMLMapping(value: self, entries: entries)
    }

    func sequence() throws(ClusterLoadError) -> [YAMLValue] {
        guard case .sequence(let sequence) = node else { throw expected("a sequence") }
        var result: [YAMLValue] = []
        result.reserveCapacity(sequence.count)
        for (index, element) in sequence.enumerated() {
            result.append(YAMLValue(node: element, path: "\(path)[\(index)]", file: file))
        }
        return result
    }

    /// Any scalar but null, as written: `name: 123` is the name "123".
    func string() throws(ClusterLoadError) -> String {
        guard case .scalar(let scalar) = node, ScalarMeaning(scalar) != .null else { throw expected("a string") }
        return scalar.string
    }

    /// A label or annotation value: strings as written, numbers and booleans in the form written,
    /// null as the empty string.
    func coercedString() throws(ClusterLoadError) -> String {
        guard case .scalar(let scalar) = node else { throw expected("a string") }
        return ScalarMeaning(scalar) == .null ? "" : scalar.string
    }

    func int(_ range: ClosedRange<Int>? = nil) throws(ClusterLoadError) -> Int {
        guard case .int(let parsed) = meaning else { throw expected("an integer") }
        guard let value = parsed else { throw error("expected an integer, found \(text ?? ""), which is too large") }
        if let range, !range.contains(value) {
            throw error("expected an integer from \(range.lowerBound) to \(range.upperBound), found \(value)")
        }
        return value
    }

    func number() throws(ClusterLoadError) -> Double {
        switch meaning {
        case .int(let value?)?: return Double(value)
        case .float(let value)? where value.isFinite: return value
        case .int(nil)?, .float?:
            throw error("expected a finite number, found \(text ?? "")")
        default: throw expected("a number")
        }
    }

    func bool() throws(ClusterLoadError) -> Bool {
        guard case .bool(let value) = meaning else { throw expected("a boolean (true or false)") }
        return value
    }

    func stringList() throws(ClusterLoadError) -> [String] {
        var result: [String] = []
        for element in try sequence() { result.append(try element.string()) }
        return result
    }

    /// A mapping of strings to strings (labels, annotations, matchLabels).
    func stringMap() throws(ClusterLoadError) -> [String: String] {
        var result: [String: String] = [:]
        for entry in try mapping().entries { result[entry.key] = try entry.value.coercedString() }
        return result
    }

    /// A string that must be one of `choices`, compared case-insensitively; returns the canonical spelling.
    func choice(_ choices: [String], aliases: [String: String] = [:]) throws(ClusterLoadError) -> String {
        let value = try string()
        let lowered = value.lowercased()
        if let match = choices.first(where: { $0.lowercased() == lowered }) { return match }
        if let alias = aliases[lowered] { return alias }
        throw error("expected \(Self.oneOf(choices)), found \"\(value)\"")
    }

    static func oneOf(_ choices: [String]) -> String {
        switch choices.count {
        case 0: return "nothing"
        case 1: return choices[0]
        case 2: return "\(choices[0]) or \(choices[1])"
        default: return "one of " + choices.joined(separator: ", ")
        }
    }
}

/// A mapping with its entries in order.
struct YAMLMapping {
    struct Entry {
        let key: String
        let keyLine: Int
        let value: YAMLValue
    }

    let value: YAMLValue
    let entries: [Entry]

    var path: String { value.path }
    var file: String { value.file }

    /// The entry's value, or nil when the key is absent or its value is null (as JSON null
    /// is an absent field to the API server).
    subscript(key: String) -> YAMLValue? {
        guard let entry = entries.first(where: { $0.key == key }), !entry.value.isNull else { return nil }
        return entry.value
    }

    func contains(_ key: String) -> Bool { entries.contains { $0.key == key } }

    func required(_ key: String) throws(ClusterLoadError) -> YAMLValue {
        if let value = self[key] { return value }
        if let entry = entries.first(where: { $0.key == key }) {
            throw entry.value.error("expected a value, found null")
        }
        throw missing(key)
    }

    func missing(_ key: String) -> ClusterLoadError {
        value.error("missing required field \"\(key)\"", line: value.ownerLine)
    }

    /// Where a typo would silently change meaning, a key outside `allowed` is an error.
    func rejectUnknownKeys(_ allowed: [String]) throws(ClusterLoadError) {
        for entry in entries where !allowed.contains(entry.key) {
            let place = path.isEmpty ? "" : " in \(path)"
            throw ClusterLoadError(file: file, line: entry.keyLine,
                                   message: "unknown field \"\(entry.key)\"\(place): expected one of \(allowed.joined(separator: ", "))")
        }
    }

    func string(_ key: String) throws(ClusterLoadError) -> String? { try self[key]?.string() }
    func requiredString(_ key: String) throws(ClusterLoadError) -> String {
        let text = try required(key).string()
        return text
    }
    func bool(_ key: String) throws(ClusterLoadError) -> Bool? { try self[key]?.bool() }
    func int(_ key: String, _ range: ClosedRange<Int>? = nil) throws(ClusterLoadError) -> Int? { try self[key]?.int(range) }
    func number(_ key: String) throws(ClusterLoadError) -> Double? { try self[key]?.number() }
    func stringList(_ key: String) throws(ClusterLoadError) -> [String] { try self[key]?.stringList() ?? [] }
    func stringMap(_ key: String) throws(ClusterLoadError) -> [String: String] { try self[key]?.stringMap() ?? [:] }
    func mapping(_ key: String) throws(ClusterLoadError) -> YAMLMapping? { try self[key]?.mapping() }
    func sequence(_ key: String) throws(ClusterLoadError) -> [YAMLValue] { try self[key]?.sequence() ?? [] }
}
