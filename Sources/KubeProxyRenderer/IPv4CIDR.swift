/// An IPv4 address or network as kube-proxy's options and objects give it, spelled as
/// iptables-save prints it back (`10.0.0.1/32`, the network address of a CIDR).
struct IPv4CIDR: Hashable, Sendable, CustomStringConvertible {
    var address: UInt32
    var prefixLength: Int

    /// `a.b.c.d` (a /32) or `a.b.c.d/n`; nil for anything else, IPv6 included.
    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return nil }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard (1...3).contains(octet.count), octet.allSatisfy({ $0.isASCII && $0.isNumber }), let byte = UInt32(octet), byte <= 255 else { return nil }
            value = value << 8 | byte
        }
        var length = 32
        if parts.count == 2 {
            guard let bits = Int(parts[1]), (0...32).contains(bits) else { return nil }
            length = bits
        }
        prefixLength = length
        // Go's ParseCIDR keeps the network, and the kernel stores the masked address anyway.
        address = value & Self.mask(length)
    }

    static func mask(_ length: Int) -> UInt32 { length == 0 ? 0 : UInt32.max << UInt32(32 - length) }

    func contains(_ other: IPv4CIDR) -> Bool {
        other.prefixLength >= prefixLength && other.address & Self.mask(prefixLength) == address
    }

    var dottedAddress: String {
        [24, 16, 8, 0].map { String(address >> UInt32($0) & 0xFF) }.joined(separator: ".")
    }

    var description: String { "\(dottedAddress)/\(prefixLength)" }
}
