import Digests

/// felix's `cali:` rule ids: a SHA-224 chain seeded with the chain name, each step hashing the
/// previous digest and the rule's felix-form text with the word HASH where the id goes; the id is
/// the first 16 base64url characters. A rule's id therefore depends on every rule before it.
enum RuleHasher {
    static func hashes(chain: String, rules: [FelixRule]) -> [String] {
        var digest = SHA224.hash(Array(chain.utf8))
        return rules.map { rule in
            digest = SHA224.hash(digest + Array(rule.felixText(chain: chain, hashFragment: "HASH").utf8))
            return String(Base64URL.encodeNoPadding(digest).prefix(16))
        }
    }
}
