/// felix's dispatch chains: interfaces sorted, split one level by the character after their
/// common prefix (`felix/rules/dispatch.go`).
enum DispatchChains {
    /// - Parameters:
    ///   - root: `cali-from-wl-dispatch` etc.; children are `<root>-<c>`.
    ///   - targets: interface → chain to goto.
    ///   - incoming: `-i` (from) or `-o` (to).
    ///   - end: the rules every chain of the tree ends with.
    static func build(root: String, targets: [String: String], incoming: Bool, end: [FelixRule], origin: RuleOrigin, describe: (String) -> RuleOrigin) -> [FelixChain] {
        let names = targets.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        func match(_ pattern: String) -> FelixMatch { incoming ? .inInterface(pattern) : .outInterface(pattern) }
        guard !names.isEmpty else { return [FelixChain(root, end, origin: origin)] }
        let prefix = commonPrefix(names)
        var buckets: [(key: String, members: [String])] = []
        for name in names {
            let key = String(name.prefix(prefix.count + 1))
            if let last = buckets.last, last.key == key { buckets[buckets.count - 1].members.append(name) } else { buckets.append((key, [name])) }
        }
        var rootRules: [FelixRule] = []
        var children: [FelixChain] = []
        for bucket in buckets {
            if bucket.members.count == 1 {
                let name = bucket.members[0]
                rootRules.append(FelixRule([match(name)], .goto(targets[name]!), origin: describe(name)))
            } else {
                let character = String(bucket.key.dropFirst(prefix.count))
                let child = "\(root)-\(character)"
                rootRules.append(FelixRule([match(bucket.key + "+")], .goto(child)))
                let rules = bucket.members.map { FelixRule([match($0)], .goto(targets[$0]!), origin: describe($0)) } + end
                children.append(FelixChain(child, rules, origin: origin))
            }
        }
        return [FelixChain(root, rootRules + end, origin: origin)] + children
    }

    static func commonPrefix(_ names: [String]) -> String {
        guard var prefix = names.first.map({ Array($0.utf8) }) else { return "" }
        for name in names.dropFirst() {
            let bytes = Array(name.utf8)
            var length = 0
            while length < min(prefix.count, bytes.count) && prefix[length] == bytes[length] { length += 1 }
            prefix = Array(prefix.prefix(length))
        }
        return String(decoding: prefix, as: UTF8.self)
    }
}
