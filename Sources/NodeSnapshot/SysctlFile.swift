import Netfilter

/// Reads `sysctl` output (`key = value` lines; `#` and `;` comments).
public enum SysctlFile {
    public static func parse(_ text: String, file: String) throws(SnapshotError) -> Sysctls {
        var sysctls = Sysctls()
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw SnapshotError(file: file, line: index + 1, message: "expected \"key = value\", found \"\(line)\"")
            }
            let key = line[..<equals].trimmingCharacters(in: " \t").replacingSlashes()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: " \t")
            func flag() throws(SnapshotError) -> Bool {
                guard value == "0" || value == "1" else {
                    throw SnapshotError(file: file, line: index + 1, message: "expected 0 or 1 for \(key), found \"\(value)\"")
                }
                return value == "1"
            }
            func integer() throws(SnapshotError) -> Int {
                guard let number = Int(value) else {
                    throw SnapshotError(file: file, line: index + 1, message: "expected a number for \(key), found \"\(value)\"")
                }
                return number
            }
            switch key {
            case "net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding": sysctls.ipForward = try flag()
            case "net.netfilter.nf_conntrack_tcp_loose": sysctls.tcpLoose = try flag()
            case "net.netfilter.nf_conntrack_tcp_be_liberal": sysctls.tcpBeLiberal = try flag()
            case "net.netfilter.nf_conntrack_checksum": sysctls.conntrackChecksum = try flag()
            case "net.netfilter.nf_conntrack_max", "net.nf_conntrack_max": sysctls.conntrackMax = try integer()
            case "net.netfilter.nf_conntrack_buckets": sysctls.conntrackBuckets = try integer()
            case "net.netfilter.nf_conntrack_tcp_max_retrans": sysctls.timeouts.tcpMaxRetransmissions = try integer()
            case "net.ipv4.conf.all.rp_filter": sysctls.rpFilterAll = try integer()
            default:
                if let timeout = ConntrackTimeouts.sysctlKeys.first(where: { $0.key == key }) {
                    sysctls.timeouts[keyPath: timeout.path] = Double(try integer())
                } else if key.hasPrefix("net.ipv4.conf."), key.hasSuffix(".rp_filter") {
                    let name = String(key.dropFirst("net.ipv4.conf.".count).dropLast(".rp_filter".count))
                    sysctls.rpFilter[name] = try integer()
                } else {
                    sysctls.other[key] = value
                }
            }
        }
        return sysctls
    }

    /// The keys `pathsim snapshot` collects.
    public static let collectedKeys = [
        "net.ipv4.ip_forward", "net.ipv4.conf.all.rp_filter", "net.ipv4.conf.default.rp_filter",
        "net.netfilter.nf_conntrack_tcp_loose", "net.netfilter.nf_conntrack_tcp_be_liberal",
        "net.netfilter.nf_conntrack_checksum", "net.netfilter.nf_conntrack_max", "net.netfilter.nf_conntrack_buckets",
        "net.netfilter.nf_conntrack_tcp_max_retrans",
    ] + ConntrackTimeouts.sysctlKeys.map(\.key)
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, set.contains(last) { scalars = scalars.dropLast() }
        return String(scalars)
    }

    /// `sysctl` accepts `net/ipv4/ip_forward` as well as dots.
    func replacingSlashes() -> String { String(map { $0 == "/" ? "." : $0 }) }
}
