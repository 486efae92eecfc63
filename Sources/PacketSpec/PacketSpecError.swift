/// A `--pkt` spec that does not parse: which spec, where in it, and what was expected.
public struct PacketSpecError: Error, CustomStringConvertible, Sendable {
    public var spec: String
    /// 0-based character offset of the offending token.
    public var offset: Int
    public var message: String

    public var description: String {
        "bad --pkt \"\(spec)\": \(message)\n  \(spec)\n  \(String(repeating: " ", count: offset))^"
    }
}
