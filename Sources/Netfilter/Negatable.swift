/// A condition as iptables writes it: a value, optionally preceded by `!`.
public struct Negatable<Value: Hashable & Sendable>: Hashable, Sendable {
    public var value: Value
    public var negated: Bool

    public init(_ value: Value, negated: Bool = false) {
        self.value = value
        self.negated = negated
    }

    /// Applies the negation to the outcome of testing `value`.
    @inlinable
    public func holds(_ outcome: Bool) -> Bool { outcome != negated }
}
