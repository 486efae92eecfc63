/// One expectation that did not hold: what was expected and what the run gave, as lines.
public struct Mismatch: Hashable, Sendable {
    /// The expectation's line in the scenario file.
    public var line: Int
    /// The packet it is about, when it is about one.
    public var packet: Int?
    /// `verdict`, `path`, `counter filter:FORWARD:policy`, …
    public var what: String
    public var expected: [String]
    public var actual: [String]
    public var style: Style

    public enum Style: Hashable, Sendable {
        /// One value each side.
        case value
        /// Every line must match: a diff with `-` expected and `+` actual lines.
        case exactList
        /// The expected lines must appear in order among the actual ones: `-` marks each one
        /// missing, the actual lines are shown as context.
        case containedList
        /// Words that must appear in a text: the missing words, then the text.
        case words
    }

    public var title: String { (packet.map { "packet \($0) " } ?? "") + what }
}
