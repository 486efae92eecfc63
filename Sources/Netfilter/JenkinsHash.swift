/// The kernel's `jhash2` (Bob Jenkins' lookup3 over 32-bit words), which NAT uses to
/// spread connections over an address range.
enum JenkinsHash {
    static func words(_ key: [UInt32], initial: UInt32) -> UInt32 {
        var a = 0xdead_beef &+ UInt32(key.count << 2) &+ initial
        var b = a, c = a
        var rest = key[...]
        while rest.count > 3 {
            a &+= rest[rest.startIndex]
            b &+= rest[rest.startIndex + 1]
            c &+= rest[rest.startIndex + 2]
            mix(&a, &b, &c)
            rest = rest.dropFirst(3)
        }
        guard !rest.isEmpty else { return c }
        let k = Array(rest)
        if k.count == 3 { c &+= k[2] }
        if k.count >= 2 { b &+= k[1] }
        a &+= k[0]
        final(&a, &b, &c)
        return c
    }

    private static func rotl(_ x: UInt32, _ k: UInt32) -> UInt32 { (x << k) | (x >> (32 - k)) }

    private static func mix(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32) {
        a &-= c; a ^= rotl(c, 4); c &+= b
        b &-= a; b ^= rotl(a, 6); a &+= c
        c &-= b; c ^= rotl(b, 8); b &+= a
        a &-= c; a ^= rotl(c, 16); c &+= b
        b &-= a; b ^= rotl(a, 19); a &+= c
        c &-= b; c ^= rotl(b, 4); b &+= a
    }

    private static func final(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32) {
        c ^= b; c &-= rotl(b, 14)
        a ^= c; a &-= rotl(c, 11)
        b ^= a; b &-= rotl(a, 25)
        c ^= b; c &-= rotl(b, 16)
        a ^= c; a &-= rotl(c, 4)
        b ^= a; b &-= rotl(a, 14)
        c ^= b; c &-= rotl(b, 24)
    }
}
