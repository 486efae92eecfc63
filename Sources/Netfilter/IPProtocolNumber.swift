/// IP protocol numbers with the names iptables prints (from /etc/protocols).
public enum IPProtocolNumber {
    public static let icmp: UInt8 = 1
    public static let igmp: UInt8 = 2
    public static let ipencap: UInt8 = 4
    public static let tcp: UInt8 = 6
    public static let udp: UInt8 = 17
    public static let gre: UInt8 = 47
    public static let esp: UInt8 = 50
    public static let ah: UInt8 = 51
    public static let icmpv6: UInt8 = 58
    public static let sctp: UInt8 = 132
    public static let udplite: UInt8 = 136

    /// Names as Debian's netbase /etc/protocols spells them, which is what iptables-save prints.
    public static let names: [UInt8: String] = [
        0: "ip", 1: "icmp", 2: "igmp", 3: "ggp", 4: "ipencap", 5: "st", 6: "tcp", 8: "egp", 9: "igp",
        12: "pup", 17: "udp", 20: "hmp", 22: "xns-idp", 27: "rdp", 29: "iso-tp4", 33: "dccp", 36: "xtp",
        37: "ddp", 38: "idpr-cmtp", 41: "ipv6", 43: "ipv6-route", 44: "ipv6-frag", 45: "idrp", 46: "rsvp",
        47: "gre", 50: "esp", 51: "ah", 57: "skip", 58: "ipv6-icmp", 59: "ipv6-nonxt", 60: "ipv6-opts",
        73: "rspf", 81: "vmtp", 88: "eigrp", 89: "ospf", 93: "ax.25", 94: "ipip", 97: "etherip",
        98: "encap", 103: "pim", 108: "ipcomp", 112: "vrrp", 115: "l2tp", 124: "isis", 132: "sctp",
        133: "fc", 135: "mobility-header", 136: "udplite", 137: "mpls-in-ip", 138: "manet", 139: "hip",
        140: "shim6", 141: "wesp", 142: "rohc", 143: "ethernet",
    ]

    /// Accepts a number or a name; `all` is handled by the caller (it means "no protocol test").
    public static func parse(_ text: String) -> UInt8? {
        if let number = UInt8(text) { return number }
        let lower = text.lowercased()
        if lower == "icmpv6" { return icmpv6 }
        return names.first(where: { $0.value == lower })?.key
    }

    public static func name(_ number: UInt8) -> String { names[number] ?? String(number) }

    /// Protocols whose header starts with 16-bit source and destination ports.
    public static func hasPorts(_ number: UInt8) -> Bool {
        number == tcp || number == udp || number == sctp || number == udplite || number == 33
    }
}
