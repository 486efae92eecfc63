import CalicoModel

typealias CalicoRuleProtocol = CalicoRule.ProtocolValue

/// How protocols appear in felix's text and in iptables-save's.
enum ProtocolNames {
    /// iptables-save prints names from /etc/protocols (netbase on Debian).
    static func saveName(_ felixName: String) -> String {
        switch felixName {
        case "1": "icmp"
        case "4": "ipencap"
        case "6": "tcp"
        case "17": "udp"
        case "47": "gre"
        case "50": "esp"
        case "51": "ah"
        case "58", "icmpv6": "ipv6-icmp"
        case "132": "sctp"
        case "136": "udplite"
        default: felixName
        }
    }

    /// felix's rule renderer: known names lower-cased, numbers as numbers.
    static func felixName(_ value: CalicoRuleProtocol) -> String {
        switch value {
        case .name(let name): name.lowercased()
        case .number(let number): String(number)
        }
    }
}
