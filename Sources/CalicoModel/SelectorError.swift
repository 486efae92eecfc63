/// Why a selector failed to parse.
///
/// `offset` is the 0-based position, counted in characters (Swift `Character`s, i.e. extended
/// grapheme clusters) from the start of `selector`, at which the problem was found; an offset equal
/// to `selector.count` means "at the end of the selector". `message` says what was expected there.
///
/// `description` renders as `selector "<text>": at character N: <message>`.
public struct SelectorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The full selector text that failed to parse, verbatim.
    public var selector: String
    /// 0-based character offset of the problem in `selector`.
    public var offset: Int
    /// What went wrong, phrased as what was expected (e.g. `expected ")" ...`).
    public var message: String

    public init(selector: String, offset: Int, message: String) {
        self.selector = selector
        self.offset = offset
        self.message = message
    }

    public var description: String {
        "selector \"\(selector)\": at character \(offset): \(message)"
    }
}
