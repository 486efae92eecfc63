extension Selector {
    /// Every label key with `prefix` in front: how libcalico-go turns a namespace selector into
    /// one over the `pcns.` labels endpoints inherit from their namespace profile.
    public func prefixingKeys(_ prefix: String) -> Selector {
        switch self {
        case .all, .global: self
        case .equal(let key, let value): .equal(prefix + key, value)
        case .notEqual(let key, let value): .notEqual(prefix + key, value)
        case .contains(let key, let value): .contains(prefix + key, value)
        case .startsWith(let key, let value): .startsWith(prefix + key, value)
        case .endsWith(let key, let value): .endsWith(prefix + key, value)
        case .inSet(let key, let values): .inSet(prefix + key, values)
        case .notInSet(let key, let values): .notInSet(prefix + key, values)
        case .has(let key): .has(prefix + key)
        case .not(let inner): .not(inner.prefixingKeys(prefix))
        case .and(let operands): .and(operands.map { $0.prefixingKeys(prefix) })
        case .or(let operands): .or(operands.map { $0.prefixingKeys(prefix) })
        }
    }
}
