import Netfilter

/// Numeric and address spellings shared by the rule and ipset parsers, with the same
/// acceptance rules as libxtables (strtoul with base 0, `/len` or dotted masks).
enum ValueParsing {
    /// `strtoul(text, NULL, 0)` restricted to a full parse: decimal, `0x` hex or leading-0 octal.
    static func unsigned(_ text: some StringProtocol, max: UInt64 = UInt64(UInt32.max)) -> UInt64? {
        guard !text.isEmpty else { return nil }
        var digits = Substring(text)
        var radix = 10
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            digits = digits.dropFirst(2)
            radix = 16
        } else if digits.count > 1, digits.hasPrefix("0") {
            digits = digits.dropFirst()
            radix = 8
        }
        guard !digits.isEmpty, digits.first != "+", digits.first != "-", let value = UInt64(digits, radix: radix), value <= max else {
            return nil
        }
        return value
    }

    static func uint32(_ text: some StringProtocol) -> UInt32? { unsigned(text).map { UInt32($0) } }

    /// `VALUE[/MASK]` as `--mark`, `--set-xmark` and friends take it.
    static func valueMask(_ text: String) -> (value: UInt32, mask: UInt32?)? {
        if let slash = text.firstIndex(of: "/") {
            guard let value = uint32(text[..<slash]), let mask = uint32(text[text.index(after: slash)...]) else { return nil }
            return (value, mask)
        }
        guard let value = uint32(text) else { return nil }
        return (value, nil)
    }

    static func port(_ text: some StringProtocol) -> UInt16? { ServiceNames.port(String(text)) }

    /// `P`, `P:Q`, `P:` (to 65535) or `:Q` (from 0), as the tcp/udp/multiport matches take it.
    static func portRange(_ text: String, separator: Character = ":") -> PortRange? {
        guard let split = text.firstIndex(of: separator) else {
            return port(text).map { PortRange($0) }
        }
        let lowText = text[..<split]
        let highText = text[text.index(after: split)...]
        let low = lowText.isEmpty ? 0 : port(lowText)
        let high = highText.isEmpty ? 65535 : port(highText)
        guard let low, let high, low <= high else { return nil }
        return PortRange(low, high)
    }

    /// `N` or `N:M` for `--length`, `--ctexpire`.
    static func numericRange(_ text: String, max: UInt64) -> ClosedRange<UInt64>? {
        guard let split = text.firstIndex(of: ":") else {
            return unsigned(text, max: max).map { $0...$0 }
        }
        let lowText = text[..<split]
        let highText = text[text.index(after: split)...]
        let low = lowText.isEmpty ? 0 : unsigned(lowText, max: max)
        let high = highText.isEmpty ? max : unsigned(highText, max: max)
        guard let low, let high, low <= high else { return nil }
        return low...high
    }

    static func network(_ text: String) -> IPv4Network? { IPv4Network(text) }

    /// `A-B` for `--src-range`, `--to-destination` address parts.
    static func addressRange(_ text: some StringProtocol) -> ClosedRange<IPv4Address>? {
        if let dash = text.firstIndex(of: "-") {
            guard let low = IPv4Address(text[..<dash]), let high = IPv4Address(text[text.index(after: dash)...]), low <= high else { return nil }
            return low...high
        }
        return IPv4Address(text).map { $0...$0 }
    }

    static func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }
}
