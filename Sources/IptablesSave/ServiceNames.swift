/// Port names from /etc/services that iptables and ipset resolve on input.
/// An offline simulator cannot read the dump's host's /etc/services, so this is the
/// common subset (Debian netbase); both tools always print numbers, so nothing is lost on output.
public enum ServiceNames {
    public static let ports: [String: UInt16] = [
        "tcpmux": 1, "echo": 7, "discard": 9, "daytime": 13, "ftp-data": 20, "ftp": 21, "ssh": 22,
        "telnet": 23, "smtp": 25, "time": 37, "whois": 43, "tacacs": 49, "domain": 53, "bootps": 67,
        "bootpc": 68, "tftp": 69, "gopher": 70, "finger": 79, "http": 80, "www": 80, "kerberos": 88,
        "pop3": 110, "sunrpc": 111, "auth": 113, "nntp": 119, "ntp": 123, "epmap": 135,
        "netbios-ns": 137, "netbios-dgm": 138, "netbios-ssn": 139, "imap2": 143, "imap": 143,
        "snmp": 161, "snmp-trap": 162, "bgp": 179, "irc": 194, "ldap": 389, "https": 443,
        "microsoft-ds": 445, "isakmp": 500, "syslog": 514, "printer": 515, "submission": 587,
        "ldaps": 636, "rsync": 873, "ftps": 990, "imaps": 993, "pop3s": 995, "socks": 1080,
        "openvpn": 1194, "ms-sql-s": 1433, "l2tp": 1701, "radius": 1812, "nfs": 2049,
        "mysql": 3306, "postgresql": 5432, "x11": 6000, "http-alt": 8080,
    ]

    /// A decimal port or a service name.
    public static func port(_ text: String) -> UInt16? {
        if let number = UInt16(text) { return number }
        return ports[text]
    }
}
