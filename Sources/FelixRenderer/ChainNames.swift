import Digests

/// felix's chain (and ipset) naming.
enum ChainNames {
    static let maxChainNameLength = 28

    /// `GetLengthLimitedID`: prefix+suffix when it fits, else prefix + "_" + base64url(SHA-256(suffix)).
    static func lengthLimited(_ prefix: String, _ suffix: String, maxLength: Int = maxChainNameLength) -> String {
        let suffix = suffix.isEmpty ? "_" : suffix
        let length = prefix.utf8.count + suffix.utf8.count
        if length < maxLength || (length == maxLength && !suffix.hasPrefix("_")) {
            return prefix + suffix
        }
        let hash = Base64URL.encodeNoPadding(SHA256.hash(Array(suffix.utf8)))
        return prefix + "_" + String(hash.prefix(maxLength - 1 - prefix.utf8.count))
    }
}
