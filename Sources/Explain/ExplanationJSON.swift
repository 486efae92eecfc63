import Foundation

extension Explanation {
    /// The JSON form: every field under its name, keys sorted, so scripts and tests can rely on it.
    public var json: String { ExplanationJSON.encode(self) }
}

extension PathExplanation {
    public var json: String { ExplanationJSON.encode(self) }
}

enum ExplanationJSON {
    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
