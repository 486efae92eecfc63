import Foundation

/// One rule of kube-proxy's, kept in parts so it prints as iptables-save prints it back, not as
/// kube-proxy writes it to iptables-restore: the address and protocol options first
/// (`-s`, `-d`, `-p`, with `/32` on single addresses), then the match modules in the order
/// they were given, then the target with the options the kernel reports (`REJECT` gets its
/// default `--reject-with`, `MARK --or-mark` becomes `--set-xmark`).
struct SaveRule: Hashable, Sendable {
    var source: Address?
    var destination: Address?
    /// Lower-case protocol name (`tcp`, `udp`, `sctp`).
    var proto: String?
    /// Match modules, each already spelled (`-m comment --comment "..."`, `-m tcp --dport 80`).
    var matches: [String] = []
    /// nil for a rule without a target (the KUBE-FW chain's last, comment-only rule).
    var target: String?
    /// The Service port behind the rule (`ns/name:port`), or nil for kube-proxy's own rules.
    var service: String?

    struct Address: Hashable, Sendable {
        var cidr: IPv4CIDR
        var negated = false
    }

    /// `-s`/`-d` spelled as iptables-save prints them.
    static func address(_ text: String, negated: Bool = false) -> Address? {
        IPv4CIDR(text).map { Address(cidr: $0, negated: negated) }
    }

    func text(chain: String) -> String {
        var words = ["-A", chain]
        if let source { words += (source.negated ? ["!"] : []) + ["-s", source.cidr.description] }
        if let destination { words += (destination.negated ? ["!"] : []) + ["-d", destination.cidr.description] }
        if let proto { words += ["-p", proto] }
        words += matches
        if let target { words.append(target) }
        return words.joined(separator: " ")
    }

    // MARK: Matches and targets, as iptables-save spells them

    /// libxtables' `xtables_save_string`: bare when only letters, digits, `_` and `-`; else in
    /// double quotes with `"`, `\` and `'` escaped. `ns/svc:port` is therefore always quoted.
    static func quote(_ text: String) -> String {
        if !text.isEmpty, text.unicodeScalars.allSatisfy({ scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_", "-": return true
            default: return false
            }
        }) { return text }
        var result = "\""
        for character in text {
            if character == "\"" || character == "\\" || character == "'" { result.append("\\") }
            result.append(character)
        }
        return result + "\""
    }

    static func comment(_ text: String) -> String { "-m comment --comment \(quote(text))" }

    /// `-m tcp --dport N` (the protocol's own module, which kube-proxy names with `-m tcp -p tcp`).
    static func port(_ proto: String, destination port: Int?) -> String {
        port.map { "-m \(proto) --dport \($0)" } ?? "-m \(proto)"
    }

    static func jump(_ chain: String) -> String { "-j \(chain)" }

    /// kube-proxy writes `1/n` with `%0.10f`; the kernel keeps `lround(2^31 * p)` and
    /// iptables-save prints that back with `%.11f` (0.3333333333 → 0.33333333349).
    static func probability(_ endpoints: Int) -> String {
        let written = Double(String(format: "%0.10f", 1.0 / Double(endpoints)))!
        let stored = (Double(0x8000_0000) * written).rounded()
        return String(format: "%.11f", stored / Double(0x8000_0000))
    }
}
