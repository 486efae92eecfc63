/// An IPv4 address held as a host-order 32-bit integer.
///
/// IPv6 support (ip6tables) will add a sibling type; rules and packets carry an
/// `AddressFamily` so the two never mix silently.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses dotted-quad notation only; iptables itself also resolves host names,
    /// which an offline simulator must not do.
    public init?<S: StringProtocol>(_ text: S) {
        var result: UInt32 = 0
        var octets = 0
        var current: UInt32 = 0
        var digits = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, octets < 3 else { return nil }
                result = result << 8 | current
                octets += 1
                current = 0
                digits = 0
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                current = current * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, current <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, octets == 3 else { return nil }
        value = result << 8 | current
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }

    public static let any = IPv4Address(0)
    public static let broadcast = IPv4Address(0xffff_ffff)

    public var isLoopback: Bool { value >> 24 == 127 }
    public var isMulticast: Bool { value >> 28 == 0xe }
}

/// An address with a mask, as `-s`/`-d`, routes and `hash:net` use it.
/// The mask need not be contiguous: iptables accepts `10.0.0.0/255.0.255.0`.
public struct IPv4Network: Hashable, Sendable, CustomStringConvertible {
    public var address: IPv4Address
    public var mask: UInt32

    public init(address: IPv4Address, mask: UInt32) {
        self.address = IPv4Address(address.value & mask)
        self.mask = mask
    }

    public init(address: IPv4Address, prefixLength: Int) {
        self.init(address: address, mask: IPv4Network.mask(prefixLength: prefixLength))
    }

    public static func mask(prefixLength: Int) -> UInt32 {
        prefixLength <= 0 ? 0 : prefixLength >= 32 ? 0xffff_ffff : ~(UInt32.max >> UInt32(prefixLength))
    }

    /// `ADDR`, `ADDR/LEN` or `ADDR/DOTTED-MASK`.
    public init?<S: StringProtocol>(_ text: S) {
        if let slash = text.firstIndex(of: "/") {
            guard let address = IPv4Address(text[..<slash]) else { return nil }
            let maskText = text[text.index(after: slash)...]
            if let length = Int(maskText), length >= 0, length <= 32, !maskText.hasPrefix("+") {
                self.init(address: address, prefixLength: length)
            } else if let dotted = IPv4Address(maskText) {
                self.init(address: address, mask: dotted.value)
            } else {
                return nil
            }
        } else {
            guard let address = IPv4Address(text) else { return nil }
            self.init(address: address, prefixLength: 32)
        }
    }

    /// The prefix length when the mask is contiguous.
    public var prefixLength: Int? {
        let ones = mask.nonzeroBitCount
        return IPv4Network.mask(prefixLength: ones) == mask ? ones : nil
    }

    public func contains(_ candidate: IPv4Address) -> Bool { candidate.value & mask == address.value }

    public static let all = IPv4Network(address: .any, mask: 0)

    /// iptables-save spelling: `/len` for contiguous masks, dotted otherwise.
    public var description: String {
        if let length = prefixLength { return "\(address)/\(length)" }
        return "\(address)/\(IPv4Address(mask))"
    }
}
