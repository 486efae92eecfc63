/// An interface name as `-i`/`-o` write it: exact, or a prefix with a trailing `+`.
public struct InterfacePattern: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var isPrefix: Bool

    public init(_ text: String) {
        if text.hasSuffix("+") {
            name = String(text.dropLast())
            isPrefix = true
        } else {
            name = text
            isPrefix = false
        }
    }

    /// A missing device (an `-o` test in INPUT, reached through a user chain) has an
    /// empty name: `-o eth0` fails and `-o +` still holds, as in the kernel's masked compare.
    public func matches(_ interface: String) -> Bool {
        isPrefix ? interface.hasPrefix(name) : interface == name
    }

    /// `+` alone matches everything and iptables-save drops it.
    public var matchesEverything: Bool { isPrefix && name.isEmpty }

    public var description: String { isPrefix ? name + "+" : name }
}
